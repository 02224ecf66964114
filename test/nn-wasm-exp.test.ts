// The SIMD exp of lexflow's kernels (lib/nn/backend/wasm-math.ts expOf) over a sweep
// of inputs: against Math.exp (about 1 ulp), at the clamps and on NaN, and bit for
// bit against Cephes' formulation with NaN-propagating clamps, a nearest and a
// saturating truncation (the sequence it replaced, written out here); and the
// rational tanh of GELU's kernels against Math.tanh.

import t from 'tap';
import { expOf, tanhRationalOf } from '../lib/nn/backend/wasm-math.js';
import {
  F32X4_ADD, F32X4_MAX, F32X4_MIN, F32X4_MUL, F32X4_NEAREST, F32X4_SUB, I32, I32X4_ADD, I32X4_SHL, I32X4_TRUNC_SAT_F32X4_S,
  compileModule, funcBody, i32Const, instantiate, localGet as get, localSet as set, moduleBytes, sharedMemory, V128, V128_LOAD, V128_STORE, v128F32, v128I32, whileBelow, I32_ADD,
  type WasmMemory,
} from '../lib/wasm/asm.js';

/** Cephes' expf as first written for these kernels. */
function referenceExp(x: number, fx: number, z: number): number[] {
  const poly = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];
  return [
    ...get(x), ...v128F32(-87.33654), ...F32X4_MAX, ...v128F32(88.37626), ...F32X4_MIN, ...set(x),
    ...get(x), ...v128F32(Math.LOG2E), ...F32X4_MUL, ...F32X4_NEAREST, ...set(fx),
    ...get(x), ...get(fx), ...v128F32(0.693359375), ...F32X4_MUL, ...F32X4_SUB,
    ...get(fx), ...v128F32(-2.12194440e-4), ...F32X4_MUL, ...F32X4_SUB, ...set(x),
    ...get(x), ...get(x), ...F32X4_MUL, ...set(z),
    ...v128F32(poly[0]!),
    ...poly.slice(1).flatMap((c) => [...get(x), ...F32X4_MUL, ...v128F32(c), ...F32X4_ADD]),
    ...get(z), ...F32X4_MUL, ...get(x), ...F32X4_ADD, ...v128F32(1), ...F32X4_ADD,
    ...get(fx), ...I32X4_TRUNC_SAT_F32X4_S, ...v128I32(127), ...I32X4_ADD, ...i32Const(23), ...I32X4_SHL,
    ...F32X4_MUL,
  ];
}

/** apply(ptr, bytes): e^x in place over floats at ptr (bytes a multiple of 16). */
function applyBody(exp: (x: number, fx: number, z: number) => number[]): number[] {
  const [ptr, bytes] = [0, 1];
  const [j, at] = [2, 3];
  const [x, fx, z] = [4, 5, 6];
  return funcBody([[2, I32], [3, V128]], [
    ...whileBelow(j, bytes, 16, [
      ...get(ptr), ...get(j), ...I32_ADD, ...set(at),
      ...get(at), ...V128_LOAD, ...set(x),
      ...get(at), ...exp(x, fx, z), ...V128_STORE,
    ]),
    0x0b,
  ]);
}

type Exp = { apply: (p: number, b: number) => void; reference: (p: number, b: number) => void; tanh: (p: number, b: number) => void };

function kernels(bytes: number): { memory: WasmMemory } & Exp {
  const mod = compileModule(
    moduleBytes([
      { name: 'apply', params: [I32, I32], results: [], body: applyBody((x, fx, z) => expOf({ x, fx, z })) },
      { name: 'reference', params: [I32, I32], results: [], body: applyBody(referenceExp) },
      // tanhRationalOf reads the vector that its first argument pushes.
      { name: 'tanh', params: [I32, I32], results: [], body: applyBody((x, fx, z) => tanhRationalOf(get(x), { x: fx, fx, z })) },
    ]),
  );
  if (!mod) throw new Error('no WebAssembly SIMD here');
  const memory = sharedMemory(bytes);
  return { memory, ...instantiate<Exp>(mod, memory) };
}

t.test('expOf: about 1 ulp from Math.exp over [-87, 88], clamped below and above, NaN stays NaN, and the same bits as the reference', async (t) => {
  const n = 1 << 18;
  const { memory, apply, reference } = kernels(8 * n);
  const xs = new Float32Array(n);
  for (let i = 0; i < n - 8; i++) xs[i] = -87 + (175 * i) / (n - 8); // the sweep
  xs.set([-1e30, -100, -87.5, 0, -0, 100, 1e30, NaN], n - 8);
  const heap = new Float32Array(memory.buffer, 0, 2 * n);
  heap.set(xs, 0);
  heap.set(xs, n);
  apply(0, 4 * n);
  reference(4 * n, 4 * n);
  const got = heap.slice(0, n);
  const ref = heap.slice(n, 2 * n);
  let worst = 0;
  for (let i = 0; i < n - 8; i++) {
    const want = Math.exp(xs[i]!);
    worst = Math.max(worst, Math.abs(got[i]! - want) / want);
  }
  t.ok(worst < 3e-7, `largest relative error ${worst.toExponential(2)} (float32's ulp is 6e-8 to 1.2e-7)`);
  const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);
  let differ = 0;
  for (let i = 0; i < n; i++) if (bits(got)[i] !== bits(ref)[i] && !(Number.isNaN(got[i]) && Number.isNaN(ref[i]))) differ++;
  t.equal(differ, 0, 'bit for bit the reference sequence, clamps included (a NaN may carry another payload)');
  const tail = got.slice(n - 8);
  t.ok(tail[0]! > 0 && tail[0]! < 1.2e-38 && tail[1] === tail[0], `below the clamp: ${tail[0]} (about 1e-38, not 0)`);
  t.equal(tail[3], 1, 'e^0 = 1');
  t.equal(tail[4], 1, 'e^-0 = 1');
  t.ok(tail[5]! > 2e38 && tail[6] === tail[5], `above the clamp: ${tail[5]}`);
  t.ok(Number.isNaN(tail[7]), 'NaN stays NaN');
});

t.test('tanhRationalOf: within 4e-7 of Math.tanh over [-10, 10] (about 6 ulp of 1), relative error small near 0, ±1 far out, NaN stays NaN', async (t) => {
  const n = 1 << 18;
  const { memory, tanh } = kernels(4 * n);
  const heap = new Float32Array(memory.buffer, 0, n);
  const xs = new Float32Array(n);
  for (let i = 0; i < n - 6; i++) xs[i] = -10 + (20 * i) / (n - 6);
  xs.set([1e-30, -1e-8, 30, -1e30, 0, NaN], n - 6);
  heap.set(xs);
  tanh(0, 4 * n);
  let worstAbs = 0;
  let worstRel = 0;
  for (let i = 0; i < n - 6; i++) {
    const want = Math.tanh(xs[i]!);
    worstAbs = Math.max(worstAbs, Math.abs(heap[i]! - want));
    if (Math.abs(want) > 1e-3) worstRel = Math.max(worstRel, Math.abs(heap[i]! - want) / Math.abs(want));
  }
  t.ok(worstAbs < 4e-7, `largest absolute error ${worstAbs.toExponential(2)}`);
  t.ok(worstRel < 5e-7, `largest relative error where |tanh| > 1e-3: ${worstRel.toExponential(2)}`);
  const tail = heap.slice(n - 6);
  t.ok(Math.abs(tail[0]! - 1e-30) < 1e-36 && Math.abs(tail[1]! + 1e-8) < 1e-14, `tiny inputs keep their value: ${tail[0]}, ${tail[1]}`);
  t.same([tail[2], tail[3], tail[4]], [1, -1, 0], '±1 far out, 0 at 0');
  t.ok(Number.isNaN(tail[5]), 'NaN stays NaN');
});
