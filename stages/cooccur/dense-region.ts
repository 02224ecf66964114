// The dense region of frequent pairs, and the shapes runs take (rows
// grouped, or sorted triples).

/**
 * Cells for the pairs of frequent words, which take most window events: adding
 * there is one array write, no hashing. As in GloVe's cooccur (Pennington et
 * al. 2014), the pair of frequency ranks r, c (0-based) is dense when
 * (r+1)(c+1) <= `product`: row r holds columns c < lim[r], a region shaped
 * like a hyperbola that covers far more window events than a square of the
 * same size (Zipf). Symmetric counting keeps only r <= c. Cell of (r, c):
 * cells[off[r] + c]. Pages never written stay unallocated (a fresh
 * Float64Array is zero-filled lazily).
 */
export class DenseRegion {
  readonly lim: Int32Array;
  readonly off: Int32Array;
  readonly cells: Float64Array;

  constructor(V: number, symmetric: boolean, product: number) {
    const rows = Math.min(V, product);
    this.lim = new Int32Array(rows);
    this.off = new Int32Array(rows);
    let base = 0;
    for (let r = 0; r < rows; r++) {
      const lim = Math.min(V, Math.floor(product / (r + 1)));
      const first = symmetric ? r : 0;
      this.lim[r] = lim;
      this.off[r] = base - first;
      if (lim > first) base += lim - first;
    }
    this.cells = new Float64Array(base);
  }

  /** Number of cells the region has for these settings (without building it). */
  static cells(V: number, symmetric: boolean, product: number): number {
    let n = 0;
    for (let r = 0; r < Math.min(V, product); r++) n += Math.max(0, Math.min(V, Math.floor(product / (r + 1))) - (symmetric ? r : 0));
    return n;
  }

  /** The largest product, at most `maxProduct`, whose region fits in `bytes` (halving; 0 when none fits). */
  static productFor(V: number, symmetric: boolean, maxProduct: number, bytes: number): number {
    let p = maxProduct;
    while (p > 0 && DenseRegion.cells(V, symmetric, p) * 8 > bytes) p = Math.floor(p / 2);
    return p;
  }
}

/**
 * Entries grouped by row: row r's are cols[starts[r] .. starts[r+1]), each with its
 * weight in units, `sums` (the dense region's cells), or as the distance of one event,
 * `dists` (the pair log's: weight weightUnits[distance]). Exactly one of the two.
 */
export interface RowGroups {
  starts: Float64Array;
  cols: Int32Array;
  sums?: Float64Array;
  dists?: Uint16Array;
}

type GroupArray = Float64Array | Int32Array | Uint16Array;

/** `n` zeroed elements, in a SharedArrayBuffer when `shared` (a merge on another thread reads it in place). */
export function groupArray<T extends GroupArray>(Type: { new (buffer: ArrayBufferLike): T; BYTES_PER_ELEMENT: number }, n: number, shared: boolean): T {
  return new Type(shared ? new SharedArrayBuffer(n * Type.BYTES_PER_ELEMENT) : new ArrayBuffer(n * Type.BYTES_PER_ELEMENT));
}

/** Output entries per block of target rows when mirroring the region (a few hundred KB). */
const TRANSPOSE_BLOCK_ENTRIES = 1 << 15;

/**
 * The region's nonzero cells grouped by row (both directions for symmetric counting;
 * a cell (r, r) counts twice). The region is drained once, at the end of counting.
 * `shared`: in SharedArrayBuffers, read in place by merges on other threads.
 */
export function drainDenseByRow(dense: DenseRegion, V: number, symmetric: boolean, shared = false): RowGroups {
  const { lim, off, cells } = dense;
  const rowsD = Math.min(V, lim.length);
  const starts = groupArray(Float64Array, V + 1, shared);
  let n = 0;
  for (let r = 0; r < rowsD; r++) {
    const o = off[r]!;
    const end = lim[r]!;
    for (let c = symmetric ? r : 0; c < end; c++) {
      if (cells[o + c] === 0) continue;
      starts[r + 1]!++;
      n++;
      if (symmetric && c !== r) {
        starts[c + 1]!++;
        n++;
      }
    }
  }
  for (let v = 0; v < V; v++) starts[v + 1]! += starts[v]!;
  const next = starts.slice(0, V);
  const cols = groupArray(Int32Array, n, shared);
  const out = groupArray(Float64Array, n, shared);
  if (symmetric && rowsD > 0) {
    // The mirrored cells first: (r, c) also lands in row c. Placed for a block of target rows at a
    // time, whose output span stays in cache, instead of one scattered write per cell (two cache
    // misses each on the 3M-token corpus); each region row's cells for the block are contiguous.
    for (let c0 = 0; c0 < V; ) {
      let c1 = c0 + 1;
      while (c1 < V && starts[c1 + 1]! - starts[c0]! <= TRANSPOSE_BLOCK_ENTRIES) c1++;
      for (let r = 0; r < rowsD && r + 1 < c1 && lim[r]! > c0; r++) {
        const o = off[r]!;
        const end = Math.min(c1, lim[r]!);
        for (let c = Math.max(c0, r + 1); c < end; c++) {
          const s = cells[o + c]!;
          if (s === 0) continue;
          const k = next[c]!++;
          cols[k] = r;
          out[k] = s;
        }
      }
      c0 = c1;
    }
  }
  // Each row's own cells.
  for (let r = 0; r < rowsD; r++) {
    const o = off[r]!;
    const end = lim[r]!;
    for (let c = symmetric ? r : 0; c < end; c++) {
      const s = cells[o + c]!;
      if (s === 0) continue;
      const k = next[r]!++;
      cols[k] = c;
      out[k] = symmetric && r === c ? 2 * s : s;
    }
  }
  return { starts, cols, sums: out };
}

/** Triples sorted by row then col. */
export interface SortedTriples {
  rows: Int32Array;
  cols: Int32Array;
  sums: Float64Array;
}

/**
 * Sort triples by (row, col) with two stable counting sorts (by col, then by
 * row: LSD radix over n + 2V), adding up duplicates.
 */
export function sortTriples(rows: Int32Array, cols: Int32Array, sums: Float64Array, V: number): SortedTriples {
  const n = rows.length;
  const count = new Int32Array(V + 1);
  // pass 1: by col
  for (let i = 0; i < n; i++) count[cols[i]! + 1]!++;
  for (let v = 0; v < V; v++) count[v + 1]! += count[v]!;
  const order1 = new Int32Array(n);
  for (let i = 0; i < n; i++) order1[count[cols[i]!]!++] = i;
  // pass 2: by row, stable
  count.fill(0);
  for (let i = 0; i < n; i++) count[rows[i]! + 1]!++;
  for (let v = 0; v < V; v++) count[v + 1]! += count[v]!;
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const i = order1[k]!;
    order[count[rows[i]!]!++] = i;
  }
  const outR = new Int32Array(n);
  const outC = new Int32Array(n);
  const outS = new Float64Array(n);
  let m = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    if (m > 0 && outR[m - 1] === rows[i] && outC[m - 1] === cols[i]) {
      outS[m - 1]! += sums[i]!;
      continue;
    }
    outR[m] = rows[i]!;
    outC[m] = cols[i]!;
    outS[m] = sums[i]!;
    m++;
  }
  return { rows: outR.subarray(0, m), cols: outC.subarray(0, m), sums: outS.subarray(0, m) };
}
