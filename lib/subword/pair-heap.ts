// A max-heap of (score, pair) entries with lazy invalidation: an entry is pushed
// whenever a pair's score rises, and an entry popped with a score that is no longer
// the pair's current one is dropped or re-pushed by the caller. Ties are broken by
// `tieLess(p, q)` (true when p must come first), so training is deterministic.

import { GrowFloat64, GrowInt32 } from './grow.js';

export class PairHeap {
  private readonly score = new GrowFloat64(4096);
  private readonly pair = new GrowInt32(4096);

  constructor(private readonly tieLess: (p: number, q: number) => boolean) {}

  get size(): number {
    return this.pair.length;
  }

  /** True when entry i must be popped before entry j. */
  private before(i: number, j: number): boolean {
    const si = this.score.a[i]!;
    const sj = this.score.a[j]!;
    if (si !== sj) return si > sj;
    return this.tieLess(this.pair.a[i]!, this.pair.a[j]!);
  }

  private swap(i: number, j: number): void {
    const s = this.score.a;
    const p = this.pair.a;
    const ts = s[i]!;
    s[i] = s[j]!;
    s[j] = ts;
    const tp = p[i]!;
    p[i] = p[j]!;
    p[j] = tp;
  }

  push(score: number, pair: number): void {
    this.score.push(score);
    let i = this.pair.push(pair);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Score of the top entry (call only when size > 0). */
  topScore(): number {
    return this.score.a[0]!;
  }

  /** Remove the top entry and return its pair (call only when size > 0). */
  pop(): number {
    const top = this.pair.a[0]!;
    const last = this.pair.length - 1;
    this.swap(0, last);
    this.pair.length = last;
    this.score.length = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= last) break;
      const r = l + 1;
      const c = r < last && this.before(r, l) ? r : l;
      if (!this.before(c, i)) break;
      this.swap(c, i);
      i = c;
    }
    return top;
  }
}
