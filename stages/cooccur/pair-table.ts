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
  constructor(readonly maxEntries: number) {
    const cap = 1 << 12;
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

  /** Visit every entry (in table order) and empty the table. */
  drain(visit: (row: number, col: number, sum: number) => void): void {
    const rk = this.rowsKey;
    for (let h = 0; h < rk.length; h++) {
      if (rk[h] === -1) continue;
      visit(rk[h]!, this.colsKey[h]!, this.sums[h]!);
      rk[h] = -1;
    }
    this.size = 0;
  }
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
