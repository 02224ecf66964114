// Sum over the leading axes on wasm (every bias gradient: dy [N, D] summed over
// its rows). The stock Sum first transposes the reduced axes to the end, with the
// stock Transpose's strided walk; this sums the rows in place: on the system BLAS
// as one product ones[1, rows]·x[rows, cols] where it is loaded (native-gemm.ts;
// the JS loop below ran a 2048×512 bias gradient at 0.2 GFLOP/s, 7 ms of a
// Transformer step), else in float64 in JS. Other reductions keep the stock kernel.

import * as tf from '@tensorflow/tfjs';
import { kernelSwitches } from './switches.js';
import { nativeSgemm } from './native-gemm.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type SumArgs = { inputs: { x: tf.TensorInfo }; backend: any; attrs: { axis: number | number[]; keepDims: boolean } };

export function registerColumnSum(): void {
  const stock = tf.getKernel('Sum', 'wasm');
  if (!stock || (stock.kernelFunc as { lexflow?: boolean }).lexflow) return;
  const kernelFunc = (args: SumArgs): tf.TensorInfo => {
    const { x } = args.inputs;
    const r = x.shape.length;
    const axes = tf.util.parseAxisParam(args.attrs.axis, x.shape).sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < r && axes.every((a, i) => a === i);
    if (!kernelSwitches.columnSum || !leading || x.dtype !== 'float32') return stock.kernelFunc(args as never) as tf.TensorInfo;
    const rows = x.shape.slice(0, axes.length).reduce((a, b) => a * b, 1);
    const cols = x.shape.slice(axes.length).reduce((a, b) => a * b, 1);
    const outShape = args.attrs.keepDims ? x.shape.map((d, i) => (i < axes.length ? 1 : d)) : x.shape.slice(axes.length);
    const out = args.backend.makeOutput(outShape, 'float32') as tf.TensorInfo;
    // Views taken after makeOutput, which may grow the heap.
    const src = args.backend.typedArrayFromHeap(x) as Float32Array;
    const sgemm = kernelSwitches.nativeGemm ? nativeSgemm() : null;
    if (sgemm && rows > 1) {
      sgemm(false, false, 1, cols, rows, 1, onesOf(rows), rows, src, cols, 0, args.backend.typedArrayFromHeap(out) as Float32Array, cols);
      return out;
    }
    const acc = new Float64Array(cols);
    for (let i = 0; i < rows; i++) {
      const row = i * cols;
      for (let j = 0; j < cols; j++) acc[j]! += src[row + j]!;
    }
    (args.backend.typedArrayFromHeap(out) as Float32Array).set(acc);
    return out;
  };
  (kernelFunc as { lexflow?: boolean }).lexflow = true;
  tf.unregisterKernel('Sum', 'wasm');
  tf.registerKernel({ ...stock, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
}

/* eslint-enable @typescript-eslint/no-explicit-any */

let ones = new Float32Array(0);
/** A row of `n` ones (outside the wasm heap: the BLAS reads any Float32Array). */
function onesOf(n: number): Float32Array {
  if (ones.length < n) ones = new Float32Array(Math.max(n, 2 * ones.length)).fill(1);
  return ones.subarray(0, n);
}
