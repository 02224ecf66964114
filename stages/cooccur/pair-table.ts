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
   * Empty the table into arrays grouped by row (a counting sort: one pass to
   * count, one to place; columns stay unordered within a row, the merge sorts
   * them). `symmetric`: each stored (a, b) also stands for (b, a); a stored
   * (a, a) counts twice.
   */
  drainByRow(V: number, symmetric: boolean, dense?: DenseBlock): RowGroups {
    const rk = this.rowsKey;
    const ck = this.colsKey;
    const sums = this.sums;
    const starts = new Float64Array(V + 1);
    let n = 0;
    const D = dense?.size ?? 0;
    const cells = dense?.cells ?? new Float64Array(0);
    for (let r = 0; r < D; r++)
      for (let c = symmetric ? r : 0; c < D; c++) {
        if (cells[r * D + c] === 0) continue;
        starts[r + 1]!++;
        n++;
        if (symmetric && c !== r) {
          starts[c + 1]!++;
          n++;
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
    const cols = new Int32Array(n);
    const out = new Float64Array(n);
    for (let r = 0; r < D; r++)
      for (let c = symmetric ? r : 0; c < D; c++) {
        const s = cells[r * D + c]!;
        if (s === 0) continue;
        cells[r * D + c] = 0;
        let k = next[r]!++;
        cols[k] = c;
        out[k] = symmetric && r === c ? 2 * s : s;
        if (symmetric && c !== r) {
          k = next[c]!++;
          cols[k] = r;
          out[k] = s;
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
 * A dense size x size block for the pairs of the most frequent words, which
 * take most window events (GloVe keeps a dense table for them too): adding
 * there is one array write, no hashing. Symmetric counting uses its upper
 * triangle (row <= col).
 */
export interface DenseBlock {
  size: number;
  cells: Float64Array;
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
