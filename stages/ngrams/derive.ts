// From sorted runs to the final tables, in one streaming pass (as KenLM builds
// lower orders from the highest): a k-way merge of the order-N runs gives the
// N-grams in order w1..wN; the count of an (N-1)-gram is the sum over its
// right extensions (consecutive rows sharing a prefix), merged with the
// (N-1)-grams that end in `</s>` (counted directly, their own runs); and so on
// down to unigrams. Each order is written sorted, pruned only on output
// (lower orders are derived from unpruned counts).

import { ArrowFileWriter, field, primitiveData } from '../../pipeline/arrow.js';
import * as A from 'apache-arrow';
import { RunReader } from './runs.js';

export function ngramSchema(order: number): A.Schema {
  const fields = [];
  for (let k = 1; k <= order; k++) fields.push(field(`w${k}`, new A.Int32()));
  fields.push(field('count', new A.Uint32()));
  return new A.Schema(fields);
}

/** k-way merge of sorted runs of one order, one unique n-gram (counts summed) at a time. */
export class RunMerger {
  readonly words: Int32Array;
  count = 0;
  private readonly heap: RunReader[];

  constructor(
    files: string[],
    readonly order: number,
  ) {
    this.words = new Int32Array(order);
    this.heap = files.map((f) => new RunReader(f, order)).filter((r) => {
      if (r.live) return true;
      r.close();
      return false;
    });
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  private less(a: RunReader, b: RunReader): boolean {
    const n = this.order;
    const pa = a.pos * n;
    const pb = b.pos * n;
    for (let k = 0; k < n; k++) {
      const d = a.words[pa + k]! - b.words[pb + k]!;
      if (d !== 0) return d < 0;
    }
    return false;
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) return;
      const r = l + 1;
      const m = r < h.length && this.less(h[r]!, h[l]!) ? r : l;
      if (!this.less(h[m]!, h[i]!)) return;
      [h[m], h[i]] = [h[i]!, h[m]!];
      i = m;
    }
  }

  private sameAsTop(): boolean {
    const top = this.heap[0]!;
    const base = top.pos * this.order;
    for (let k = 0; k < this.order; k++) if (top.words[base + k] !== this.words[k]) return false;
    return true;
  }

  private pop(): void {
    const top = this.heap[0]!;
    this.count += top.counts[top.pos]!;
    top.advance();
    if (!top.live) {
      top.close();
      const last = this.heap.pop()!;
      if (this.heap.length > 0 && last !== top) this.heap[0] = last;
    }
    if (this.heap.length > 0) this.down(0);
  }

  /** Advance to the next unique n-gram (in `words`, `count`); false at the end. */
  next(): boolean {
    if (this.heap.length === 0) return false;
    const top = this.heap[0]!;
    const base = top.pos * this.order;
    for (let k = 0; k < this.order; k++) this.words[k] = top.words[base + k]!;
    this.count = 0;
    do this.pop();
    while (this.heap.length > 0 && this.sameAsTop());
    return true;
  }
}

/** Buffers rows of one order and writes them as record batches. */
class TableSink {
  private cols: Int32Array[];
  private counts: Uint32Array;
  fill = 0;
  rows = 0;
  readonly writer: ArrowFileWriter;

  constructor(
    file: string,
    readonly order: number,
    readonly pruneAtOrBelow: number,
    readonly batchRows = 1 << 16,
  ) {
    this.writer = new ArrowFileWriter(file, ngramSchema(order));
    this.cols = [...Array(order)].map(() => new Int32Array(batchRows));
    this.counts = new Uint32Array(batchRows);
  }

  add(words: Int32Array, count: number): void {
    if (count <= this.pruneAtOrBelow) return;
    if (count > 0xffffffff) throw new Error(`count of an ${this.order}-gram exceeds 2^32`);
    if (this.fill === this.counts.length) this.grow();
    for (let k = 0; k < this.order; k++) this.cols[k]![this.fill] = words[k]!;
    this.counts[this.fill++] = count;
    this.rows++;
  }

  /** A cascade can emit many rows between flushes: grow rather than overrun. */
  private grow(): void {
    this.cols = this.cols.map((c) => {
      const g = new Int32Array(c.length * 2);
      g.set(c);
      return g;
    });
    const g = new Uint32Array(this.counts.length * 2);
    g.set(this.counts);
    this.counts = g;
  }

  get full(): boolean {
    return this.fill >= this.batchRows;
  }

  async flush(): Promise<void> {
    if (this.fill === 0) return;
    const data: A.Data[] = this.cols.map((c) => primitiveData(new A.Int32(), c.subarray(0, this.fill)));
    data.push(primitiveData(new A.Uint32(), this.counts.subarray(0, this.fill)));
    await this.writer.writeColumns(data);
    // Arrow keeps views of the arrays: start fresh ones.
    this.cols = [...Array(this.order)].map(() => new Int32Array(this.batchRows));
    this.counts = new Uint32Array(this.batchRows);
    this.fill = 0;
  }
}

function compare(a: Int32Array, b: Int32Array, n: number): number {
  for (let k = 0; k < n; k++) {
    const d = a[k]! - b[k]!;
    if (d !== 0) return d;
  }
  return 0;
}

export interface DeriveTask {
  /** runs[n-1]: sorted runs of order n (order N: every N-gram; lower: those ending in </s>). */
  runs: string[][];
  /** outFiles[n-1]: where order-n.arrow goes. */
  outFiles: string[];
  /** Prune thresholds per order (drop count <= threshold on output). */
  prune: number[];
}

/** Merge the runs and derive every lower order; returns rows written per order. */
export async function deriveTables(task: DeriveTask): Promise<number[]> {
  const N = task.runs.length;
  const sinks = task.outFiles.map((f, k) => new TableSink(f, k + 1, task.prune[k] ?? 0));
  const ends = task.runs.map((files, k) => (k < N - 1 ? new RunMerger(files, k + 1) : undefined));
  const endLive = ends.map((m) => (m ? m.next() : false));
  // The aggregation state of each order below N: current prefix and its summed count.
  const cur = [...Array(N)].map((_, k) => new Int32Array(k + 1));
  const curCount = new Float64Array(N).fill(-1);

  // Emit one finished n-gram of order n (1-based): write it, and pass its prefix down.
  const emit = (n: number, words: Int32Array, count: number): void => {
    sinks[n - 1]!.add(words, count);
    if (n > 1) push(n - 1, words, count);
  };
  // Emit the `</s>`-final n-grams of order n that sort before `upTo` (all of them when undefined).
  const drainEnds = (n: number, upTo?: Int32Array): void => {
    const m = ends[n - 1]!;
    while (endLive[n - 1] && (upTo === undefined || compare(m.words, upTo, n) < 0)) {
      emit(n, m.words, m.count);
      endLive[n - 1] = m.next();
    }
  };
  // Add `count` to the order-n prefix words[0..n); a new prefix finishes the previous one.
  const push = (n: number, words: Int32Array, count: number): void => {
    const c = cur[n - 1]!;
    if (curCount[n - 1]! >= 0) {
      let same = true;
      for (let k = 0; k < n; k++)
        if (c[k] !== words[k]) {
          same = false;
          break;
        }
      if (same) {
        curCount[n - 1]! += count;
        return;
      }
      finish(n);
    }
    for (let k = 0; k < n; k++) c[k] = words[k]!;
    curCount[n - 1] = count;
  };
  const finish = (n: number): void => {
    const c = cur[n - 1]!;
    const count = curCount[n - 1]!;
    curCount[n - 1] = -1;
    drainEnds(n, c);
    emit(n, c, count);
  };

  const full = new RunMerger(task.runs[N - 1]!, N);
  while (full.next()) {
    emit(N, full.words, full.count);
    for (const s of sinks) if (s.full) await s.flush();
  }
  // Finish from the highest lower order down: each finish feeds the order below.
  for (let n = N - 1; n >= 1; n--) {
    if (curCount[n - 1]! >= 0) finish(n);
    drainEnds(n);
    for (const s of sinks) if (s.full) await s.flush();
  }
  const rows: number[] = [];
  for (const s of sinks) {
    await s.flush();
    await s.writer.close();
    rows.push(s.rows);
  }
  return rows;
}
