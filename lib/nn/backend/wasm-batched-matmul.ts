// BatchMatMul with a batch (attention's [B, H, T, T] products, forward and
// backward) on XNNPACK's fast path. The wasm backend's C++ kernel takes XNNPACK
// only for batch 1 and otherwise a naive blocked loop (~1 GFLOP/s). Here, with
// both operands already untransposed (wasm-matmul.ts), each batch slice is one
// XNNPACK product on views of the heap (wasm-heap.ts): no copies. When one
// operand is shared by every slice (batch 1), the other's slices are stacked
// into one product instead. The same products as the stock kernel, summed in
// XNNPACK's order: equal to about 1e-6 relative (test/nn-batched-matmul.test.ts).

import * as tf from '@tensorflow/tfjs';
import { disposeView, heapOffset, registerView, tensorId, type WasmBackend } from './wasm-heap.js';

type CppBatchMatMul = (aId: number, aShape: Uint8Array, aRank: number, bId: number, bShape: Uint8Array, bRank: number, transposeA: number, transposeB: number, outId: number) => void;

const cppKernels = new WeakMap<object, CppBatchMatMul>();

/** The C++ BatchMatMul of this backend's module (the same entry the stock kernel wraps). */
function cppBatchMatMul(backend: WasmBackend): CppBatchMatMul {
  let f = cppKernels.get(backend.wasm);
  if (!f) {
    f = backend.wasm.cwrap('BatchMatMul', null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']) as CppBatchMatMul;
    cppKernels.set(backend.wasm, f);
  }
  return f;
}

const shapeBytes = (s: number[]): Uint8Array => new Uint8Array(new Int32Array(s).buffer);
const size = (s: readonly number[]): number => s.reduce((x, y) => x * y, 1);
const sameDims = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** Whether `batchedMatMul` handles this product (untransposed, float32, batch > 1, no general broadcast). */
export function takesBatchedPath(a: tf.TensorInfo, b: tf.TensorInfo): boolean {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return false;
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const nA = size(outerA);
  const nB = size(outerB);
  if (nA <= 1 && nB <= 1) return false; // the stock kernel's own fast path
  return nA === 1 || nB === 1 || sameDims(outerA, outerB);
}

/** a [..., M, K] · b [..., K, N] -> [..., M, N], neither transposed; call only where `takesBatchedPath`. */
export function batchedMatMul(a: tf.TensorInfo, b: tf.TensorInfo, backend: WasmBackend): tf.TensorInfo {
  const M = a.shape[a.shape.length - 2]!;
  const K = a.shape[a.shape.length - 1]!;
  const N = b.shape[b.shape.length - 1]!;
  if (b.shape[b.shape.length - 2] !== K) throw new Error(`matMul: inner shapes ${K} and ${b.shape[b.shape.length - 2]} of ${a.shape} and ${b.shape} differ`);
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const nA = size(outerA);
  const nB = size(outerB);
  const outer = nA >= nB ? outerA : outerB;
  const n = Math.max(nA, nB);
  const out = backend.makeOutput([...outer, M, N], 'float32') as tf.TensorInfo;
  if (n * M * N === 0) return out;
  const cpp = cppBatchMatMul(backend);
  if (nB === 1) {
    // b shared: the slices of a stacked as the rows of one product (b is packed once and cached as weights).
    cpp(tensorId(backend, a), shapeBytes([1, nA * M, K]), 3, tensorId(backend, b), shapeBytes([1, K, N]), 3, 0, 0, tensorId(backend, out));
    return out;
  }
  const aBase = heapOffset(backend, a);
  const bBase = heapOffset(backend, b);
  const oBase = heapOffset(backend, out);
  const aShape = shapeBytes([1, M, K]);
  const bShape = shapeBytes([1, K, N]);
  for (let i = 0; i < n; i++) {
    const ai = registerView(backend, aBase + 4 * (nA === 1 ? 0 : i) * M * K, M * K);
    const bi = registerView(backend, bBase + 4 * i * K * N, K * N);
    const oi = registerView(backend, oBase + 4 * i * M * N, M * N);
    cpp(ai, aShape, 3, bi, bShape, 3, 0, 0, oi);
    disposeView(backend, ai);
    disposeView(backend, bi); // also drops the XNNPACK operator packed from this slice
    disposeView(backend, oi);
  }
  return out;
}
