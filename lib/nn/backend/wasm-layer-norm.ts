// Layer norm's two row loops (backend/heap-layer-norm.ts) as WebAssembly SIMD
// kernels on the tfjs wasm heap, for rows of a multiple of 4 floats:
//   lnForward:  per row μ, σ², r = 1/√(σ² + ε), x̂ = (x − μ)·r, y = x̂·g + b;
//   lnBackward: per row dx = r·(dy·g − mean(dy·g) − x̂·mean(dy·g·x̂)), and over the
//               rows dg += dy·x̂, db += dy (dg, db zeroed by the caller).
// The sums are float32, four lanes each, as tfjs's own reductions are.

import {
  addLocalToLocal, addressAt, addToLocal, F32, F32_ADD, F32_CONVERT_I32_U, F32_DIV, F32_MUL, F32_SQRT, F32X4_ADD, F32X4_MUL, F32X4_SPLAT, F32X4_SUB, f32Const, f32Load, f32Store, f32x4LaneSum, funcBody,
  I32, I32_SHL, i32Const, localGet as get, localSet as set, MAX_PAGES, moduleBytes, V128, V128_LOAD, V128_STORE, v128F32, whileBelow,
} from '../../wasm/asm.js';
import { heapKernels, heapOffset, type WasmBackend } from './wasm-heap.js';
import type * as tf from '@tensorflow/tfjs';

const load = (base: number, off: number): number[] => [...addressAt(base, off), ...V128_LOAD];

/** lnForward(x, g, b, y, xhat, rstd, n, d, eps). */
function forwardBody(): number[] {
  const [x, g, b, y, xhat, rstd, n, d, eps] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [i, j, dB] = [9, 10, 11];
  const [invD, mean, r] = [12, 13, 14];
  const [acc, X, M, R] = [15, 16, 17, 18];
  return funcBody([[3, I32], [3, F32], [4, V128]], [
    ...get(d), ...i32Const(2), ...I32_SHL, ...set(dB),
    ...f32Const(1), ...get(d), ...F32_CONVERT_I32_U, ...F32_DIV, ...set(invD),
    ...whileBelow(i, n, 1, [
      ...v128F32(0), ...set(acc), ...i32Const(0), ...set(j),
      ...whileBelow(j, dB, 16, [...get(acc), ...load(x, j), ...F32X4_ADD, ...set(acc)]),
      ...f32x4LaneSum(acc), ...get(invD), ...F32_MUL, ...set(mean), ...get(mean), ...F32X4_SPLAT, ...set(M),
      ...v128F32(0), ...set(acc), ...i32Const(0), ...set(j),
      ...whileBelow(j, dB, 16, [...load(x, j), ...get(M), ...F32X4_SUB, ...set(X), ...get(acc), ...get(X), ...get(X), ...F32X4_MUL, ...F32X4_ADD, ...set(acc)]),
      ...f32Const(1), ...f32x4LaneSum(acc), ...get(invD), ...F32_MUL, ...get(eps), ...F32_ADD, ...F32_SQRT, ...F32_DIV, ...set(r),
      ...get(rstd), ...get(r), ...f32Store(), ...get(r), ...F32X4_SPLAT, ...set(R),
      ...i32Const(0), ...set(j),
      ...whileBelow(j, dB, 16, [
        ...load(x, j), ...get(M), ...F32X4_SUB, ...get(R), ...F32X4_MUL, ...set(X),
        ...addressAt(xhat, j), ...get(X), ...V128_STORE,
        ...addressAt(y, j), ...get(X), ...load(g, j), ...F32X4_MUL, ...load(b, j), ...F32X4_ADD, ...V128_STORE,
      ]),
      ...addLocalToLocal(x, dB), ...addLocalToLocal(xhat, dB), ...addLocalToLocal(y, dB), ...addToLocal(rstd, 4),
    ]),
    0x0b,
  ]);
}

/** lnBackward(dy, xhat, rstd, g, dx, dg, db, n, d). */
function backwardBody(): number[] {
  const [dy, xhat, rstd, g, dx, dg, db, n, d] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [i, j, dB] = [9, 10, 11];
  const [invD] = [12];
  const [A1, A2, E, H, DH, M1, M2, R] = [13, 14, 15, 16, 17, 18, 19, 20];
  return funcBody([[3, I32], [1, F32], [8, V128]], [
    ...get(d), ...i32Const(2), ...I32_SHL, ...set(dB),
    ...f32Const(1), ...get(d), ...F32_CONVERT_I32_U, ...F32_DIV, ...set(invD),
    ...whileBelow(i, n, 1, [
      ...v128F32(0), ...set(A1), ...v128F32(0), ...set(A2), ...i32Const(0), ...set(j),
      ...whileBelow(j, dB, 16, [
        ...load(dy, j), ...set(E), ...load(xhat, j), ...set(H), ...get(E), ...load(g, j), ...F32X4_MUL, ...set(DH),
        ...get(A1), ...get(DH), ...F32X4_ADD, ...set(A1),
        ...get(A2), ...get(DH), ...get(H), ...F32X4_MUL, ...F32X4_ADD, ...set(A2),
        ...addressAt(dg, j), ...load(dg, j), ...get(E), ...get(H), ...F32X4_MUL, ...F32X4_ADD, ...V128_STORE,
        ...addressAt(db, j), ...load(db, j), ...get(E), ...F32X4_ADD, ...V128_STORE,
      ]),
      ...f32x4LaneSum(A1), ...get(invD), ...F32_MUL, ...F32X4_SPLAT, ...set(M1),
      ...f32x4LaneSum(A2), ...get(invD), ...F32_MUL, ...F32X4_SPLAT, ...set(M2),
      ...get(rstd), ...f32Load(), ...F32X4_SPLAT, ...set(R),
      ...i32Const(0), ...set(j),
      ...whileBelow(j, dB, 16, [
        ...addressAt(dx, j),
        ...load(dy, j), ...load(g, j), ...F32X4_MUL, ...get(M1), ...F32X4_SUB, ...load(xhat, j), ...get(M2), ...F32X4_MUL, ...F32X4_SUB, ...get(R), ...F32X4_MUL,
        ...V128_STORE,
      ]),
      ...addLocalToLocal(dy, dB), ...addLocalToLocal(xhat, dB), ...addLocalToLocal(dx, dB), ...addToLocal(rstd, 4),
    ]),
    0x0b,
  ]);
}

interface Exports {
  lnForward(x: number, g: number, b: number, y: number, xhat: number, rstd: number, n: number, d: number, eps: number): void;
  lnBackward(dy: number, xhat: number, rstd: number, g: number, dx: number, dg: number, db: number, n: number, d: number): void;
}

const kernels = heapKernels<Exports>(() =>
  moduleBytes(
    [
      { name: 'lnForward', params: [I32, I32, I32, I32, I32, I32, I32, I32, F32], results: [], body: forwardBody() },
      { name: 'lnBackward', params: [I32, I32, I32, I32, I32, I32, I32, I32, I32], results: [], body: backwardBody() },
    ],
    MAX_PAGES,
    'growable',
  ),
);

/** Whether the kernels can run for rows of d floats on this backend. */
export function layerNormKernelsAvailable(backend: WasmBackend, d: number): boolean {
  return d % 4 === 0 && backend?.wasm !== undefined && kernels(backend) !== null;
}

/** y, xhat (N, D) and rstd (N) from x (N, D), g, b (D). */
export function layerNormForwardAt(backend: WasmBackend, x: tf.TensorInfo, g: tf.TensorInfo, b: tf.TensorInfo, y: tf.TensorInfo, xhat: tf.TensorInfo, rstd: tf.TensorInfo, eps: number): void {
  const [n, d] = x.shape as [number, number];
  const o = (t: tf.TensorInfo): number => heapOffset(backend, t);
  kernels(backend)!.lnForward(o(x), o(g), o(b), o(y), o(xhat), o(rstd), n, d, eps);
}

/** dx (N, D), and dg, db (D) summed over the rows; dg and db are zeroed here first. */
export function layerNormBackwardAt(backend: WasmBackend, dy: tf.TensorInfo, xhat: tf.TensorInfo, rstd: tf.TensorInfo, g: tf.TensorInfo, dx: tf.TensorInfo, dg: tf.TensorInfo, db: tf.TensorInfo): void {
  const [n, d] = dy.shape as [number, number];
  const o = (t: tf.TensorInfo): number => heapOffset(backend, t);
  (backend.typedArrayFromHeap(dg) as Float32Array).fill(0);
  (backend.typedArrayFromHeap(db) as Float32Array).fill(0);
  kernels(backend)!.lnBackward(o(dy), o(xhat), o(rstd), o(g), o(dx), o(dg), o(db), n, d);
}
