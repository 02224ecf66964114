// Sorting n-gram rows (words row-major, `order` ints per row) lexicographically
// by w1, w2, ..., wN. LSD radix sort of row indices with 16-bit digits: 2 passes
// per word column (1 when every id < 65536), linear time, no comparator calls.

/** Row permutation that sorts the rows lexicographically (ids must be >= 0). */
export function sortedRowOrder(words: Int32Array, order: number, rows: number, maxId?: number): Uint32Array {
  let max = maxId ?? 0;
  if (maxId === undefined) for (let i = 0; i < words.length; i++) if (words[i]! > max) max = words[i]!;
  const digits = max < 0x10000 ? 1 : 2;
  let perm = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) perm[i] = i;
  let tmp = new Uint32Array(rows);
  const bucket = new Uint32Array(0x10001);
  for (let col = order - 1; col >= 0; col--) {
    for (let d = 0; d < digits; d++) {
      const shift = d * 16;
      bucket.fill(0);
      for (let i = 0; i < rows; i++) bucket[((words[perm[i]! * order + col]! >>> shift) & 0xffff) + 1]!++;
      for (let b = 1; b <= 0x10000; b++) bucket[b]! += bucket[b - 1]!;
      for (let i = 0; i < rows; i++) {
        const r = perm[i]!;
        tmp[bucket[(words[r * order + col]! >>> shift) & 0xffff]!++] = r;
      }
      const t = perm;
      perm = tmp;
      tmp = t;
    }
  }
  return perm;
}

/** Sort rows (and their counts) in place of new arrays. */
export function sortRows(words: Int32Array, counts: Uint32Array, order: number): { words: Int32Array; counts: Uint32Array } {
  const rows = counts.length;
  const perm = sortedRowOrder(words, order, rows);
  const w = new Int32Array(words.length);
  const c = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) {
    const r = perm[i]!;
    c[i] = counts[r]!;
    for (let k = 0; k < order; k++) w[i * order + k] = words[r * order + k]!;
  }
  return { words: w, counts: c };
}

/** Compare row a of `wa` with row b of `wb` (both `order` ints per row). */
export function compareRows(wa: Int32Array, a: number, wb: Int32Array, b: number, order: number): number {
  const pa = a * order;
  const pb = b * order;
  for (let k = 0; k < order; k++) {
    const d = wa[pa + k]! - wb[pb + k]!;
    if (d !== 0) return d;
  }
  return 0;
}
