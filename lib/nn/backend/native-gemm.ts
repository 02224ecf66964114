// matMuls on the machine's BLAS (OpenBLAS where Debian's libopenblas is the
// system libblas) through `nblas`, an optional native addon of CBLAS bindings.
// XNNPACK in wasm SIMD runs the LMs' output-layer products at 8–20 GFLOP/s on one
// thread; cblas_sgemm ran the same shapes at 96–130 GFLOP/s on 2 cores here
// (docs/BENCHMARKS.md, "Throughput against PyTorch with matMuls on OpenBLAS").
// nblas takes Float32Arrays and reads their byteOffset, so the operands are
// views of the wasm heap: no copies.
// On by default where the addon loads; LEXFLOW_BLAS=off keeps the wasm kernels
// (the two paths round differently, so a model's bytes depend on which ran, and the
// backend's reason names it). Without the addon (it builds only where a libblas is
// installed) the wasm kernels run as before.

import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';

/** cblas_sgemm, row-major: C = alpha·op(A)·op(B) + beta·C. */
export type Sgemm = (
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array,
  lda: number,
  b: Float32Array,
  ldb: number,
  beta: number,
  c: Float32Array,
  ldc: number,
) => void;

type NblasModule = {
  sgemm: (ta: number, tb: number, m: number, n: number, k: number, alpha: number, a: Float32Array, lda: number, b: Float32Array, ldb: number, beta: number, c: Float32Array, ldc: number) => void;
};

// CBLAS_TRANSPOSE values.
const NO_TRANS = 111;
const TRANS = 112;

let loaded: { sgemm: Sgemm | null; why: string } | undefined;

/**
 * OpenBLAS's threads spin for 2^28 cycles (about 0.1 s) after each call before they
 * sleep; on two cores that spinner held the core that the row helper thread
 * (row-helper.ts) runs the softmax's second half on, which then waited for the
 * main thread's core: 8.3 ms for the row statistics of a [700, 10002] batch instead
 * of 4.3. 2^16 cycles (tens of µs) keeps them awake across the gaps between an
 * LSTM's per-step products. Read once, when the library loads; a user's own value wins.
 */
export const OPENBLAS_THREAD_TIMEOUT = '16';

function load(): { sgemm: Sgemm | null; why: string } {
  if (process.env.LEXFLOW_BLAS === 'off') return { sgemm: null, why: 'LEXFLOW_BLAS=off' };
  process.env.OPENBLAS_THREAD_TIMEOUT ??= OPENBLAS_THREAD_TIMEOUT;
  try {
    const nb = createRequire(import.meta.url)('nblas') as NblasModule;
    const raw = nb.sgemm;
    // A 1×2 by 2×1 smoke product: a library that loads but computes wrongly is not used.
    const c = new Float32Array(1);
    raw(NO_TRANS, NO_TRANS, 1, 1, 2, 1, new Float32Array([1, 2]), 2, new Float32Array([3, 4]), 1, 0, c, 1);
    if (c[0] !== 11) return { sgemm: null, why: `nblas failed a smoke test (1*3+2*4 gave ${c[0]})` };
    const sgemm: Sgemm = (ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, cc, ldc) =>
      raw(ta ? TRANS : NO_TRANS, tb ? TRANS : NO_TRANS, m, n, k, alpha, a, lda, b, ldb, beta, cc, ldc);
    return { sgemm, why: 'matMuls on the system BLAS through nblas' };
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0]!;
    return { sgemm: null, why: /Cannot find module 'nblas'/.test(msg) ? 'nblas is not installed (it builds where a libblas is)' : `nblas failed to load (${msg})` };
  }
}

/** The native sgemm, or null (then `nativeGemmNote()` says why). Loaded once per thread. */
export function nativeSgemm(): Sgemm | null {
  return (loaded ??= load()).sgemm;
}

/** OpenBLAS's pool size: it reads OPENBLAS_NUM_THREADS when it loads, else takes every core. */
export function blasThreads(): number {
  const n = Number(process.env.OPENBLAS_NUM_THREADS);
  return Number.isInteger(n) && n > 0 ? n : availableParallelism();
}

/** One phrase for the backend's reason: whether matMuls run natively, and why not. */
export function nativeGemmNote(): string {
  return (loaded ??= load()).why;
}
