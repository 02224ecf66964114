// Pairs outside the dense region, logged as they are seen: (row, col, distance)
// appended to chunks of three typed arrays, summed only when the log is drained and the
// runs merged. Most such pairs are seen once (on the 3M-token corpus, 1.35M
// distinct pairs in 1.53M events), so a hash table spent a cache miss per
// event (about 200-400 ns, the table being far larger than the cache) to find
// a slot that was almost always new; an append is a sequential write. When
// full the log is drained into per-row arrays (a run) and reset. An event is
// kept as its distance, not its weight (weightUnits[distance]): 2 bytes where a
// float64 took 8, in the log and in the run it drains into, which the merge
// reads; the dense region's cells, sums of many events, drain as float64
// (dense-region.ts).

import { groupArray, type RowGroups } from './dense-region.js';

/** Entries per chunk of the log (640 kB): the log grows a chunk at a time, never copied. */
export const LOG_CHUNK = 1 << 16;

/** One chunk: rows, cols, and each event's distance, whose weight is weightUnits[distance]. */
interface Chunk {
  rows: Int32Array;
  cols: Int32Array;
  dists: Uint16Array;
}

const newChunk = (): Chunk => ({ rows: new Int32Array(LOG_CHUNK), cols: new Int32Array(LOG_CHUNK), dists: new Uint16Array(LOG_CHUNK) });

export class PairLog {
  // 10 bytes an event, in chunks: a doubling array of float64 sums took 16 and up to twice
  // the events in capacity, and its last doubling held old and new copies at once.
  private readonly chunks: Chunk[] = [];
  private cur: Chunk | undefined;
  /** Entries in the current (last used) chunk. */
  private fill = LOG_CHUNK;
  size = 0;

  /** `maxEntries`: the size at which `full` turns true. */
  constructor(readonly maxEntries: number) {}

  get full(): boolean {
    return this.size >= this.maxEntries;
  }

  private nextChunk(): void {
    const used = Math.ceil(this.size / LOG_CHUNK);
    // chunks past `used` are kept from before the last drain and reused
    if (used === this.chunks.length) this.chunks.push(newChunk());
    this.cur = this.chunks[used]!;
    this.fill = 0;
  }

  /** Log one event: the pair (row, col) at distance `dist` (below 65,536: --window is at most 1000). */
  add(row: number, col: number, dist: number): void {
    if (this.fill === LOG_CHUNK) this.nextChunk();
    const k = this.fill++;
    const ch = this.cur!;
    ch.rows[k] = row;
    ch.cols[k] = col;
    ch.dists[k] = dist;
    this.size++;
  }

  /**
   * Empty the log into arrays grouped by row (a counting sort: one pass to count, one to
   * place; columns stay unordered within a row and may repeat: the merge adds them up and
   * sorts), each entry an event's column and distance, 6 bytes. `symmetric`: each stored
   * (a, b) also stands for (b, a); a stored (a, a) counts twice (two entries). `shared`:
   * the arrays live in SharedArrayBuffers, so a merge on another thread can read them in place.
   */
  drainByRow(V: number, symmetric: boolean, shared = false): RowGroups {
    const size = this.size;
    const chunks = this.chunks.slice(0, Math.ceil(size / LOG_CHUNK));
    const chunkSize = (i: number): number => (i < chunks.length - 1 ? LOG_CHUNK : size - i * LOG_CHUNK);
    const starts = groupArray(Float64Array, V + 1, shared);
    let n = 0;
    for (let i = 0; i < chunks.length; i++) {
      const { rows: rk, cols: ck } = chunks[i]!;
      for (let h = 0, m = chunkSize(i); h < m; h++) {
        starts[rk[h]! + 1]!++;
        n++;
        if (symmetric) {
          starts[ck[h]! + 1]!++;
          n++;
        }
      }
    }
    for (let v = 0; v < V; v++) starts[v + 1]! += starts[v]!;
    const next = starts.slice(0, V);
    const cols = groupArray(Int32Array, n, shared);
    const dists = groupArray(Uint16Array, n, shared);
    for (let i = 0; i < chunks.length; i++) {
      const { rows: rk, cols: ck, dists: dk } = chunks[i]!;
      for (let h = 0, m = chunkSize(i); h < m; h++) {
        const r = rk[h]!;
        const c = ck[h]!;
        const d = dk[h]!;
        let k = next[r]!++;
        cols[k] = c;
        dists[k] = d;
        if (symmetric) {
          // (b, a) for (a, b); for (a, a) the second count of the same cell
          k = next[c]!++;
          cols[k] = r;
          dists[k] = d;
        }
      }
    }
    this.size = 0;
    this.fill = LOG_CHUNK;
    return { starts, cols, dists };
  }
}
