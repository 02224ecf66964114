// Swapping the last two axes of a tensor, tile by tile. The wasm backend's
// Transpose walks the output with a stride of a whole input column, a cache miss
// per element on large matrices (a [2048, 10000] gradient took 207 ms on a loaded
// machine, 10 ns an element); copying 32×32 tiles keeps both sides in L1.
// Used by the matMul wrappers (wasm-matmul.ts) for their explicit transposes.

import type * as tf from '@tensorflow/tfjs';
import {
  funcBody, I32, I32_ADD, I32_LT_U, I32_MUL, I32_SHL, i32Const, i32Load, i32Store, localGet as get, localSet as set, MAX_PAGES, moduleBytes, SELECT, whileBelow,
} from '../../wasm/asm.js';
import { heapKernels, heapOffset, type WasmBackend } from './wasm-heap.js';

const TILE = 32;

/** transpose(src, dst, n, R, C): n matrices [R, C] of 4-byte elements -> [C, R]. */
function transposeBody(): number[] {
  const [src, dst, n, R, C] = [0, 1, 2, 3, 4];
  const [b, ib, jb, i, j, iend, jend, sp, dp, R4, plane] = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
  const min = (a: number[], c: number): number[] => [...a, ...get(c), ...a, ...get(c), ...I32_LT_U, ...SELECT]; // min(a, local c)
  const code = [
    ...get(R), ...i32Const(2), ...I32_SHL, ...set(R4),
    ...get(R), ...get(C), ...I32_MUL, ...i32Const(2), ...I32_SHL, ...set(plane),
    ...whileBelow(b, n, 1, [
      ...i32Const(0), ...set(ib),
      ...whileBelow(ib, R, TILE, [
        ...min([...get(ib), ...i32Const(TILE), ...I32_ADD], R), ...set(iend),
        ...i32Const(0), ...set(jb),
        ...whileBelow(jb, C, TILE, [
          ...min([...get(jb), ...i32Const(TILE), ...I32_ADD], C), ...set(jend),
          ...get(ib), ...set(i),
          ...whileBelow(i, iend, 1, [
            // sp = src + 4(i·C + jb), dp = dst + 4(jb·R + i)
            ...get(src), ...get(i), ...get(C), ...I32_MUL, ...get(jb), ...I32_ADD, ...i32Const(2), ...I32_SHL, ...I32_ADD, ...set(sp),
            ...get(dst), ...get(jb), ...get(R), ...I32_MUL, ...get(i), ...I32_ADD, ...i32Const(2), ...I32_SHL, ...I32_ADD, ...set(dp),
            ...get(jb), ...set(j),
            ...whileBelow(j, jend, 1, [
              ...get(dp), ...get(sp), ...i32Load(), ...i32Store(),
              ...get(sp), ...i32Const(4), ...I32_ADD, ...set(sp),
              ...get(dp), ...get(R4), ...I32_ADD, ...set(dp),
            ]),
          ]),
        ]),
      ]),
      ...get(src), ...get(plane), ...I32_ADD, ...set(src),
      ...get(dst), ...get(plane), ...I32_ADD, ...set(dst),
    ]),
    0x0b,
  ];
  return funcBody([[11, I32]], code);
}

interface Exports {
  transpose(src: number, dst: number, n: number, R: number, C: number): void;
}

const kernels = heapKernels<Exports>(() => moduleBytes([{ name: 'transpose', params: [I32, I32, I32, I32, I32], results: [] }].map((f) => ({ ...f, body: transposeBody() })), MAX_PAGES, 'growable'));

/** `x` [..., R, C] (4-byte elements) -> a new [..., C, R], or null where the kernel cannot run (then use the stock Transpose). */
export function transposeLastTwo(backend: WasmBackend, x: tf.TensorInfo): tf.TensorInfo | null {
  const k = kernels(backend);
  if (!k || (x.dtype !== 'float32' && x.dtype !== 'int32')) return null;
  const r = x.shape.length;
  const [R, C] = [x.shape[r - 2]!, x.shape[r - 1]!];
  const n = x.shape.slice(0, -2).reduce((a, b) => a * b, 1);
  const out = backend.makeOutput([...x.shape.slice(0, -2), C, R], x.dtype) as tf.TensorInfo;
  if (n * R * C > 0) k.transpose(heapOffset(backend, x), heapOffset(backend, out), n, R, C);
  return out;
}
