// Progress of the randomized SVD in matrix products: the kernels wrapped so
// each product done is one tick, and the number of products a run makes, so
// the bar's total is exact (it was 3 + 2q ticks, given before the work).

import type { Kernels } from './rsvd.js';

/**
 * The kernel calls `randomizedSvd` makes with q power iterations: 2q + 2 sparse
 * products, 2q + 3 Gram matrices and 2q + 3 dense products (an orthonormalization
 * is one Gram and one dense product; there are 2q + 2 of them, then B B^T and U = Q U~).
 */
export function rsvdProducts(powerIterations: number): number {
  return 6 * powerIterations + 8;
}

/** The same kernels, calling `onDone` after each product. */
export function countingKernels(K: Kernels, onDone: () => void): Kernels {
  return {
    alloc: (n) => K.alloc(n),
    async spmm(A, X, Y, l) {
      await K.spmm(A, X, Y, l);
      onDone();
    },
    async gram(Y, rows, l) {
      const G = await K.gram(Y, rows, l);
      onDone();
      return G;
    },
    async multiply(Y, rows, l, M, k, Out, upper) {
      await K.multiply(Y, rows, l, M, k, Out, upper);
      onDone();
    },
  };
}
