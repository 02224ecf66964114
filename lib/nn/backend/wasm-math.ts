// Elementwise functions of four float32 lanes for lexflow's SIMD kernels, as
// instruction sequences (lib/wasm/asm.ts) that read a v128 local and leave the
// result on the stack. exp is Cephes' expf (Moshier 1989, "Methods and Programs
// for Mathematical Functions"): x = n·ln 2 + r with ln 2 split in two for an
// exact reduction, a degree-6 polynomial for e^r, 2^n put into the exponent
// bits; about 1 ulp. sigmoid and tanh are built on it.

import {
  F32X4_ADD, F32X4_DIV, F32X4_MUL, F32X4_NEG, F32X4_PMAX, F32X4_PMIN, F32X4_SUB, I32X4_ADD, I32X4_SHL,
  i32Const, localGet as get, localSet as set, v128F32, v128I32,
} from '../../wasm/asm.js';

/** Scratch v128 locals the functions below clobber. */
export interface MathScratch {
  x: number;
  fx: number;
  z: number;
}

/** 1.5·2^23: added to a float of magnitude below 2^22, it leaves the nearest integer (ties to even) in the low mantissa bits. */
const ROUNDER = 12582912;

/**
 * e^x of the v128 in local `s.x` (clobbered, as are s.fx and s.z), left on the stack. Inputs below −87.34 give ≈ 1e−38, not 0.
 * The clamps are pmin/pmax (one instruction each on x64; the NaN-propagating min/max
 * lower to several), and n = round(x / ln 2) and 2^n come from one float addition of
 * ROUNDER, whose bits are n + 0x4B400000 (the low 9 bits of 0x4B400000 are 0, so
 * (bits + 127) << 23 is 2^n's exponent), instead of a nearest and a saturating
 * truncation (several instructions too): the same bits as before, 0.6 of the time.
 */
export function expOf(s: MathScratch): number[] {
  const { x, fx, z } = s;
  const poly = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];
  return [
    ...get(x), ...v128F32(-87.33654), ...F32X4_PMAX, ...v128F32(88.37626), ...F32X4_PMIN, ...set(x),
    ...get(x), ...v128F32(Math.LOG2E), ...F32X4_MUL, ...v128F32(ROUNDER), ...F32X4_ADD, ...set(fx), // n + ROUNDER
    ...get(fx), ...v128F32(ROUNDER), ...F32X4_SUB, ...set(z), // n
    ...get(x), ...get(z), ...v128F32(0.693359375), ...F32X4_MUL, ...F32X4_SUB,
    ...get(z), ...v128F32(-2.12194440e-4), ...F32X4_MUL, ...F32X4_SUB, ...set(x), // r = x − n·ln 2 (two parts)
    ...get(x), ...get(x), ...F32X4_MUL, ...set(z), // r²
    ...v128F32(poly[0]!),
    ...poly.slice(1).flatMap((c) => [...get(x), ...F32X4_MUL, ...v128F32(c), ...F32X4_ADD]),
    ...get(z), ...F32X4_MUL, ...get(x), ...F32X4_ADD, ...v128F32(1), ...F32X4_ADD, // e^r = 1 + r + r²·P(r)
    ...get(fx), ...v128I32(127), ...I32X4_ADD, ...i32Const(23), ...I32X4_SHL, // 2^n as float bits
    ...F32X4_MUL,
  ];
}

/** σ(v) = 1 / (1 + e^−v) of the v128 that `src` pushes. */
export function sigmoidOf(src: number[], s: MathScratch): number[] {
  return [...src, ...F32X4_NEG, ...set(s.x), ...v128F32(1), ...expOf(s), ...v128F32(1), ...F32X4_ADD, ...F32X4_DIV];
}

/** tanh(v) = 2σ(2v) − 1 of the v128 that `src` pushes (absolute error ~1e−7 near 0). */
export function tanhOf(src: number[], s: MathScratch): number[] {
  return [...src, ...v128F32(-2), ...F32X4_MUL, ...set(s.x), ...v128F32(2), ...v128F32(1), ...expOf(s), ...v128F32(1), ...F32X4_ADD, ...F32X4_DIV, ...F32X4_MUL, ...v128F32(1), ...F32X4_SUB];
}
