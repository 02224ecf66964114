// Vectors and matrices of a retrieval index: dense (averaged word vectors) or
// sparse (TF-IDF, BM25 over a vocabulary). A matrix lives in one set of typed
// arrays, optionally over SharedArrayBuffers so pool workers read it in place.

export interface DenseVec {
  readonly kind: 'dense';
  readonly v: Float32Array;
}
export interface SparseVec {
  readonly kind: 'sparse';
  /** Term ids, ascending, distinct. */
  readonly idx: Int32Array;
  readonly val: Float32Array;
}
export type Vec = DenseVec | SparseVec;

export interface DenseMatrix {
  readonly kind: 'dense';
  readonly rows: number;
  readonly dim: number;
  /** rows x dim, row-major. */
  readonly data: Float32Array;
}
export interface SparseMatrix {
  readonly kind: 'sparse';
  readonly rows: number;
  readonly dim: number;
  /** CSR: row r's entries are rowPtr[r] .. rowPtr[r+1]. */
  readonly rowPtr: Int32Array;
  readonly col: Int32Array;
  readonly val: Float32Array;
}
export type Matrix = DenseMatrix | SparseMatrix;

/** A sparse vector from term -> weight (zeros dropped). */
export function sparseOf(weights: ReadonlyMap<number, number>): SparseVec {
  const idx = Int32Array.from([...weights.keys()].filter((k) => weights.get(k) !== 0)).sort();
  return { kind: 'sparse', idx, val: Float32Array.from(idx, (k) => weights.get(k)!) };
}

export function norm(v: Vec): number {
  const a = v.kind === 'dense' ? v.v : v.val;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return Math.sqrt(s);
}

/** v / |v|; the zero vector stays zero. */
export function unit(v: Vec): Vec {
  const n = norm(v);
  const inv = n > 0 ? 1 / n : 0;
  return v.kind === 'dense' ? { kind: 'dense', v: v.v.map((x) => x * inv) } : { kind: 'sparse', idx: v.idx, val: v.val.map((x) => x * inv) };
}

/** Σ w_i v_i over vectors of one kind (and, dense, one dimension). */
export function weightedSum(vs: readonly Vec[], ws: readonly number[], dim: number): Vec {
  if (vs.length > 0 && vs[0]!.kind === 'dense') {
    const out = new Float32Array(dim);
    vs.forEach((v, i) => {
      const a = (v as DenseVec).v;
      for (let j = 0; j < dim; j++) out[j]! += ws[i]! * a[j]!;
    });
    return { kind: 'dense', v: out };
  }
  const acc = new Map<number, number>();
  vs.forEach((v, i) => {
    const s = v as SparseVec;
    for (let j = 0; j < s.idx.length; j++) acc.set(s.idx[j]!, (acc.get(s.idx[j]!) ?? 0) + ws[i]! * s.val[j]!);
  });
  return sparseOf(acc);
}

export function dot(a: Vec, b: Vec): number {
  if (a.kind === 'dense' && b.kind === 'dense') {
    let s = 0;
    for (let j = 0; j < a.v.length; j++) s += a.v[j]! * b.v[j]!;
    return s;
  }
  if (a.kind === 'sparse' && b.kind === 'sparse') {
    let s = 0;
    for (let i = 0, j = 0; i < a.idx.length && j < b.idx.length; ) {
      if (a.idx[i]! === b.idx[j]!) s += a.val[i++]! * b.val[j++]!;
      else if (a.idx[i]! < b.idx[j]!) i++;
      else j++;
    }
    return s;
  }
  throw new Error('dot: a dense and a sparse vector');
}

function sharedOr<T extends Float32Array | Int32Array>(ctor: { new (b: ArrayBufferLike): T; BYTES_PER_ELEMENT: number }, n: number, shared: boolean): T {
  return new ctor(shared ? new SharedArrayBuffer(n * ctor.BYTES_PER_ELEMENT) : new ArrayBuffer(n * ctor.BYTES_PER_ELEMENT));
}

/** Stack vectors as the rows of one matrix (in SharedArrayBuffers when `shared`). */
export function matrixOf(rows: readonly Vec[], dim: number, shared = false): Matrix {
  if (rows.length === 0 || rows[0]!.kind === 'dense') {
    const data = sharedOr(Float32Array, rows.length * dim, shared);
    rows.forEach((r, i) => data.set((r as DenseVec).v, i * dim));
    return { kind: 'dense', rows: rows.length, dim, data };
  }
  let nnz = 0;
  for (const r of rows) nnz += (r as SparseVec).idx.length;
  const rowPtr = sharedOr(Int32Array, rows.length + 1, shared);
  const col = sharedOr(Int32Array, nnz, shared);
  const val = sharedOr(Float32Array, nnz, shared);
  let k = 0;
  rows.forEach((r, i) => {
    const s = r as SparseVec;
    col.set(s.idx, k);
    val.set(s.val, k);
    k += s.idx.length;
    rowPtr[i + 1] = k;
  });
  return { kind: 'sparse', rows: rows.length, dim, rowPtr, col, val };
}

/** Row r of a matrix as a vector (a view, no copy). */
export function rowOf(m: Matrix, r: number): Vec {
  if (m.kind === 'dense') return { kind: 'dense', v: m.data.subarray(r * m.dim, (r + 1) * m.dim) };
  return { kind: 'sparse', idx: m.col.subarray(m.rowPtr[r]!, m.rowPtr[r + 1]!), val: m.val.subarray(m.rowPtr[r]!, m.rowPtr[r + 1]!) };
}

/**
 * out[r] = row r · q for every row. A sparse query is scattered into `scratch`
 * (dim floats, left zero again), so a row costs its own nonzeros only.
 */
export function scoreRows(m: Matrix, q: Vec, out: Float64Array, scratch?: Float32Array): Float64Array {
  if (m.kind === 'dense') {
    if (q.kind !== 'dense') throw new Error('scoreRows: a sparse query against a dense matrix');
    const { data, dim } = m;
    const v = q.v;
    for (let r = 0, o = 0; r < m.rows; r++, o += dim) {
      let s = 0;
      for (let j = 0; j < dim; j++) s += data[o + j]! * v[j]!;
      out[r] = s;
    }
    return out;
  }
  if (q.kind !== 'sparse') throw new Error('scoreRows: a dense query against a sparse matrix');
  const dense = scratch ?? new Float32Array(m.dim);
  for (let i = 0; i < q.idx.length; i++) if (q.idx[i]! < m.dim) dense[q.idx[i]!] = q.val[i]!;
  const { rowPtr, col, val } = m;
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    for (let k = rowPtr[r]!; k < rowPtr[r + 1]!; k++) s += val[k]! * dense[col[k]!]!;
    out[r] = s;
  }
  for (let i = 0; i < q.idx.length; i++) if (q.idx[i]! < m.dim) dense[q.idx[i]!] = 0;
  return out;
}

export interface Hit {
  row: number;
  score: number;
}

/** The k best rows of `scores`, best first; ties keep the lower row first. */
export function topK(scores: Float64Array, k: number): Hit[] {
  const best: Hit[] = [];
  for (let r = 0; r < scores.length; r++) {
    const s = scores[r]!;
    if (best.length === k && s <= best[k - 1]!.score) continue;
    let i = best.length < k ? best.length : k - 1;
    if (best.length < k) best.push({ row: r, score: s });
    while (i > 0 && best[i - 1]!.score < s) {
      best[i] = best[i - 1]!;
      i--;
    }
    best[i] = { row: r, score: s };
  }
  return best;
}
