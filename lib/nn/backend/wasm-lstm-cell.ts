// The LSTM cell's elementwise part (lib/nn/lstm-cell.ts) as one WebAssembly SIMD
// pass forward and one backward, on the tfjs wasm heap in place. A step of the
// cell in tfjs ops is about a dozen kernels forward and two dozen backward on
// [B, H] tensors of a few thousand floats, where tfjs's per-kernel cost (tens of
// microseconds) outweighs the arithmetic: over 35 steps and 2 layers that was a
// quarter of an LSTM LM's training step.
//   forward:  z (B, 4H) = [i f g o] pre-activations, c₀ (B, H)
//             -> out (2, B, H) = [h; c], c = σ(f)c₀ + σ(i)tanh(g), h = σ(o)tanh(c)
//   backward: z, c₀ and d[h; c] -> dz (B, 4H), dc₀ (B, H), the gates recomputed from z.
// H must be a multiple of 4 (whole vectors); otherwise the caller keeps tfjs's ops.

import type * as tf from '@tensorflow/tfjs';
import {
  F32X4_ADD, F32X4_MUL, F32X4_SUB, funcBody, I32, I32_ADD, I32_MUL, I32_SHL, i32Const, localGet as get, localSet as set, MAX_PAGES, moduleBytes,
  V128, V128_LOAD, V128_STORE, v128F32, whileBelow,
} from '../../wasm/asm.js';
import { heapKernels, heapOffset, type WasmBackend } from './wasm-heap.js';
import { sigmoidOf, tanhOf, type MathScratch } from './wasm-math.js';

const add = (a: number, b: number): number[] => [...get(a), ...get(b), ...I32_ADD];
const load = (addr: number[]): number[] => [...addr, ...V128_LOAD];
const store = (addr: number[], value: number[]): number[] => [...addr, ...value, ...V128_STORE];
const oneMinus = (v: number[]): number[] => [...v128F32(1), ...v, ...F32X4_SUB];
const mul = (...vs: number[][]): number[] => [...vs[0]!, ...vs.slice(1).flatMap((v) => [...v, ...F32X4_MUL])];

/** Byte strides from H and B: H4 = 4H, H8, H12, H16, BH4 = 4BH (the offset of c in [h; c]). */
function strides(B: number, H: number, [H4, H8, H12, H16, BH4]: number[]): number[] {
  return [
    ...get(H), ...i32Const(2), ...I32_SHL, ...set(H4),
    ...add(H4, H4), ...set(H8), ...add(H8, H4), ...set(H12), ...add(H8, H8), ...set(H16),
    ...get(B), ...get(H4), ...I32_MUL, ...set(BH4),
  ];
}

/** The four gates of the vector at byte `pu` of z into locals I, F, G, O. */
function gates(pu: number, [H4, H8, H12]: number[], [I, F, G, O]: number[], s: MathScratch): number[] {
  return [
    ...sigmoidOf(load(get(pu)), s), ...set(I),
    ...sigmoidOf(load(add(pu, H4)), s), ...set(F),
    ...tanhOf(load(add(pu, H8)), s), ...set(G),
    ...sigmoidOf(load(add(pu, H12)), s), ...set(O),
  ];
}

/** forward(z, c0, out, B, H) */
function forwardBody(): number[] {
  const [z, c0, out, B, H] = [0, 1, 2, 3, 4];
  const [r, ub, H4, H8, H12, H16, BH4, pz, pc, ph, pu, pa] = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
  const [I, F, G, O, C, X, FX, Z] = [17, 18, 19, 20, 21, 22, 23, 24];
  const s = { x: X, fx: FX, z: Z };
  const code = [
    ...strides(B, H, [H4, H8, H12, H16, BH4]),
    ...get(z), ...set(pz), ...get(c0), ...set(pc), ...get(out), ...set(ph),
    ...whileBelow(r, B, 1, [
      ...i32Const(0), ...set(ub),
      ...whileBelow(ub, H4, 16, [
        ...add(pz, ub), ...set(pu),
        ...gates(pu, [H4, H8, H12], [I, F, G, O], s),
        ...mul(get(F), load(add(pc, ub))), ...mul(get(I), get(G)), ...F32X4_ADD, ...set(C),
        ...add(ph, ub), ...set(pa),
        ...store(add(pa, BH4), get(C)),
        ...store(get(pa), [...get(O), ...tanhOf(get(C), s), ...F32X4_MUL]),
      ]),
      ...get(pz), ...get(H16), ...I32_ADD, ...set(pz),
      ...get(pc), ...get(H4), ...I32_ADD, ...set(pc),
      ...get(ph), ...get(H4), ...I32_ADD, ...set(ph),
    ]),
    0x0b,
  ];
  return funcBody([[12, I32], [8, V128]], code);
}

/** backward(z, c0, dhc, dz, dc0, B, H) */
function backwardBody(): number[] {
  const [z, c0, dhc, dz, dc0, B, H] = [0, 1, 2, 3, 4, 5, 6];
  const [r, ub, H4, H8, H12, H16, BH4, pz, pc, pdh, pdz, pdc, pu, pd, pa] = [7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21];
  const [I, F, G, O, CP, TC, DH, DC, X, FX, Z] = [22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32];
  const s = { x: X, fx: FX, z: Z };
  const code = [
    ...strides(B, H, [H4, H8, H12, H16, BH4]),
    ...get(z), ...set(pz), ...get(c0), ...set(pc), ...get(dhc), ...set(pdh), ...get(dz), ...set(pdz), ...get(dc0), ...set(pdc),
    ...whileBelow(r, B, 1, [
      ...i32Const(0), ...set(ub),
      ...whileBelow(ub, H4, 16, [
        ...add(pz, ub), ...set(pu),
        ...gates(pu, [H4, H8, H12], [I, F, G, O], s),
        ...load(add(pc, ub)), ...set(CP),
        ...tanhOf([...mul(get(F), get(CP)), ...mul(get(I), get(G)), ...F32X4_ADD], s), ...set(TC), // tanh(c)
        ...add(pdh, ub), ...set(pa),
        ...load(get(pa)), ...set(DH),
        // dc = dc_in + dh·o·(1 − tanh²c)
        ...load(add(pa, BH4)), ...mul(get(DH), get(O), oneMinus(mul(get(TC), get(TC)))), ...F32X4_ADD, ...set(DC),
        ...add(pdz, ub), ...set(pd),
        ...store(get(pd), mul(get(DC), get(G), get(I), oneMinus(get(I)))), // d i
        ...store(add(pd, H4), mul(get(DC), get(CP), get(F), oneMinus(get(F)))), // d f
        ...store(add(pd, H8), mul(get(DC), get(I), oneMinus(mul(get(G), get(G))))), // d g
        ...store(add(pd, H12), mul(get(DH), get(TC), get(O), oneMinus(get(O)))), // d o
        ...store(add(pdc, ub), mul(get(DC), get(F))), // d c₀
      ]),
      ...get(pz), ...get(H16), ...I32_ADD, ...set(pz),
      ...get(pdz), ...get(H16), ...I32_ADD, ...set(pdz),
      ...get(pc), ...get(H4), ...I32_ADD, ...set(pc),
      ...get(pdh), ...get(H4), ...I32_ADD, ...set(pdh),
      ...get(pdc), ...get(H4), ...I32_ADD, ...set(pdc),
    ]),
    0x0b,
  ];
  return funcBody([[15, I32], [11, V128]], code);
}

interface Exports {
  forward(z: number, c0: number, out: number, B: number, H: number): void;
  backward(z: number, c0: number, dhc: number, dz: number, dc0: number, B: number, H: number): void;
}

const kernels = heapKernels<Exports>(() =>
  moduleBytes(
    [
      { name: 'forward', params: [I32, I32, I32, I32, I32], results: [], body: forwardBody() },
      { name: 'backward', params: [I32, I32, I32, I32, I32, I32, I32], results: [], body: backwardBody() },
    ],
    MAX_PAGES,
    'growable',
  ),
);

/** Whether the fused cell runs here for hidden size H. */
export function lstmCellAvailable(backend: WasmBackend, H: number): boolean {
  return H % 4 === 0 && backend?.wasm !== undefined && kernels(backend) !== null;
}

/** z (B, 4H), c0 (B, H) -> [h; c] as a (2, B, H) tensor info. */
export function lstmCellForward(backend: WasmBackend, z: tf.TensorInfo, c0: tf.TensorInfo): tf.TensorInfo {
  const [B, H] = c0.shape as [number, number];
  const out = backend.makeOutput([2, B, H], 'float32') as tf.TensorInfo;
  lstmCellForwardAt(backend, heapOffset(backend, z), heapOffset(backend, c0), heapOffset(backend, out), B, H);
  return out;
}

/** The forward pass on raw heap byte offsets (for a caller that runs a whole sequence on the heap). */
export function lstmCellForwardAt(backend: WasmBackend, zOffset: number, c0Offset: number, outOffset: number, B: number, H: number): void {
  kernels(backend)!.forward(zOffset, c0Offset, outOffset, B, H);
}

/** The backward pass on raw heap byte offsets. */
export function lstmCellBackwardAt(backend: WasmBackend, zOffset: number, c0Offset: number, dhcOffset: number, dzOffset: number, dc0Offset: number, B: number, H: number): void {
  kernels(backend)!.backward(zOffset, c0Offset, dhcOffset, dzOffset, dc0Offset, B, H);
}

/** The gradients of the forward pass: dz (B, 4H) and dc0 (B, H) from d[h; c] (2, B, H). */
export function lstmCellBackward(backend: WasmBackend, z: tf.TensorInfo, c0: tf.TensorInfo, dhc: tf.TensorInfo): { dz: tf.TensorInfo; dc0: tf.TensorInfo } {
  const [B, H] = c0.shape as [number, number];
  const dz = backend.makeOutput([B, 4 * H], 'float32') as tf.TensorInfo;
  const dc0 = backend.makeOutput([B, H], 'float32') as tf.TensorInfo;
  lstmCellBackwardAt(backend, heapOffset(backend, z), heapOffset(backend, c0), heapOffset(backend, dhc), heapOffset(backend, dz), heapOffset(backend, dc0), B, H);
  return { dz, dc0 };
}
