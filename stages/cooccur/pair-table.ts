// An open-addressing hash table from a (row, col) pair of matrix indices to a
// float64 sum, in three typed arrays (no objects per entry), with linear
// probing. When full it is drained as sorted arrays (a run) and reset.

export class PairTable {
  private rowsKey: Int32Array;
  private colsKey: Int32Array;
  private sums: Float64Array;
  private mask: number;
  size = 0;

  /**
   * `maxEntries`: the size at which `full` turns true. The table starts small
   * and doubles while more than half full, up to twice `maxEntries` slots.
   */
  constructor(
    readonly maxEntries: number,
    expected = 0,
  ) {
    let cap = 1 << 12;
    while (cap < 2 * Math.min(expected, maxEntries)) cap *= 2;
    this.rowsKey = new Int32Array(cap).fill(-1);
    this.colsKey = new Int32Array(cap);
    this.sums = new Float64Array(cap);
    this.mask = cap - 1;
  }

  private grow(): void {
    const { rowsKey, colsKey, sums } = this;
    const cap = rowsKey.length * 2;
    this.rowsKey = new Int32Array(cap).fill(-1);
    this.colsKey = new Int32Array(cap);
    this.sums = new Float64Array(cap);
    this.mask = cap - 1;
    this.size = 0;
    for (let h = 0; h < rowsKey.length; h++) if (rowsKey[h] !== -1) this.add(rowsKey[h]!, colsKey[h]!, sums[h]!);
  }

  get full(): boolean {
    return this.size >= this.maxEntries;
  }

  add(row: number, col: number, w: number): void {
    const rk = this.rowsKey;
    const ck = this.colsKey;
    let h = (Math.imul(row, 0x9e3779b1) ^ Math.imul(col + 0x7f4a7c15, 0x85ebca77)) >>> 0;
    h = (h ^ (h >>> 15)) & this.mask;
    for (;;) {
      const r = rk[h]!;
      if (r === row && ck[h] === col) {
        this.sums[h]! += w;
        return;
      }
      if (r === -1) {
        rk[h] = row;
        ck[h] = col;
        this.sums[h] = w;
        if (++this.size * 2 > rk.length) this.grow();
        return;
      }
      h = (h + 1) & this.mask;
    }
  }

  /**
   * Empty the table (and the dense region, when given) into arrays grouped by
   * row (a counting sort: one pass to count, one to place; columns stay
   * unordered within a row, the merge sorts them). `symmetric`: each stored
   * (a, b) also stands for (b, a); a stored (a, a) counts twice. `shared`:
   * the arrays live in SharedArrayBuffers, so a merge on another thread can
   * read them in place.
   */
  drainByRow(V: number, symmetric: boolean, dense?: DenseRegion, shared = false): RowGroups {
    const rk = this.rowsKey;
    const ck = this.colsKey;
    const sums = this.sums;
    const starts = shared ? new Float64Array(new SharedArrayBuffer(8 * (V + 1))) : new Float64Array(V + 1);
    let n = 0;
    const rowsD = dense ? Math.min(V, dense.lim.length) : 0;
    const cells = dense?.cells ?? new Float64Array(0);
    for (let r = 0; r < rowsD; r++) {
      const o = dense!.off[r]!;
      const end = dense!.lim[r]!;
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
    for (let h = 0; h < rk.length; h++) {
      const r = rk[h]!;
      if (r === -1) continue;
      starts[r + 1]!++;
      n++;
      if (symmetric && ck[h] !== r) {
        starts[ck[h]! + 1]!++;
        n++;
      }
    }
    for (let v = 0; v < V; v++) starts[v + 1]! += starts[v]!;
    const next = starts.slice(0, V);
    const cols = shared ? new Int32Array(new SharedArrayBuffer(4 * n)) : new Int32Array(n);
    const out = shared ? new Float64Array(new SharedArrayBuffer(8 * n)) : new Float64Array(n);
    for (let r = 0; r < rowsD; r++) {
      const o = dense!.off[r]!;
      const end = dense!.lim[r]!;
      for (let c = symmetric ? r : 0; c < end; c++) {
        const s = cells[o + c]!;
        if (s === 0) continue;
        cells[o + c] = 0;
        let k = next[r]!++;
        cols[k] = c;
        out[k] = symmetric && r === c ? 2 * s : s;
        if (symmetric && c !== r) {
          k = next[c]!++;
          cols[k] = r;
          out[k] = s;
        }
      }
    }
    for (let h = 0; h < rk.length; h++) {
      const r = rk[h]!;
      if (r === -1) continue;
      const c = ck[h]!;
      const s = sums[h]!;
      rk[h] = -1;
      if (!symmetric) {
        const k = next[r]!++;
        cols[k] = c;
        out[k] = s;
      } else if (r === c) {
        const k = next[r]!++;
        cols[k] = c;
        out[k] = 2 * s;
      } else {
        let k = next[r]!++;
        cols[k] = c;
        out[k] = s;
        k = next[c]!++;
        cols[k] = r;
        out[k] = s;
      }
    }
    this.size = 0;
    return { starts, cols, sums: out };
  }
}

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

/** Entries grouped by row: row r's are cols/sums[starts[r] .. starts[r+1]). */
export interface RowGroups {
  starts: Float64Array;
  cols: Int32Array;
  sums: Float64Array;
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
