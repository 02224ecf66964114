// The output layer's softmax cross-entropy as two WebAssembly SIMD passes over
// the [N, V] scores, run in place on the tfjs wasm backend's heap (wasm-heap.ts).
// The scores are z + b (the bias added on the fly, so the logits are never
// materialized):
//   rowStats: per row, m = max(z + b), s = Σ exp(z + b − m), x̄ = Σ (z + b);
//             log Z = m + ln s is then taken in JS (N logarithms, in float64);
//             for training it also writes e = exp(z + b − m) to a buffer of its own;
//   rowGrad:  from e, dz = e·(scale / s) − sub per row, in place, and db += dz,
//             in the same pass (the label entries are corrected after, in JS):
//             each exp is taken once, in the forward pass.
// Against tfjs's ops (logSoftmax, gather, oneHot, cast, exp, sub, mul, the bias's
// add and its gradient's sum: about ten passes over [N, V]) that is three.
// exp is wasm-math.ts's (Cephes' expf).

import type * as tf from '@tensorflow/tfjs';
import {
  addLocalToLocal, addressAt, addToLocal, f32x4LaneSum, F32, F32_ADD, F32_MAX, F32X4_ADD, F32X4_PMAX, F32X4_MUL, F32X4_SPLAT, F32X4_SUB, f32Load, f32Store, f32x4ExtractLane, funcBody,
  I32, I32_SHL, I32_SHR_U, i32Const, localGet as get, localSet as set, MAX_PAGES, moduleBytes, V128, V128_LOAD, V128_STORE, v128F32, whileBelow,
} from '../../wasm/asm.js';
import { heapKernels, heapOffset, type WasmBackend } from './wasm-heap.js';
import { expOf } from './wasm-math.js';

const hmax = (v: number): number[] => [...get(v), ...f32x4ExtractLane(0), ...get(v), ...f32x4ExtractLane(1), ...F32_MAX, ...get(v), ...f32x4ExtractLane(2), ...F32_MAX, ...get(v), ...f32x4ExtractLane(3), ...F32_MAX];
/** vB = 4·v (row bytes), vendB = 16·⌊v/4⌋ (bytes covered by whole vectors). */
const rowBytes = (v: number, vB: number, vendB: number): number[] => [...get(v), ...i32Const(2), ...I32_SHL, ...set(vB), ...get(v), ...i32Const(2), ...I32_SHR_U, ...i32Const(4), ...I32_SHL, ...set(vendB)];

/**
 * rowStats(z, b, n, v, stats, out): stats[3i..3i+2] = max, Σ exp(x − max), Σ x of row i
 * of x = z + b; with `store`, also out = exp(x − max), row by row.
 */
function rowStatsBody(store: boolean): number[] {
  const [z, b, n, v, stats, out] = [0, 1, 2, 3, 4, 5];
  const [i, j, row, vendB, vB, orow] = [6, 7, 8, 9, 10, 11];
  const [m, s, xs, e] = [12, 13, 14, 15];
  const [acc, sv, xv, X, FX, Z, E] = [16, 17, 18, 19, 20, 21, 22];
  // exp(X) onto the running sum; with `store` also to out at byte j of the row.
  const sumExp = store
    ? [...expOf({ x: X, fx: FX, z: Z }), ...set(E), ...addressAt(orow, j), ...get(E), ...V128_STORE, ...get(sv), ...get(E), ...F32X4_ADD, ...set(sv)]
    : [...get(sv), ...expOf({ x: X, fx: FX, z: Z }), ...F32X4_ADD, ...set(sv)];
  const sumExpTail = store
    ? [...expOf({ x: X, fx: FX, z: Z }), ...f32x4ExtractLane(0), ...set(e), ...addressAt(orow, j), ...get(e), ...f32Store(), ...get(s), ...get(e), ...F32_ADD, ...set(s)]
    : [...get(s), ...expOf({ x: X, fx: FX, z: Z }), ...f32x4ExtractLane(0), ...F32_ADD, ...set(s)];
  const code = [
    ...rowBytes(v, vB, vendB),
    ...get(z), ...set(row), ...get(out), ...set(orow),
    ...whileBelow(i, n, 1, [
      // pass 1: the row's maximum (pmax: one instruction; a NaN is then skipped here, and the exp pass makes the sum NaN)
      ...v128F32(-Infinity), ...set(acc), ...i32Const(0), ...set(j),
      ...whileBelow(j, vendB, 16, [...get(acc), ...addressAt(row, j), ...V128_LOAD, ...addressAt(b, j), ...V128_LOAD, ...F32X4_ADD, ...F32X4_PMAX, ...set(acc)]),
      ...hmax(acc), ...set(m),
      ...whileBelow(j, vB, 4, [...get(m), ...addressAt(row, j), ...f32Load(), ...addressAt(b, j), ...f32Load(), ...F32_ADD, ...F32_MAX, ...set(m)]),
      // pass 2 (the row is in cache): Σ exp(x − m) and Σ x
      ...get(m), ...F32X4_SPLAT, ...set(acc), ...v128F32(0), ...set(sv), ...v128F32(0), ...set(xv), ...i32Const(0), ...set(j),
      ...whileBelow(j, vendB, 16, [
        ...addressAt(row, j), ...V128_LOAD, ...addressAt(b, j), ...V128_LOAD, ...F32X4_ADD, ...set(X),
        ...get(xv), ...get(X), ...F32X4_ADD, ...set(xv),
        ...get(X), ...get(acc), ...F32X4_SUB, ...set(X),
        ...sumExp,
      ]),
      ...f32x4LaneSum(sv), ...set(s), ...f32x4LaneSum(xv), ...set(xs),
      ...whileBelow(j, vB, 4, [
        ...addressAt(row, j), ...f32Load(), ...addressAt(b, j), ...f32Load(), ...F32_ADD, ...set(e),
        ...get(xs), ...get(e), ...F32_ADD, ...set(xs),
        ...get(e), ...F32X4_SPLAT, ...get(acc), ...F32X4_SUB, ...set(X),
        ...sumExpTail,
      ]),
      ...get(stats), ...get(m), ...f32Store(0), ...get(stats), ...get(s), ...f32Store(4), ...get(stats), ...get(xs), ...f32Store(8),
      ...addToLocal(stats, 12), ...addLocalToLocal(row, vB), ...addLocalToLocal(orow, vB),
    ]),
    0x0b,
  ];
  return funcBody([[6, I32], [4, F32], [7, V128]], code);
}

/** rowGrad(e, n, v, coef, db): with coef[2i..2i+1] = scale, sub of row i: e = e·scale − sub in place; db += e. */
function rowGradBody(): number[] {
  const [e, n, v, coef, db] = [0, 1, 2, 3, 4];
  const [i, j, row, vendB, vB] = [5, 6, 7, 8, 9];
  const [S, U, G] = [10, 11, 12];
  const code = [
    ...rowBytes(v, vB, vendB),
    ...get(e), ...set(row),
    ...whileBelow(i, n, 1, [
      ...get(coef), ...f32Load(0), ...F32X4_SPLAT, ...set(S), ...get(coef), ...f32Load(4), ...F32X4_SPLAT, ...set(U),
      ...i32Const(0), ...set(j),
      ...whileBelow(j, vendB, 16, [
        ...addressAt(row, j), ...V128_LOAD, ...get(S), ...F32X4_MUL, ...get(U), ...F32X4_SUB, ...set(G),
        ...addressAt(row, j), ...get(G), ...V128_STORE,
        ...addressAt(db, j), ...addressAt(db, j), ...V128_LOAD, ...get(G), ...F32X4_ADD, ...V128_STORE,
      ]),
      ...whileBelow(j, vB, 4, [
        ...addressAt(row, j), ...f32Load(), ...F32X4_SPLAT, ...get(S), ...F32X4_MUL, ...get(U), ...F32X4_SUB, ...set(G),
        ...addressAt(row, j), ...get(G), ...f32x4ExtractLane(0), ...f32Store(),
        ...addressAt(db, j), ...addressAt(db, j), ...f32Load(), ...get(G), ...f32x4ExtractLane(0), ...F32_ADD, ...f32Store(),
      ]),
      ...addToLocal(coef, 8), ...addLocalToLocal(row, vB),
    ]),
    0x0b,
  ];
  return funcBody([[5, I32], [3, V128]], code);
}

export interface SoftmaxKernels {
  rowStats(z: number, b: number, n: number, v: number, stats: number, out: number): void;
  rowStatsExp(z: number, b: number, n: number, v: number, stats: number, out: number): void;
  rowGrad(e: number, n: number, v: number, coef: number, db: number): void;
}

/** The kernels' module, importing the tfjs heap ('growable') or a shared memory of lexflow's own. */
export function softmaxKernelBytes(memory: 'shared' | 'growable'): Uint8Array {
  return moduleBytes(
    [
      { name: 'rowStats', params: [I32, I32, I32, I32, I32, I32], results: [], body: rowStatsBody(false) },
      { name: 'rowStatsExp', params: [I32, I32, I32, I32, I32, I32], results: [], body: rowStatsBody(true) },
      { name: 'rowGrad', params: [I32, I32, I32, I32, I32], results: [], body: rowGradBody() },
    ],
    MAX_PAGES,
    memory,
  );
}

const kernels = heapKernels<SoftmaxKernels>(() => softmaxKernelBytes('growable'));

/** From rowStats' [N, 3] output: ln Z = max + ln Σ exp(x − max) of each row, in float64, with Σ x and Σ exp(x − max). */
export function logZFromRowStats(stats: Float32Array, n: number): { logZ: Float64Array; sumX: Float64Array; sumExp: Float64Array } {
  const logZ = new Float64Array(n);
  const sumX = new Float64Array(n);
  const sumExp = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    logZ[i] = stats[3 * i]! + Math.log(stats[3 * i + 1]!);
    sumExp[i] = stats[3 * i + 1]!;
    sumX[i] = stats[3 * i + 2]!;
  }
  return { logZ, sumX, sumExp };
}

/** Whether the fused kernels can run on this backend (wasm, SIMD, its heap reachable). */
export function softmaxXentAvailable(backend: WasmBackend): boolean {
  return backend?.wasm !== undefined && kernels(backend) !== null;
}

/**
 * Per row of x = z + b (z [N, V], b [V]): max, Σ exp(x − max), Σ x, as an [N, 3] float32
 * tensor info; with `keepExp`, also e = exp(x − max) [N, V] (for softmaxRowGrad).
 */
export function softmaxRowStats(backend: WasmBackend, z: tf.TensorInfo, b: tf.TensorInfo, keepExp = false): { stats: tf.TensorInfo; exp?: tf.TensorInfo } {
  const [n, v] = z.shape as [number, number];
  const stats = backend.makeOutput([n, 3], 'float32') as tf.TensorInfo;
  const exp = keepExp ? (backend.makeOutput([n, v], 'float32') as tf.TensorInfo) : undefined;
  const k = kernels(backend)!;
  (keepExp ? k.rowStatsExp : k.rowStats)(heapOffset(backend, z), heapOffset(backend, b), n, v, heapOffset(backend, stats), exp ? heapOffset(backend, exp) : 0);
  return { stats, exp };
}

/** In place, e [N, V] = e·scale − sub row by row (coef [N, 2] = scale, sub): dz from rowStats' exp; returns db [V] = Σ rows of dz. */
export function softmaxRowGrad(backend: WasmBackend, e: tf.TensorInfo, coef: tf.TensorInfo): tf.TensorInfo {
  const [n, v] = e.shape as [number, number];
  const db = backend.makeOutput([v], 'float32') as tf.TensorInfo;
  (backend.typedArrayFromHeap(db) as Float32Array).fill(0);
  kernels(backend)!.rowGrad(heapOffset(backend, e), n, v, heapOffset(backend, coef), heapOffset(backend, db));
  return db;
}
