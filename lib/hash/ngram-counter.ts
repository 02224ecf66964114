// An open-addressing hash table from fixed-order n-grams (int32 word ids) to
// counts, in typed arrays only: keys live in one Int32Array (capacity * order),
// counts in a Uint32Array (0 marks an empty slot). This is the in-memory table a
// counting worker fills until its memory budget is reached; then it is sorted
// (radix, see sort.ts) and spilled as a run.

/** Mix the words of one n-gram into a 32-bit hash (multiply-xorshift, as murmur3's finalizer). */
export function hashWords(words: Int32Array, start: number, n: number): number {
  let h = 0x9e3779b9 ^ n;
  for (let i = 0; i < n; i++) {
    h = Math.imul(h ^ words[start + i]!, 0x85ebca6b);
    h ^= h >>> 13;
  }
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class NgramCounter {
  keys: Int32Array;
  counts: Uint32Array;
  size = 0;
  private mask: number;

  constructor(
    readonly order: number,
    initialCapacity = 1 << 12,
  ) {
    let cap = 16;
    while (cap < initialCapacity) cap <<= 1;
    this.keys = new Int32Array(cap * order);
    this.counts = new Uint32Array(cap);
    this.mask = cap - 1;
  }

  get capacity(): number {
    return this.counts.length;
  }

  /** Bytes held by the table's arrays. */
  get bytes(): number {
    return this.keys.byteLength + this.counts.byteLength;
  }

  /** Add `by` to the count of the n-gram words[start .. start+order). */
  add(words: Int32Array, start: number, by = 1): void {
    const n = this.order;
    const keys = this.keys;
    let slot = hashWords(words, start, n) & this.mask;
    for (;;) {
      const c = this.counts[slot]!;
      if (c === 0) break;
      const base = slot * n;
      let same = true;
      for (let i = 0; i < n; i++) {
        if (keys[base + i] !== words[start + i]) {
          same = false;
          break;
        }
      }
      if (same) {
        this.counts[slot] = c + by;
        return;
      }
      slot = (slot + 1) & this.mask;
    }
    const base = slot * n;
    for (let i = 0; i < n; i++) keys[base + i] = words[start + i]!;
    this.counts[slot] = by;
    if (++this.size * 4 > this.capacity * 3) this.grow();
  }

  private grow(): void {
    const n = this.order;
    const oldKeys = this.keys;
    const oldCounts = this.counts;
    const cap = oldCounts.length * 2;
    this.keys = new Int32Array(cap * n);
    this.counts = new Uint32Array(cap);
    this.mask = cap - 1;
    for (let s = 0; s < oldCounts.length; s++) {
      const c = oldCounts[s]!;
      if (c === 0) continue;
      let slot = hashWords(oldKeys, s * n, n) & this.mask;
      while (this.counts[slot] !== 0) slot = (slot + 1) & this.mask;
      // Element loops, not subarray().set(): a view per entry costs more than the copy.
      for (let k = 0; k < n; k++) this.keys[slot * n + k] = oldKeys[s * n + k]!;
      this.counts[slot] = c;
    }
  }

  /** The occupied entries as contiguous arrays (unsorted): words rows*order, counts rows. */
  compact(): { words: Int32Array; counts: Uint32Array } {
    const n = this.order;
    const words = new Int32Array(this.size * n);
    const counts = new Uint32Array(this.size);
    let r = 0;
    for (let s = 0; s < this.counts.length; s++) {
      const c = this.counts[s]!;
      if (c === 0) continue;
      for (let k = 0; k < n; k++) words[r * n + k] = this.keys[s * n + k]!;
      counts[r++] = c;
    }
    return { words, counts };
  }

  clear(): void {
    this.counts.fill(0);
    this.size = 0;
  }
}
