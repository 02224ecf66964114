// The wasm backend's Unpack and SplitV slice through `readSync`, which copies
// the WHOLE input out of the wasm heap once per output: unstacking T time
// steps costs T full copies (it dominated an LSTM training step). These
// replacements copy each output straight from a view of the heap.

import * as tf from '@tensorflow/tfjs';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** Copy the block [begin, begin+size) along `axis` of `x` (viewed as outer × n × inner) into a new wasm tensor. */
function sliceAxis(backend: any, x: tf.TensorInfo, axis: number, begin: number, size: number, outShape: number[]): tf.TensorInfo {
  const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const n = x.shape[axis]!;
  const inner = x.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const out = backend.makeOutput(outShape, x.dtype) as tf.TensorInfo;
  // Views taken after makeOutput, which may grow the heap.
  const src = backend.typedArrayFromHeap(x) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  const block = size * inner;
  for (let o = 0; o < outer; o++) {
    const from = (o * n + begin) * inner;
    dst.set(src.subarray(from, from + block), o * block);
  }
  return out;
}

function unpack(args: { inputs: { value: tf.TensorInfo }; backend: any; attrs: { axis: number } }): tf.TensorInfo[] {
  const { value } = args.inputs;
  const axis = args.attrs.axis < 0 ? args.attrs.axis + value.shape.length : args.attrs.axis;
  const outShape = value.shape.filter((_, i) => i !== axis);
  return Array.from({ length: value.shape[axis]! }, (_, i) => sliceAxis(args.backend, value, axis, i, 1, outShape));
}

function splitV(args: { inputs: { x: tf.TensorInfo }; backend: any; attrs: { numOrSizeSplits: number | number[]; axis: number | number[] } }): tf.TensorInfo[] {
  const { x } = args.inputs;
  const axis = tf.util.parseAxisParam(args.attrs.axis, x.shape)[0]!;
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, args.attrs.numOrSizeSplits, axis);
  let begin = 0;
  return sizes.map((s) => {
    const shape = [...x.shape];
    shape[axis] = s;
    const out = sliceAxis(args.backend, x, axis, begin, s, shape);
    begin += s;
    return out;
  });
}
/* eslint-enable @typescript-eslint/no-explicit-any */

export function registerFastSplits(): void {
  for (const [kernelName, kernelFunc] of [
    ['Unpack', unpack],
    ['SplitV', splitV],
  ] as const) {
    const stock = tf.getKernel(kernelName, 'wasm');
    if ((stock?.kernelFunc as { lexflow?: boolean } | undefined)?.lexflow) continue;
    if (stock) tf.unregisterKernel(kernelName, 'wasm');
    (kernelFunc as { lexflow?: boolean }).lexflow = true;
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  }
}
