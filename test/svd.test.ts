// Randomized SVD against an exact dense SVD (one-sided Jacobi, written here
// independently), and the svd stage end to end on a small PPMI matrix.
import t from 'tap';
import { inlineKernels, randomizedSvd } from '../stages/svd/rsvd.js';
import { symmetricEigen, transposeCsr, type Csr } from '../stages/svd/linalg.js';

function rng(seed: number): () => number {
  let x = seed;
  return () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
}

/** Singular values of a dense m x n matrix by one-sided Jacobi (Hestenes), descending. */
function denseSingularValues(D: Float64Array, m: number, n: number): number[] {
  const a = Float64Array.from(D);
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < m; i++) {
          alpha += a[i * n + p]! ** 2;
          beta += a[i * n + q]! ** 2;
          gamma += a[i * n + p]! * a[i * n + q]!;
        }
        if (Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta) || gamma === 0) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const tt = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + tt * tt);
        const s = c * tt;
        for (let i = 0; i < m; i++) {
          const ap = a[i * n + p]!;
          const aq = a[i * n + q]!;
          a[i * n + p] = c * ap - s * aq;
          a[i * n + q] = s * ap + c * aq;
        }
      }
    if (!rotated) break;
  }
  const sv: number[] = [];
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += a[i * n + j]! ** 2;
    sv.push(Math.sqrt(s));
  }
  return sv.sort((x, y) => y - x);
}

function sparseFromDense(D: Float64Array, m: number, n: number): Csr {
  const rowPtr = new Float64Array(m + 1);
  const cols: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++)
      if (D[i * n + j] !== 0) {
        cols.push(j);
        vals.push(D[i * n + j]!);
      }
    rowPtr[i + 1] = cols.length;
  }
  return { rows: m, cols: n, rowPtr, colIdx: Int32Array.from(cols), vals: Float32Array.from(vals) };
}

/** A sparse random matrix with float32 entries (as pmi.arrow stores them). */
function sparseRandom(m: number, n: number, density: number, seed: number): Float64Array {
  const r = rng(seed);
  return new Float64Array(m * n).map(() => (r() < density ? Math.fround(r() * 4) : 0));
}

t.test('Jacobi eigen of a known symmetric matrix', async (t) => {
  // [[2,1],[1,2]] has eigenvalues 3 and 1
  const { values, vectors } = symmetricEigen(Float64Array.of(2, 1, 1, 2), 2);
  t.ok(Math.abs(values[0]! - 3) < 1e-12 && Math.abs(values[1]! - 1) < 1e-12);
  t.ok(Math.abs(Math.abs(vectors[0]!) - Math.SQRT1_2) < 1e-12);
});

t.test('randomized SVD = exact SVD when l covers the rank (full range)', async (t) => {
  const m = 50;
  const n = 40;
  const D = sparseRandom(m, n, 0.3, 3);
  const A = sparseFromDense(D, m, n);
  const exact = denseSingularValues(D, m, n);
  const { S, U } = await randomizedSvd(A, transposeCsr(A), await inlineKernels(), { rank: 12, oversample: 28, powerIterations: 1, seed: 1 });
  for (let j = 0; j < 12; j++) t.ok(Math.abs(S[j]! - exact[j]!) <= 1e-4 * exact[j]!, `sigma ${j}: ${S[j]} vs ${exact[j]}`);
  // U has orthonormal columns
  let worst = 0;
  for (let a = 0; a < 12; a++)
    for (let b = 0; b < 12; b++) {
      let s = 0;
      for (let i = 0; i < m; i++) s += U[i * 12 + a]! * U[i * 12 + b]!;
      worst = Math.max(worst, Math.abs(s - (a === b ? 1 : 0)));
    }
  t.ok(worst < 1e-8, `U^T U = I within ${worst}`);
});

t.test('randomized SVD with power iterations on a decaying spectrum (l << n)', async (t) => {
  // A = sum_k 2^-k u_k v_k^T with sparse-ish random factors, plus nothing else: rank 8.
  const m = 120;
  const n = 90;
  const r = rng(9);
  const D = new Float64Array(m * n);
  for (let k = 0; k < 8; k++) {
    const u = Array.from({ length: m }, () => (r() < 0.5 ? r() - 0.5 : 0));
    const v = Array.from({ length: n }, () => (r() < 0.5 ? r() - 0.5 : 0));
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) D[i * n + j]! += 2 ** -k * u[i]! * v[j]!;
  }
  for (let i = 0; i < D.length; i++) D[i] = Math.fround(D[i]!);
  const A = sparseFromDense(D, m, n);
  const exact = denseSingularValues(D, m, n);
  const { S } = await randomizedSvd(A, transposeCsr(A), await inlineKernels(), { rank: 5, oversample: 5, powerIterations: 2, seed: 7 });
  for (let j = 0; j < 5; j++) t.ok(Math.abs(S[j]! - exact[j]!) <= 1e-4 * exact[j]!, `sigma ${j}: ${S[j]} vs ${exact[j]}`);
});
