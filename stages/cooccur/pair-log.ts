// Pairs outside the dense region, logged as they are seen: (row, col, weight)
// appended to three typed arrays, summed only when the log is drained and the
// runs merged. Most such pairs are seen once (on the 3M-token corpus, 1.35M
// distinct pairs in 1.53M events), so a hash table spent a cache miss per
// event (about 200-400 ns, the table being far larger than the cache) to find
// a slot that was almost always new; an append is a sequential write. When
// full the log is drained into per-row arrays (a run) and reset.

import type { DenseRegion, RowGroups } from './dense-region.js';

/** Output entries per block of target rows when mirroring the dense region (a few hundred KB). */
const TRANSPOSE_BLOCK_ENTRIES = 1 << 15;

export class PairLog {
  private rows: Int32Array;
  private cols: Int32Array;
  private sums: Float64Array;
  size = 0;

  /** `maxEntries`: the size at which `full` turns true. The log starts small and doubles up to it. */
  constructor(readonly maxEntries: number) {
    const cap = Math.min(1 << 16, Math.max(1, maxEntries));
    this.rows = new Int32Array(cap);
    this.cols = new Int32Array(cap);
    this.sums = new Float64Array(cap);
  }

  get full(): boolean {
    return this.size >= this.maxEntries;
  }

  private grow(): void {
    // `full` is checked between centers, after at most a window's adds (--window is at most 1000)
    const cap = Math.min(this.maxEntries + 1024, this.rows.length * 2);
    const rows = new Int32Array(cap);
    const cols = new Int32Array(cap);
    const sums = new Float64Array(cap);
    rows.set(this.rows.subarray(0, this.size));
    cols.set(this.cols.subarray(0, this.size));
    sums.set(this.sums.subarray(0, this.size));
    [this.rows, this.cols, this.sums] = [rows, cols, sums];
  }

  add(row: number, col: number, w: number): void {
    if (this.size === this.rows.length) this.grow();
    const k = this.size++;
    this.rows[k] = row;
    this.cols[k] = col;
    this.sums[k] = w;
  }

  /**
   * Empty the log (and the dense region, when given) into arrays grouped by
   * row (a counting sort: one pass to count, one to place; columns stay
   * unordered within a row and may repeat: the merge adds them up and sorts). `symmetric`: each stored
   * (a, b) also stands for (b, a); a stored (a, a) counts twice. `shared`:
   * the arrays live in SharedArrayBuffers, so a merge on another thread can
   * read them in place.
   */
  drainByRow(V: number, symmetric: boolean, dense?: DenseRegion, shared = false): RowGroups {
    const rk = this.rows;
    const ck = this.cols;
    const sums = this.sums;
    const size = this.size;
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
    for (let h = 0; h < size; h++) {
      const r = rk[h]!;
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
    if (symmetric && rowsD > 0) {
      // The mirrored cells first: (r, c) also lands in row c. Placed for a block of target rows at a
      // time, whose output span stays in cache, instead of one scattered write per cell (two cache
      // misses each on the 3M-token corpus); each region row's cells for the block are contiguous.
      const { lim, off } = dense!;
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
    // Each row's own cells (the region is drained once, at the end of counting, and dropped: not cleared).
    for (let r = 0; r < rowsD; r++) {
      const o = dense!.off[r]!;
      const end = dense!.lim[r]!;
      for (let c = symmetric ? r : 0; c < end; c++) {
        const s = cells[o + c]!;
        if (s === 0) continue;
        const k = next[r]!++;
        cols[k] = c;
        out[k] = symmetric && r === c ? 2 * s : s;
      }
    }
    for (let h = 0; h < size; h++) {
      const r = rk[h]!;
      const c = ck[h]!;
      const s = sums[h]!;
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
