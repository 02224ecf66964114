// UnsortedSegmentSum as a direct scatter-add: out[segmentIds[i], :] += x[i, :].
// It is the gradient of `gather`, so every embedding layer needs it. The wasm
// backend does not register it at all, and the cpu backend loops over every
// segment across the whole input (O(vocab x tokens x dim)); this kernel is
// O(tokens x dim) and is registered for both (docs/ARCHITECTURE.md, "The neural backend").

import * as tf from '@tensorflow/tfjs';

type TypedArray = Float32Array | Int32Array;

/** The pure loop: `x` is [n, inner] (flattened), `ids` has n entries; ids outside [0, segments) are dropped as in TensorFlow. */
export function scatterAdd(x: Float32Array, ids: Int32Array, segments: number, out: Float32Array): void {
  const inner = ids.length === 0 ? 0 : x.length / ids.length;
  out.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i]!;
    if (s < 0 || s >= segments) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) out[dst + j]! += x[src + j]!;
  }
}

interface SegmentArgs {
  inputs: { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  attrs: { numSegments: number };
}

function outShape(x: tf.TensorInfo, ids: tf.TensorInfo, numSegments: number): number[] {
  return [numSegments, ...x.shape.slice(ids.shape.length)];
}

/* eslint-disable @typescript-eslint/no-explicit-any */
function cpuKernel(args: SegmentArgs & { backend: any }): tf.TensorInfo {
  const { x, segmentIds } = args.inputs;
  const { backend } = args;
  const shape = outShape(x, segmentIds, args.attrs.numSegments);
  const xv = backend.data.get(x.dataId).values as TypedArray;
  const iv = backend.data.get(segmentIds.dataId).values as TypedArray;
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  scatterAdd(xv instanceof Float32Array ? xv : Float32Array.from(xv), iv instanceof Int32Array ? iv : Int32Array.from(iv), args.attrs.numSegments, out);
  return backend.makeTensorInfo(shape, 'float32', out);
}

function wasmKernel(args: SegmentArgs & { backend: any }): tf.TensorInfo {
  const { x, segmentIds } = args.inputs;
  const { backend } = args;
  const shape = outShape(x, segmentIds, args.attrs.numSegments);
  const out = backend.makeOutput(shape, 'float32') as tf.TensorInfo;
  // Views into the wasm heap: taken after makeOutput, which may grow (and detach) the heap.
  const xs = backend.typedArrayFromHeap(x) as TypedArray;
  const is = backend.typedArrayFromHeap(segmentIds) as TypedArray;
  const ov = backend.typedArrayFromHeap(out) as Float32Array;
  scatterAdd(xs instanceof Float32Array ? xs : Float32Array.from(xs), is instanceof Int32Array ? is : Int32Array.from(is), args.attrs.numSegments, ov);
  return out;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** Register the scatter-add for `backendName` (replacing the stock kernel where there is one). */
export function registerScatterAdd(backendName: 'cpu' | 'wasm'): void {
  if (tf.getKernel('UnsortedSegmentSum', backendName)) tf.unregisterKernel('UnsortedSegmentSum', backendName);
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName,
    kernelFunc: (backendName === 'cpu' ? cpuKernel : wasmKernel) as unknown as tf.KernelFunc,
  });
}
