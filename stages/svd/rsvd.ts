// Truncated SVD of a sparse matrix by randomized subspace iteration (Halko,
// Martinsson & Tropp 2011, "Finding structure with randomness", Algorithm 4.4
// for the range Q, then Algorithm 5.1 for the SVD of B = Q^T A):
//   Y = A Omega;  Q = orth(Y);  q times: Q = orth(A orth(A^T Q))
//   B^T = A^T Q (n x l);  B B^T = (B^T)^T B^T = U~ S^2 U~^T;  U = Q U~
// The heavy products (sparse x dense, Gram matrices, dense x small) go through
// `Kernels`, which the stage runs on the pool over row ranges of shared
// buffers and the tests run inline.

import { gaussian, orthonormalizerOf, symmetricEigen, symmetrize, type Csr } from '../../lib/linalg/dense.js';

/** Row-range kernels over float64 row-major matrices (may run in parallel). */
export interface Kernels {
  /** Fresh (shareable) float64 array. */
  alloc(n: number): Float64Array;
  /** Y = A X, A (m x n) sparse, X (n x l). */
  spmm(A: Csr, X: Float64Array, Y: Float64Array, l: number): Promise<void>;
  /** Y^T Y, full symmetric l x l. */
  gram(Y: Float64Array, rows: number, l: number): Promise<Float64Array>;
  /** Out = Y M, Y (rows x l), M (l x k); `upper`: M is upper triangular. */
  multiply(Y: Float64Array, rows: number, l: number, M: Float64Array, k: number, Out: Float64Array, upper?: boolean): Promise<void>;
}

export interface RsvdOptions {
  rank: number;
  oversample: number;
  powerIterations: number;
  seed: number;
  onStep?: (name: string) => void;
}

export interface RsvdResult {
  /** Left singular vectors, (m x rank) row-major. */
  U: Float64Array;
  /** Singular values, descending. */
  S: Float64Array;
}

async function orthonormalize(K: Kernels, Y: Float64Array, rows: number, l: number, Out: Float64Array): Promise<void> {
  const G = await K.gram(Y, rows, l);
  const { M, upper } = orthonormalizerOf(G, l);
  await K.multiply(Y, rows, l, M, l, Out, upper);
}

export async function randomizedSvd(A: Csr, At: Csr, K: Kernels, o: RsvdOptions): Promise<RsvdResult> {
  const m = A.rows;
  const n = A.cols;
  const l = Math.min(o.rank + o.oversample, Math.min(m, n));
  const omega = K.alloc(n * l);
  omega.set(gaussian(n * l, o.seed));
  const Y = K.alloc(m * l);
  const Q = K.alloc(m * l);
  const Z = K.alloc(n * l);
  const Zq = K.alloc(n * l);
  o.onStep?.('range');
  await K.spmm(A, omega, Y, l);
  await orthonormalize(K, Y, m, l, Q);
  for (let it = 0; it < o.powerIterations; it++) {
    o.onStep?.(`power iteration ${it + 1}`);
    await K.spmm(At, Q, Z, l);
    await orthonormalize(K, Z, n, l, Zq);
    await K.spmm(A, Zq, Y, l);
    await orthonormalize(K, Y, m, l, Q);
  }
  // A second orthonormalization pass makes Q orthonormal to rounding (CholeskyQR2).
  await orthonormalize(K, Q, m, l, Y);
  const Qf = Y;
  o.onStep?.('small SVD');
  await K.spmm(At, Qf, Z, l); // B^T = A^T Q, (n x l)
  const BBt = await K.gram(Z, n, l);
  const { values, vectors } = symmetricEigen(BBt, l);
  const k = Math.min(o.rank, l);
  const S = new Float64Array(k);
  const Ut = new Float64Array(l * k); // first k eigenvectors, (l x k)
  for (let j = 0; j < k; j++) {
    S[j] = Math.sqrt(Math.max(values[j]!, 0));
    for (let i = 0; i < l; i++) Ut[i * k + j] = vectors[i * l + j]!;
  }
  const U = K.alloc(m * k);
  await K.multiply(Qf, m, l, Ut, k, U);
  return { U, S };
}

/** Single-threaded kernels (tests, small matrices). */
export async function inlineKernels(): Promise<Kernels> {
  const { spmmRows, gramRows, multiplyRows } = await import('../../lib/linalg/dense.js');
  return {
    alloc: (n) => new Float64Array(n),
    async spmm(A, X, Y, l) {
      spmmRows(A, X, Y, l, 0, A.rows);
    },
    async gram(Y, rows, l) {
      const G = gramRows(Y, l, 0, rows);
      symmetrize(G, l);
      return G;
    },
    async multiply(Y, rows, l, M, k, Out, upper) {
      multiplyRows(Y, l, M, k, Out, 0, rows, upper);
    },
  };
}
