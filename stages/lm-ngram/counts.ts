// The ngrams stage's tables, loaded for estimation: per order, the n-grams as
// row-major int32 words (sorted by w1..wN, so rows sharing a context are
// contiguous) and raw counts, with a hash index from n-gram to row.

import fs from 'node:fs';
import path from 'node:path';
import { columnValues, readBatches } from '../../pipeline/arrow.js';
import { InputError } from '../../pipeline/errors.js';
import { NgramIndex } from './ngram-index.js';

export interface OrderCounts {
  n: number;
  rows: number;
  words: Int32Array;
  counts: Float64Array;
  index: NgramIndex;
  /** Row of each n-gram's suffix (words 2..n) in order n-1, computed once (suffixRows). */
  suffix?: { lower: OrderCounts; rows: Int32Array };
}

/**
 * Row in order n-1 of the suffix (words 2..n) of every order-n row (-1 when
 * absent, e.g. pruned). Found without hashing, as the sorted tables allow: the
 * suffix of h w is a child of the suffix of h (known one order down), and the
 * children of one row are contiguous and sorted by their last word, so a
 * binary search over a short range finds it. Any row it misses is looked up in
 * the hash index, so the answer is the index's in every case.
 */
export function suffixRows(orders: OrderCounts[], n: number): Int32Array {
  const o = orders[n - 1]!;
  const lower = orders[n - 2]!;
  // Cached per lower table: withUnk() may have put a row before every unigram.
  if (o.suffix?.lower === lower) return o.suffix.rows;
  const out = new Int32Array(o.rows);
  const last = n - 1;
  if (n === 2) {
    const rowOf = rowsByWord(lower);
    for (let r = 0; r < o.rows; r++) {
      const w = o.words[r * n + last]!;
      const s = w >= 0 && w < rowOf.length ? rowOf[w]! : -1;
      out[r] = s >= 0 ? s : lower.index.find(o.words, r * n + 1);
    }
  } else {
    const ctx = contextRows(o, lower);
    const lowerSuffix = suffixRows(orders, n - 1);
    // Children of each order n-2 row among the order n-1 rows: [begin, end).
    const lowerCtx = contextRows(lower, orders[n - 3]!);
    const begin = new Int32Array(orders[n - 3]!.rows);
    const end = new Int32Array(orders[n - 3]!.rows);
    for (let r = 0; r < lower.rows; ) {
      const q = lowerCtx[r]!;
      const start = r;
      while (r < lower.rows && lowerCtx[r] === q) r++;
      if (q >= 0) {
        begin[q] = start;
        end[q] = r;
      }
    }
    const lw = lower.words;
    const ln = n - 1;
    for (let r = 0; r < o.rows; r++) {
      const c = ctx[r]!;
      const q = c >= 0 ? lowerSuffix[c]! : -1;
      let found = -1;
      if (q >= 0) {
        const w = o.words[r * n + last]!;
        let lo = begin[q]!;
        let hi = end[q]!;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          const m = lw[mid * ln + ln - 1]!;
          if (m < w) lo = mid + 1;
          else if (m > w) hi = mid;
          else {
            found = mid;
            break;
          }
        }
      }
      out[r] = found >= 0 ? found : lower.index.find(o.words, r * n + 1);
    }
  }
  o.suffix = { lower, rows: out };
  return out;
}

/** Row of each word id in the unigram table (-1 where it has none). */
export function rowsByWord(uni: OrderCounts): Int32Array {
  let maxId = -1;
  for (let r = 0; r < uni.rows; r++) maxId = Math.max(maxId, uni.words[r]!);
  const rowOf = new Int32Array(maxId + 1).fill(-1);
  for (let r = 0; r < uni.rows; r++) if (uni.words[r]! >= 0) rowOf[uni.words[r]!] = r;
  return rowOf;
}

/**
 * Row in order n-1 of every order-n row's context (its first n-1 words), -1
 * where absent: one walk down both tables, which are sorted by w1..wn.
 */
export function contextRows(o: OrderCounts, lower: OrderCounts): Int32Array {
  const n = o.n;
  const out = new Int32Array(o.rows);
  const lw = lower.words;
  const ow = o.words;
  let j = 0;
  let r = 0;
  while (r < o.rows) {
    const start = r;
    do r++;
    while (r < o.rows && sameContext(ow, start, r, n));
    // Advance j to the first lower row not below the context.
    let cmp = -1;
    while (j < lower.rows) {
      cmp = 0;
      const pa = j * (n - 1);
      const pb = start * n;
      for (let k = 0; k < n - 1 && cmp === 0; k++) cmp = lw[pa + k]! - ow[pb + k]!;
      if (cmp >= 0) break;
      j++;
    }
    out.fill(j < lower.rows && cmp === 0 ? j : -1, start, r);
  }
  return out;
}

/** Build one order from row-major words and counts (sorted by w1..wn). */
export function makeOrder(n: number, words: Int32Array, counts: Float64Array): OrderCounts {
  const rows = counts.length;
  return { n, rows, words, counts, index: new NgramIndex(words, n, rows) };
}

export async function readOrder(file: string, n: number): Promise<OrderCounts> {
  if (!fs.existsSync(file)) throw new InputError(file, 'missing n-gram table', 'Rerun the ngrams stage with a high enough --order');
  const wordParts: Int32Array[][] = [];
  const countParts: Uint32Array[] = [];
  let rows = 0;
  for await (const b of readBatches(file)) {
    const cols: Int32Array[] = [];
    for (let k = 1; k <= n; k++) {
      const c = b.getChild(`w${k}`);
      if (!c) throw new InputError(file, `no column w${k}`, 'Point at an ngrams stage output');
      cols.push(columnValues<Int32Array>(c.data[0]!));
    }
    const cc = b.getChild('count');
    if (!cc) throw new InputError(file, 'no column count', 'Point at an ngrams stage output');
    wordParts.push(cols);
    countParts.push(columnValues<Uint32Array>(cc.data[0]!));
    rows += b.numRows;
  }
  const words = new Int32Array(rows * n);
  const counts = new Float64Array(rows);
  let r0 = 0;
  for (let p = 0; p < wordParts.length; p++) {
    const cols = wordParts[p]!;
    const cnt = countParts[p]!;
    for (let i = 0; i < cnt.length; i++) {
      counts[r0 + i] = cnt[i]!;
      const base = (r0 + i) * n;
      for (let k = 0; k < n; k++) words[base + k] = cols[k]![i]!;
    }
    r0 += cnt.length;
  }
  return makeOrder(n, words, counts);
}

/** Orders 1..order from an ngrams stage folder. */
export async function readCounts(ngramsStageDir: string, order: number, onOrder: () => void = () => {}): Promise<OrderCounts[]> {
  const out: OrderCounts[] = [];
  for (let n = 1; n <= order; n++) {
    out.push(await readOrder(path.join(ngramsStageDir, 'ngrams', `order-${n}.arrow`), n));
    onOrder();
  }
  return out;
}

/**
 * Sum of counts over each context: for order n, `ctxSum[row of h in order n-1]`
 * = sum over w of c(h w). Index 0 (order 1) has the single empty context.
 */
export function contextSums(orders: OrderCounts[], n: number, values: Float64Array = orders[n - 1]!.counts): Float64Array {
  const o = orders[n - 1]!;
  if (n === 1) {
    let s = 0;
    for (let r = 0; r < o.rows; r++) s += values[r]!;
    return Float64Array.of(s);
  }
  const ctx = orders[n - 2]!;
  const sums = new Float64Array(ctx.rows);
  let r = 0;
  while (r < o.rows) {
    const c = ctx.index.find(o.words, r * n);
    let s = 0;
    const start = r;
    do {
      s += values[r]!;
      r++;
    } while (r < o.rows && sameContext(o.words, start, r, n));
    if (c >= 0) sums[c] = s;
  }
  return sums;
}

/** True when rows a and b of order n share their first n-1 words. */
export function sameContext(words: Int32Array, a: number, b: number, n: number): boolean {
  const pa = a * n;
  const pb = b * n;
  for (let k = 0; k < n - 1; k++) if (words[pa + k] !== words[pb + k]) return false;
  return true;
}
