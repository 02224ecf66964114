// The randomized SVD's kernels on the worker pool: matrices live in
// SharedArrayBuffers and each task computes a range of rows in place
// (sparse products balanced by nonzeros); Gram matrices come back per range
// and are summed here.

import type { Pool } from '../../pipeline/pool.js';
import type { SvdKernelTask } from './kernel.task.js';
import { symmetrize, type Csr } from '../../lib/linalg/dense.js';
import type { Kernels } from './rsvd.js';
import { isDisk, loadBlock, rowBlocks } from './disk-csr.js';
import { TASKS } from './tasks.js';

export function sharedFloat64(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(8 * n));
}

/** Row ranges with about equal work, `work(r)` per row. */
function ranges(rows: number, parts: number, rowPtr?: Float64Array): [number, number][] {
  const out: [number, number][] = [];
  if (!rowPtr) {
    for (let p = 0; p < parts; p++) out.push([Math.floor((rows * p) / parts), Math.floor((rows * (p + 1)) / parts)]);
    return out;
  }
  const total = rowPtr[rows]! + rows;
  let lo = 0;
  for (let p = 1; p <= parts; p++) {
    let hi = lo;
    const target = (total * p) / parts;
    while (hi < rows && rowPtr[hi + 1]! + hi + 1 <= target) hi++;
    if (p === parts) hi = rows;
    out.push([lo, hi]);
    lo = hi;
  }
  return out;
}

const SHARED = {
  f64: sharedFloat64,
  i32: (n: number) => new Int32Array(new SharedArrayBuffer(4 * n)),
  f32: (n: number) => new Float32Array(new SharedArrayBuffer(4 * n)),
};

export function poolKernels(pool: Pool): Kernels {
  const parts = Math.max(1, pool.threads * 2);
  const run = (t: SvdKernelTask): Promise<{ G: Float64Array } | null> => pool.run(TASKS.kernel, t);
  return {
    alloc: sharedFloat64,
    async spmm(A, X, Y, l) {
      if (!isDisk(A)) {
        await Promise.all(ranges(A.rows, parts, A.rowPtr).map(([lo, hi]) => run({ op: 'spmm', A, X, Y, l, lo, hi })));
        return;
      }
      // One block of rows at a time in shared memory; Y's rows of the block are a view of Y.
      for (const [lo, hi] of rowBlocks(A)) {
        const B: Csr = loadBlock(A, lo, hi, SHARED);
        const Yb = Y.subarray(lo * l, hi * l);
        await Promise.all(ranges(B.rows, parts, B.rowPtr).map(([a, b]) => run({ op: 'spmm', A: B, X, Y: Yb, l, lo: a, hi: b })));
      }
    },
    async gram(Y, rows, l) {
      const partsG = await Promise.all(ranges(rows, pool.threads).map(([lo, hi]) => run({ op: 'gram', Y, l, lo, hi })));
      const G = new Float64Array(l * l);
      for (const p of partsG) for (let i = 0; i < G.length; i++) G[i]! += p!.G[i]!;
      symmetrize(G, l);
      return G;
    },
    async multiply(Y, rows, l, M, k, Out, upper = false) {
      const Ms = sharedFloat64(M.length);
      Ms.set(M);
      await Promise.all(ranges(rows, parts).map(([lo, hi]) => run({ op: 'multiply', Y, l, M: Ms, k, Out, lo, hi, upper })));
    },
  };
}
