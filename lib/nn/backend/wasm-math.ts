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

/**
 * tanh of the v128 that `src` pushes as the 13/6-degree rational function of Eigen's
 * `generic_fast_tanh_float` (P. Gonnet, 2014; Microsoft's MLAS uses the same
 * coefficients): x·P(x²)/Q(x²) on [−9, 9], where float32 tanh is ±1 outside; at most
 * 3.3e-7 from Math.tanh on [−10, 10] (5.5 ulp of 1), relative error small near 0 too
 * (test/nn-wasm-exp.test.ts), and one division with no exp: GELU's kernels over
 * [2048, 512] took 1.32 ms forward and 1.64 backward on it, 1.86 and 2.27 on 2σ(2x) − 1.
 * Clobbers s.x and s.z.
 */
export function tanhRationalOf(src: number[], s: MathScratch): number[] {
  const p = [-2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11, 5.12229709037114e-8, 1.48572235717979e-5, 6.37261928875436e-4, 4.89352455891786e-3];
  const q = [1.19825839466702e-6, 1.18534705686654e-4, 2.268434632439e-3, 4.89352518554385e-3];
  const horner = (c: number[]): number[] => [...v128F32(c[0]!), ...c.slice(1).flatMap((k) => [...get(s.z), ...F32X4_MUL, ...v128F32(k), ...F32X4_ADD])];
  return [
    ...src, ...v128F32(-9), ...F32X4_PMAX, ...v128F32(9), ...F32X4_PMIN, ...set(s.x),
    ...get(s.x), ...get(s.x), ...F32X4_MUL, ...set(s.z), // x²
    ...horner(p), ...get(s.x), ...F32X4_MUL,
    ...horner(q),
    ...F32X4_DIV,
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
