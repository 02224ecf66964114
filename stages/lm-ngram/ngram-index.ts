// A read-only hash index over one order's n-gram rows (row-major words): maps an
// n-gram to its row number. Open addressing over an Int32Array of row+1 slots,
// sized at twice the rows so probes stay short. Built on the first lookup:
// estimation never looks up the highest order, scoring does.

import { hashWords } from '../../lib/hash/ngram-counter.js';

export class NgramIndex {
  private slots: Int32Array | undefined;
  private mask = 0;

  constructor(
    readonly words: Int32Array,
    readonly order: number,
    readonly rows: number,
  ) {}

  private build(): Int32Array {
    const { words, order, rows } = this;
    let cap = 16;
    while (cap < rows * 2) cap <<= 1;
    const slots = new Int32Array(cap);
    this.mask = cap - 1;
    for (let r = 0; r < rows; r++) {
      let s = hashWords(words, r * order, order) & this.mask;
      while (slots[s] !== 0) s = (s + 1) & this.mask;
      slots[s] = r + 1;
    }
    this.slots = slots;
    return slots;
  }

  /** Row of the n-gram q[start .. start+order), or -1. */
  find(q: Int32Array, start: number): number {
    const n = this.order;
    const words = this.words;
    const slots = this.slots ?? this.build();
    let s = hashWords(q, start, n) & this.mask;
    for (;;) {
      const r1 = slots[s]!;
      if (r1 === 0) return -1;
      const base = (r1 - 1) * n;
      let k = 0;
      while (k < n && words[base + k] === q[start + k]) k++;
      if (k === n) return r1 - 1;
      s = (s + 1) & this.mask;
    }
  }
}
