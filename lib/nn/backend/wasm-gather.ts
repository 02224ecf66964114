// GatherV2 on wasm as block copies. The stock kernel goes element by element
// through strides; an embedding lookup of 2048 rows of 128 floats took ~15 ms on a
// loaded machine. Here x is viewed as outer × n × inner (n along the axis) and
// each gathered block of `inner` elements is one copy from a view of the heap.
// batchDims > 0 and non-4-byte types keep the stock kernel.

import * as tf from '@tensorflow/tfjs';
import { kernelSwitches } from './switches.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type GatherArgs = { inputs: { x: tf.TensorInfo; indices: tf.TensorInfo }; backend: any; attrs: { axis: number; batchDims: number } };

export function registerBlockGather(): void {
  const stock = tf.getKernel('GatherV2', 'wasm');
  if (!stock || (stock.kernelFunc as { lexflow?: boolean }).lexflow) return;
  const kernelFunc = (args: GatherArgs): tf.TensorInfo => {
    const { x, indices } = args.inputs;
    const { backend } = args;
    if (!kernelSwitches.blockGather || (args.attrs.batchDims ?? 0) !== 0 || (x.dtype !== 'float32' && x.dtype !== 'int32') || indices.dtype !== 'int32')
      return stock.kernelFunc(args as never) as tf.TensorInfo;
    const axis = tf.util.parseAxisParam(args.attrs.axis, x.shape)[0]!;
    const n = x.shape[axis]!;
    const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
    const inner = x.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    const outShape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
    const out = backend.makeOutput(outShape, x.dtype) as tf.TensorInfo;
    // Views taken after makeOutput, which may grow the heap.
    const idx = backend.typedArrayFromHeap(indices) as Int32Array;
    const src = backend.typedArrayFromHeap(x) as Float32Array | Int32Array;
    const dst = backend.typedArrayFromHeap(out) as Float32Array | Int32Array;
    const k = idx.length;
    for (let i = 0; i < k; i++) {
      const v = idx[i]!;
      if (v < 0 || v >= n) {
        backend.disposeData(out.dataId);
        throw new Error(`GatherV2: the index value ${v} is not in [0, ${n - 1}]`);
      }
    }
    for (let o = 0; o < outer; o++)
      for (let i = 0; i < k; i++) {
        const from = (o * n + idx[i]!) * inner;
        dst.set(src.subarray(from, from + inner), (o * k + i) * inner);
      }
    return out;
  };
  (kernelFunc as { lexflow?: boolean }).lexflow = true;
  tf.unregisterKernel('GatherV2', 'wasm');
  tf.registerKernel({ ...stock, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
}
/* eslint-enable @typescript-eslint/no-explicit-any */
