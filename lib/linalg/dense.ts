// Dense and sparse kernels for randomized SVD, on float64 row-major arrays.
// Everything that costs O(rows x l^2) or O(nnz x l) takes a row range, so the
// stage can split it across the pool; the l x l work (l = dim + oversampling)
// runs on the main thread.
import { mulberry32Uint } from '../random/mulberry32.js';

/** Compressed sparse rows: row r's entries are cols/vals[rowPtr[r] .. rowPtr[r+1]). */
export interface Csr {
  rows: number;
  cols: number;
  rowPtr: Float64Array;
  colIdx: Int32Array;
  vals: Float32Array;
}

/** Y[r, :] = sum_k A[r, k] X[k, :] for rows [lo, hi); X is (A.cols x l), Y is (A.rows x l). */
export function spmmRows(A: Csr, X: Float64Array, Y: Float64Array, l: number, lo: number, hi: number): void {
  for (let r = lo; r < hi; r++) {
    const yo = r * l;
    for (let j = 0; j < l; j++) Y[yo + j] = 0;
    const end = A.rowPtr[r + 1]!;
    for (let p = A.rowPtr[r]!; p < end; p++) {
      const a = A.vals[p]!;
      const xo = A.colIdx[p]! * l;
      for (let j = 0; j < l; j++) Y[yo + j]! += a * X[xo + j]!;
    }
  }
}

/** The transpose, by a counting sort over columns (rows of the result stay in column order). */
export function transposeCsr(A: Csr): Csr {
  const nnz = A.colIdx.length;
  const rowPtr = new Float64Array(A.cols + 1);
  for (let p = 0; p < nnz; p++) rowPtr[A.colIdx[p]! + 1]!++;
  for (let c = 0; c < A.cols; c++) rowPtr[c + 1]! += rowPtr[c]!;
  const next = rowPtr.slice(0, A.cols);
  const colIdx = new Int32Array(nnz);
  const vals = new Float32Array(nnz);
  for (let r = 0; r < A.rows; r++)
    for (let p = A.rowPtr[r]!; p < A.rowPtr[r + 1]!; p++) {
      const k = next[A.colIdx[p]!]!++;
      colIdx[k] = r;
      vals[k] = A.vals[p]!;
    }
  return { rows: A.cols, cols: A.rows, rowPtr, colIdx, vals };
}

/** Upper triangle of Y[lo:hi]^T Y[lo:hi] (l x l, row-major; the lower triangle is left 0). */
export function gramRows(Y: Float64Array, l: number, lo: number, hi: number): Float64Array {
  const G = new Float64Array(l * l);
  for (let r = lo; r < hi; r++) {
    const o = r * l;
    for (let i = 0; i < l; i++) {
      const yi = Y[o + i]!;
      if (yi === 0) continue;
      const gi = i * l;
      for (let j = i; j < l; j++) G[gi + j]! += yi * Y[o + j]!;
    }
  }
  return G;
}

/** Fill the lower triangle from the upper one. */
export function symmetrize(G: Float64Array, l: number): void {
  for (let i = 0; i < l; i++) for (let j = 0; j < i; j++) G[i * l + j] = G[j * l + i]!;
}

/**
 * Out[r, :] = Y[r, :] M for rows [lo, hi); M is (l x k) row-major, Out is (rows x k).
 * `upper`: M is upper triangular (Cholesky QR), so half the products are skipped.
 */
export function multiplyRows(Y: Float64Array, l: number, M: Float64Array, k: number, Out: Float64Array, lo: number, hi: number, upper = false): void {
  const row = new Float64Array(k);
  for (let r = lo; r < hi; r++) {
    row.fill(0);
    const o = r * l;
    for (let i = 0; i < l; i++) {
      const y = Y[o + i]!;
      if (y === 0) continue;
      const mo = i * k;
      for (let j = upper ? i : 0; j < k; j++) row[j]! += y * M[mo + j]!;
    }
    Out.set(row, r * k);
  }
}

/**
 * Eigen-decomposition of a symmetric n x n matrix by cyclic Jacobi rotations
 * (Golub & Van Loan, Matrix Computations, 8.5). Returns eigenvalues in
 * descending order and the eigenvectors as the columns of `vectors` (n x n row-major).
 */
export function symmetricEigen(S: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(S);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < n; i++) {
      diag += a[i * n + i]! ** 2;
      for (let j = i + 1; j < n; j++) off += a[i * n + j]! ** 2;
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (apq === 0) continue;
        const app = a[p * n + p]!;
        const aqq = a[q * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          // columns p and q
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          // rows p and q
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[y * n + y]! - a[x * n + x]!);
  const values = Float64Array.from(order, (i) => a[i * n + i]!);
  const vectors = new Float64Array(n * n);
  for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) vectors[k * n + j] = v[k * n + order[j]!]!;
  return { values, vectors };
}

/**
 * The l x l matrix M with Q = Y M orthonormal, from the Gram matrix G = Y^T Y
 * (symmetric, full): M = W diag(lambda^-1/2), W, lambda the eigenpairs of G
 * (SVQB, Stathopoulos & Wu 2002). Directions with lambda below 1e-24 of the
 * largest (Y rank-deficient) get a zero column instead of amplified noise.
 */
export function orthonormalizer(G: Float64Array, l: number): Float64Array {
  const { values, vectors } = symmetricEigen(G, l);
  const M = new Float64Array(l * l);
  const floor = Math.max(values[0]!, 0) * 1e-24;
  for (let j = 0; j < l; j++) {
    const lam = values[j]!;
    if (!(lam > floor)) continue;
    const s = 1 / Math.sqrt(lam);
    for (let i = 0; i < l; i++) M[i * l + j] = vectors[i * l + j]! * s;
  }
  return M;
}

/** Deterministic standard normal values (mulberry32 + Box-Muller). */
export function gaussian(n: number, seed: number): Float64Array {
  const next = mulberry32Uint(seed);
  // In (0, 1): log(u) below must never see 0.
  const u = (): number => (next() + 0.5) / 4294967296;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(u()));
    const th = 2 * Math.PI * u();
    out[i] = r * Math.cos(th);
    if (i + 1 < n) out[i + 1] = r * Math.sin(th);
  }
  return out;
}

/**
 * Cholesky QR: from G = Y^T Y = R^T R, the upper-triangular M = R^-1 makes
 * Q = Y M orthonormal. Undefined when G is not numerically positive definite.
 */
export function choleskyOrthonormalizer(G: Float64Array, l: number): Float64Array | undefined {
  const R = new Float64Array(l * l);
  let maxDiag = 0;
  for (let i = 0; i < l; i++) maxDiag = Math.max(maxDiag, G[i * l + i]!);
  for (let j = 0; j < l; j++) {
    let d = G[j * l + j]!;
    for (let k = 0; k < j; k++) d -= R[k * l + j]! ** 2;
    if (!(d > 1e-13 * maxDiag)) return undefined;
    const rjj = Math.sqrt(d);
    R[j * l + j] = rjj;
    for (let i = j + 1; i < l; i++) {
      let s = G[j * l + i]!;
      for (let k = 0; k < j; k++) s -= R[k * l + j]! * R[k * l + i]!;
      R[j * l + i] = s / rjj;
    }
  }
  // M = R^-1, upper triangular: solve R M = I column by column (back substitution).
  const M = new Float64Array(l * l);
  for (let c = 0; c < l; c++)
    for (let i = c; i >= 0; i--) {
      let s = i === c ? 1 : 0;
      for (let k = i + 1; k <= c; k++) s -= R[i * l + k]! * M[k * l + c]!;
      M[i * l + c] = s / R[i * l + i]!;
    }
  return M;
}

/** Cholesky QR when Y is well conditioned (M upper triangular), SVQB (eigen-based, rank-revealing) otherwise. */
export function orthonormalizerOf(G: Float64Array, l: number): { M: Float64Array; upper: boolean } {
  const chol = choleskyOrthonormalizer(G, l);
  return chol ? { M: chol, upper: true } : { M: orthonormalizer(G, l), upper: false };
}
