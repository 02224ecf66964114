// One Adam update (Kingma & Ba 2015, Algorithm 1 with the bias corrections
// folded into the step size, as lib/nn/optimizer.ts) as one WebAssembly SIMD pass
// over a parameter on the tfjs wasm heap, instead of twelve tfjs ops each reading
// and writing the whole parameter (the embedding and the output layer are 2M
// floats each). The same float32 operations in the same order as the ops path:
//   m' = m·β1 + g·(1 − β1);  v' = v·β2 + g²·(1 − β2);  p' = p − m'/(√v' + ε)·step

import type * as tf from '@tensorflow/tfjs';
import {
  F32, F32X4_ADD, F32X4_DIV, F32X4_MUL, F32X4_SPLAT, F32X4_SQRT, F32X4_SUB, funcBody, I32, I32_ADD, I32_SHL, I32_SHR_U, i32Const, localGet as get,
  localSet as set, MAX_PAGES, moduleBytes, V128, V128_LOAD, V128_STORE, whileBelow,
} from '../../wasm/asm.js';
import { heapKernels, heapOffset, type WasmBackend } from './wasm-heap.js';

/** adam(p, g, m, v, p', m', v', n, β1, 1 − β1, β2, 1 − β2, ε, step): whole vectors of n (the caller does the last n mod 4). */
function adamBody(): number[] {
  const [p, g, m, v, po, mo, vo, n] = [0, 1, 2, 3, 4, 5, 6, 7];
  const scalars = [8, 9, 10, 11, 12, 13]; // β1, 1 − β1, β2, 1 − β2, ε, step (f32)
  const [i, nB] = [14, 15];
  const [B1, C1, B2, C2, EPS, STEP, G, M, Vv] = [16, 17, 18, 19, 20, 21, 22, 23, 24];
  const at = (base: number): number[] => [...get(base), ...get(i), ...I32_ADD];
  const code = [
    ...get(n), ...i32Const(2), ...I32_SHR_U, ...i32Const(4), ...I32_SHL, ...set(nB),
    ...scalars.flatMap((s, k) => [...get(s), ...F32X4_SPLAT, ...set(B1 + k)]),
    ...whileBelow(i, nB, 16, [
      ...at(g), ...V128_LOAD, ...set(G),
      ...at(m), ...V128_LOAD, ...get(B1), ...F32X4_MUL, ...get(G), ...get(C1), ...F32X4_MUL, ...F32X4_ADD, ...set(M),
      ...at(v), ...V128_LOAD, ...get(B2), ...F32X4_MUL, ...get(G), ...get(G), ...F32X4_MUL, ...get(C2), ...F32X4_MUL, ...F32X4_ADD, ...set(Vv),
      ...at(mo), ...get(M), ...V128_STORE,
      ...at(vo), ...get(Vv), ...V128_STORE,
      ...at(po), ...at(p), ...V128_LOAD, ...get(M), ...get(Vv), ...F32X4_SQRT, ...get(EPS), ...F32X4_ADD, ...F32X4_DIV, ...get(STEP), ...F32X4_MUL, ...F32X4_SUB, ...V128_STORE,
    ]),
    0x0b,
  ];
  return funcBody([[2, I32], [9, V128]], code);
}

interface Exports {
  adam(p: number, g: number, m: number, v: number, po: number, mo: number, vo: number, n: number, b1: number, c1: number, b2: number, c2: number, eps: number, step: number): void;
}

const kernels = heapKernels<Exports>(() =>
  moduleBytes([{ name: 'adam', params: [I32, I32, I32, I32, I32, I32, I32, I32, F32, F32, F32, F32, F32, F32], results: [], body: adamBody() }], MAX_PAGES, 'growable'),
);

export function adamAvailable(backend: WasmBackend): boolean {
  return backend?.wasm !== undefined && kernels(backend) !== null;
}

/** The updated p, m, v of one parameter as new tensor infos. */
export function adamUpdate(backend: WasmBackend, p: tf.TensorInfo, g: tf.TensorInfo, m: tf.TensorInfo, v: tf.TensorInfo, h: { beta1: number; beta2: number; eps: number; step: number }): [tf.TensorInfo, tf.TensorInfo, tf.TensorInfo] {
  const outs = [p, m, v].map((t) => backend.makeOutput([...t.shape], 'float32') as tf.TensorInfo) as [tf.TensorInfo, tf.TensorInfo, tf.TensorInfo];
  const n = p.shape.reduce((a, b) => a * b, 1);
  const [po, mo, vo] = outs.map((t) => heapOffset(backend, t));
  kernels(backend)!.adam(heapOffset(backend, p), heapOffset(backend, g), heapOffset(backend, m), heapOffset(backend, v), po!, mo!, vo!, n, h.beta1, 1 - h.beta1, h.beta2, 1 - h.beta2, h.eps, h.step);
  // The last n mod 4 in JS, the same float32 operations (Math.fround after each).
  const f = Math.fround;
  const [P, G, M, V, PO, MO, VO] = [p, g, m, v, ...outs].map((t) => backend.typedArrayFromHeap(t) as Float32Array);
  const [b1, c1, b2, c2, eps, step] = [h.beta1, 1 - h.beta1, h.beta2, 1 - h.beta2, h.eps, h.step].map(f);
  for (let i = n - (n % 4); i < n; i++) {
    const mi = f(f(M![i]! * b1!) + f(G![i]! * c1!));
    const vi = f(f(V![i]! * b2!) + f(f(G![i]! * G![i]!) * c2!));
    MO![i] = mi;
    VO![i] = vi;
    PO![i] = f(P![i]! - f(f(mi / f(f(Math.sqrt(vi)) + eps!)) * step!));
  }
  return outs;
}
