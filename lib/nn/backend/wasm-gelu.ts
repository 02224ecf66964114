// GELU (tanh approximation, lib/nn/ffn.ts) as one WebAssembly SIMD pass forward
// and one backward on the tfjs wasm heap: in tfjs ops it is nine kernels forward
// and about twice that backward over the Transformer's [N, 4d] activations.
//   y  = x/2 · (1 + tanh(u)),  u = √(2/π)·(x + 0.044715 x³)
//   y' = (1 + tanh u)/2 + x/2 · (1 − tanh² u) · √(2/π)·(1 + 3·0.044715 x²)
// Element counts must be a multiple of 4 (whole vectors); otherwise tfjs's ops run.

import type * as tf from '@tensorflow/tfjs';
import {
  F32X4_ADD, F32X4_MUL, F32X4_SUB, funcBody, I32, I32_ADD, I32_SHL, i32Const, localGet as get, localSet as set, MAX_PAGES, moduleBytes, V128,
  V128_LOAD, V128_STORE, v128F32, whileBelow,
} from '../../wasm/asm.js';
import { heapKernels, heapOffset, type WasmBackend } from './wasm-heap.js';
import { tanhRationalOf } from './wasm-math.js';

const C = Math.sqrt(2 / Math.PI);
const A = 0.044715;

/** tanh(u) of the vector in local x, into local t; x2 = x². */
function tanhU(x: number, x2: number, t: number, s: { x: number; fx: number; z: number }): number[] {
  return [
    ...get(x), ...get(x), ...F32X4_MUL, ...set(x2),
    ...tanhRationalOf([...v128F32(C), ...get(x), ...v128F32(1), ...v128F32(A), ...get(x2), ...F32X4_MUL, ...F32X4_ADD, ...F32X4_MUL, ...F32X4_MUL], s), ...set(t),
  ];
}

/** forward(x, y, n) / backward(x, dy, dx, n): n floats. */
function body(backward: boolean): number[] {
  const [x, a, b] = [0, 1, 2]; // forward: y = a; backward: dy = a, dx = b
  const n = backward ? 3 : 2;
  const [i, nB] = backward ? [4, 5] : [3, 4];
  const [X, X2, T, SX, SFX, SZ] = backward ? [6, 7, 8, 9, 10, 11] : [5, 6, 7, 8, 9, 10];
  const s = { x: SX, fx: SFX, z: SZ };
  const at = (p: number): number[] => [...get(p), ...get(i), ...I32_ADD];
  const half1pT = [...v128F32(0.5), ...v128F32(1), ...get(T), ...F32X4_ADD, ...F32X4_MUL]; // (1 + t)/2
  const vec = backward
    ? [
        ...at(b),
        ...half1pT,
        ...v128F32(0.5 * C), ...get(X), ...F32X4_MUL,
        ...v128F32(1), ...get(T), ...get(T), ...F32X4_MUL, ...F32X4_SUB, ...F32X4_MUL,
        ...v128F32(1), ...v128F32(3 * A), ...get(X2), ...F32X4_MUL, ...F32X4_ADD, ...F32X4_MUL,
        ...F32X4_ADD,
        ...at(a), ...V128_LOAD, ...F32X4_MUL,
        ...V128_STORE,
      ]
    : [...at(a), ...get(X), ...half1pT, ...F32X4_MUL, ...V128_STORE];
  const code = [
    ...get(n), ...i32Const(2), ...I32_SHL, ...set(nB),
    ...whileBelow(i, nB, 16, [...at(x), ...V128_LOAD, ...set(X), ...tanhU(X, X2, T, s), ...vec]),
    0x0b,
  ];
  return funcBody([[2, I32], [6, V128]], code);
}

interface Exports {
  forward(x: number, y: number, n: number): void;
  backward(x: number, dy: number, dx: number, n: number): void;
}

const kernels = heapKernels<Exports>(() =>
  moduleBytes(
    [
      { name: 'forward', params: [I32, I32, I32], results: [], body: body(false) },
      { name: 'backward', params: [I32, I32, I32, I32], results: [], body: body(true) },
    ],
    MAX_PAGES,
    'growable',
  ),
);

export function geluAvailable(backend: WasmBackend, size: number): boolean {
  return size % 4 === 0 && backend?.wasm !== undefined && kernels(backend) !== null;
}

export function geluForward(backend: WasmBackend, x: tf.TensorInfo): tf.TensorInfo {
  const y = backend.makeOutput([...x.shape], 'float32') as tf.TensorInfo;
  kernels(backend)!.forward(heapOffset(backend, x), heapOffset(backend, y), x.shape.reduce((p, q) => p * q, 1));
  return y;
}

export function geluBackward(backend: WasmBackend, x: tf.TensorInfo, dy: tf.TensorInfo): tf.TensorInfo {
  const dx = backend.makeOutput([...x.shape], 'float32') as tf.TensorInfo;
  kernels(backend)!.backward(heapOffset(backend, x), heapOffset(backend, dy), heapOffset(backend, dx), x.shape.reduce((p, q) => p * q, 1));
  return dx;
}
