// Interpolated modified Kneser–Ney in bounded memory, as KenLM's builder
// estimates it (Heafield, Pouzyrevsky, Clark & Koehn 2013, "Scalable Modified
// Kneser-Ney Language Model Estimation"): every step is a pass over the ngrams
// stage's sorted tables and over columns derived from them, kept as flat files
// in the stage's temp folder (lib/spill/flat-file.ts). Only the unigrams
// (bounded by the vocabulary) and one context's rows are held whole.
//
//   tables     order-N.arrow -> words_n (row-major int32) and raw_n (uint32)
//   suffixes   J_n[i] = row in order n-1 of the suffix w2..wn of row i (hash lookups)
//   adjust     a_n[j] = number of rows of order n+1 whose suffix is j (a histogram of
//              J_{n+1}); the raw count for the highest order and for <s>-initial
//              n-grams; counts of counts t1..t4 on the way (adjust_counts.cc)
//   discounts  Chen & Goodman eq. 26 (kneserNeyDiscounts)
//   interpolate  per context, in sorted order: u(h w), gamma(h) (initial_probabilities),
//              p(w|h) = u(h w) + gamma(h) p_{n-1}[J_n[i]] (interpolate.cc); gamma(h) is
//              the backoff of context row h of order n-1, found walking order n-1 in step
//
// Where a random-access table (the order-(n-1) hash index for J, the histogram
// for a, p_{n-1} for interpolation) would not fit its share of --memory, the
// step is done in range passes: each pass holds the rows [lo, hi) of that table
// and streams the other side once, filling in its share of the output file
// (FlatUpdater). The arithmetic, row order and float32 roundings are those of
// the in-memory estimateKneserNey, so the outputs are byte-identical whatever
// the budget; the number of passes is reported.

import fs from 'node:fs';
import path from 'node:path';
import { BOS } from '../../lib/formats/tokens.js';
import { columnValues, readBatches } from '../../pipeline/arrow.js';
import { InputError } from '../../pipeline/errors.js';
import { chunks, FlatCursor, FlatUpdater, FlatWriter, readRange, writeAll } from '../../lib/spill/flat-file.js';
import { readOrder, type OrderCounts } from './counts.js';
import { FALLBACK_DISCOUNTS, highestRankedUnigram, kneserNeyDiscounts, type Discounts } from './kneser-ney.js';
import { uniformVocabSize, withUnk } from './interpolate.js';
import { NgramIndex } from './ngram-index.js';

/** Where one order's columns are, once estimated. */
export interface StreamedOrder {
  n: number;
  rows: number;
  /** Row-major int32 words. */
  words: string;
  /** Float64 interpolated probabilities. */
  prob: string;
  /** Float32 log10 backoffs (orders below the highest; absent for the highest). */
  backoff?: string;
}

export interface StreamedKneserNey {
  orders: StreamedOrder[];
  countsOfCounts: number[][];
  discounts: Discounts[];
  fallbacks: { order: number; reason: string }[];
  /** Most range passes any step needed (1 = every table fitted its share of --memory). */
  passes: number;
}

export interface StreamOptions {
  /** Budget in bytes for lookup tables and buffers. */
  memoryBytes: number;
  /** A folder for the intermediate files (inside the stage's temp folder). */
  tmpDir: string;
  /** lmplz's word ids (first-appearance-ranks.ts), for its counts-of-counts detail. */
  rank?: Float64Array;
  /** Called after each order of each pass: streamPasses(N) calls in all (a progress bar). */
  onPass?: () => void;
}

/** The calls of onPass for order N: flattening and adjusting N orders, suffixes and interpolation N-1 and N. */
export function streamPasses(N: number): number {
  return 4 * N - 1;
}

/** Bytes per row of order n for each random-access table. */
const INDEX_BYTES = (n: number): number => 4 * n + 16;
const HIST_BYTES = 4;
const PROB_BYTES = 8;

class Budget {
  /** Elements of one streaming buffer (several are open at once). */
  readonly bufferElems: number;
  /** Bytes for the one random-access table of a step. */
  readonly tableBytes: number;
  passes = 1;

  constructor(memoryBytes: number) {
    this.bufferElems = Math.max(1024, Math.min(1 << 16, Math.floor(memoryBytes / 64 / 8)));
    this.tableBytes = Math.max(1 << 14, Math.floor(memoryBytes / 2));
  }

  /** Row ranges of a table of `rows` rows at `bytesPerRow` each. */
  ranges(rows: number, bytesPerRow: number): [number, number][] {
    const per = Math.max(1024, Math.floor(this.tableBytes / bytesPerRow));
    const out: [number, number][] = [];
    for (let lo = 0; lo < rows; lo += per) out.push([lo, Math.min(rows, lo + per)]);
    if (out.length === 0) out.push([0, 0]);
    this.passes = Math.max(this.passes, out.length);
    return out;
  }
}

/** Compare row a (n-1 words) of `lower` with the first n-1 words of row b of `upper`. */
function compareContext(lower: Int32Array, a: number, upper: Int32Array, b: number, n: number): number {
  for (let k = 0; k < n - 1; k++) {
    const d = lower[a * (n - 1) + k]! - upper[b + k]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** Copy one ngrams table into row-major words and raw counts. */
async function flattenOrder(file: string, n: number, wordsFile: string, rawFile: string, bufferElems: number): Promise<number> {
  if (!fs.existsSync(file)) throw new InputError(file, 'missing n-gram table', 'Rerun the ngrams stage with a high enough --order');
  const w = new FlatWriter(wordsFile, Int32Array, bufferElems * n);
  const c = new FlatWriter(rawFile, Uint32Array, bufferElems);
  for await (const b of readBatches(file)) {
    const cols: Int32Array[] = [];
    for (let k = 1; k <= n; k++) {
      const col = b.getChild(`w${k}`);
      if (!col) throw new InputError(file, `no column w${k}`, 'Point at an ngrams stage output');
      cols.push(columnValues<Int32Array>(col.data[0]!));
    }
    const cc = b.getChild('count');
    if (!cc) throw new InputError(file, 'no column count', 'Point at an ngrams stage output');
    const counts = columnValues<Uint32Array>(cc.data[0]!);
    for (let i = 0; i < counts.length; i++) {
      for (let k = 0; k < n; k++) w.push(cols[k]![i]!);
      c.push(counts[i]!);
    }
  }
  w.close();
  return c.close();
}

/** Estimate from the ngrams stage folder; leaves words, probabilities and backoffs per order in `tmpDir`. */
export async function streamKneserNey(ngramsStageDir: string, N: number, opts: StreamOptions): Promise<StreamedKneserNey> {
  const budget = new Budget(opts.memoryBytes);
  const B = budget.bufferElems;
  const tmp = opts.tmpDir;
  fs.mkdirSync(tmp, { recursive: true });
  const f = (name: string, n: number): string => path.join(tmp, `${name}-${n}.bin`);
  const table = (n: number): string => path.join(ngramsStageDir, 'ngrams', `order-${n}.arrow`);

  // Tables. The unigrams (with <unk> listed first, as KenLM lists it) stay in memory.
  const uni: OrderCounts = withUnk(await readOrder(table(1), 1));
  writeAll(f('words', 1), uni.words);
  writeAll(f('raw', 1), Uint32Array.from(uni.counts));
  const pass = opts.onPass ?? ((): void => {});
  pass();
  const rows: number[] = [uni.rows];
  for (let n = 2; n <= N; n++, pass()) rows.push(await flattenOrder(table(n), n, f('words', n), f('raw', n), B));
  let maxId = 0;
  for (let r = 0; r < uni.rows; r++) maxId = Math.max(maxId, uni.words[r]!);
  const unigramRow = new Int32Array(maxId + 1).fill(-1);
  for (let r = 0; r < uni.rows; r++) unigramRow[uni.words[r]!] = r;

  // Suffixes: J_n[i], by a hash index over a range of order n-1 per pass.
  for (let n = 2; n <= N; n++, pass()) {
    const out = f('suffix', n);
    if (n === 2) {
      const w = new FlatWriter(out, Int32Array, B);
      for (const c of chunks(f('words', 2), Int32Array, 2, B)) for (let i = 0; i < c.rows; i++) w.push(c.data[i * 2 + 1]! <= maxId ? unigramRow[c.data[i * 2 + 1]!]! : -1);
      w.close();
      continue;
    }
    const ranges = budget.ranges(rows[n - 2]!, INDEX_BYTES(n - 1));
    if (ranges.length === 1) {
      const index = new NgramIndex(readRange(f('words', n - 1), Int32Array, 0, rows[n - 2]! * (n - 1)), n - 1, rows[n - 2]!);
      const w = new FlatWriter(out, Int32Array, B);
      for (const c of chunks(f('words', n), Int32Array, n, B)) for (let i = 0; i < c.rows; i++) w.push(index.find(c.data, i * n + 1));
      w.close();
      continue;
    }
    new FlatUpdater(out, Int32Array, B, { length: rows[n - 1]! }).close();
    for (const [lo, hi] of ranges) {
      const index = new NgramIndex(readRange(f('words', n - 1), Int32Array, lo * (n - 1), (hi - lo) * (n - 1)), n - 1, hi - lo);
      const u = new FlatUpdater(out, Int32Array, B);
      for (const c of chunks(f('words', n), Int32Array, n, B)) {
        for (let i = 0; i < c.rows; i++) {
          const r = index.find(c.data, i * n + 1);
          if (r >= 0) u.set(c.start + i, lo + r + 1);
        }
      }
      u.close();
    }
    // Stored as row + 1 so that the zeros of a fresh file mean "not found".
    const w = new FlatWriter(f('suffix-tmp', n), Int32Array, B);
    for (const c of chunks(out, Int32Array, 1, B)) for (let i = 0; i < c.rows; i++) w.push(c.data[i]! - 1);
    w.close();
    fs.renameSync(f('suffix-tmp', n), out);
  }

  // Adjusted counts and counts of counts (the unigram <s> has 0 and is not counted).
  const countsOfCounts: number[][] = [];
  const uniAdjusted = new Float64Array(uni.rows);
  for (let n = 1; n <= N; n++, pass()) {
    const t = [0, 0, 0, 0, 0];
    const aw = new FlatWriter(f('adjusted', n), Uint32Array, B);
    const emit = (a: number): void => {
      if (a < 5) t[a]!++;
      aw.push(a);
    };
    if (n === N) {
      for (const c of chunks(f('raw', n), Uint32Array, 1, B)) for (let i = 0; i < c.rows; i++) emit(c.data[i]!);
    } else {
      const words = new FlatCursor(f('words', n), Int32Array, B * n);
      const raw = new FlatCursor(f('raw', n), Uint32Array, B);
      for (const [lo, hi] of budget.ranges(rows[n - 1]!, HIST_BYTES)) {
        const hist = new Uint32Array(hi - lo);
        for (const c of chunks(f('suffix', n + 1), Int32Array, 1, B))
          for (let i = 0; i < c.rows; i++) {
            const j = c.data[i]!;
            if (j >= lo && j < hi) hist[j - lo]!++;
          }
        for (let j = lo; j < hi; j++) emit(words.at(j * n) === BOS ? (n === 1 ? 0 : raw.at(j)) : hist[j - lo]!);
      }
      words.close();
      raw.close();
    }
    aw.close();
    countsOfCounts.push(t);
  }
  // The highest-order unigram case (N = 1): <s> has adjusted count 0, not its raw count.
  if (N === 1) {
    const a = readRange(f('adjusted', 1), Uint32Array, 0, uni.rows);
    const t = [0, 0, 0, 0, 0];
    for (let r = 0; r < uni.rows; r++) {
      if (uni.words[r] === BOS) a[r] = 0;
      if (a[r]! < 5) t[a[r]!]!++;
    }
    writeAll(f('adjusted', 1), a);
    countsOfCounts[0] = t;
  }
  uniAdjusted.set(readRange(f('adjusted', 1), Uint32Array, 0, uni.rows));
  if (opts.rank && N > 1) lmplzLastNgram(opts.rank, uni, uniAdjusted, N, countsOfCounts, f, B);

  const discounts: Discounts[] = [];
  const fallbacks: { order: number; reason: string }[] = [];
  for (let n = 1; n <= N; n++) {
    const r = kneserNeyDiscounts(countsOfCounts[n - 1]!);
    if ('d' in r) discounts.push(r.d);
    else {
      discounts.push(FALLBACK_DISCOUNTS.slice() as Discounts);
      fallbacks.push({ order: n, reason: r.bad });
    }
  }

  // Interpolation. Unigrams: with the uniform distribution over every word but <s>.
  {
    const u = new Float64Array(uni.rows);
    const gamma = groupEstimate(uniAdjusted, 0, uni.rows, discounts[0]!, u);
    const uniform = 1 / uniformVocabSize(uni);
    const p = new Float64Array(uni.rows);
    for (let r = 0; r < uni.rows; r++) p[r] = uni.words[r] === BOS ? 1 : u[r]! + gamma * uniform;
    writeAll(f('prob', 1), p);
  }
  pass();
  for (let n = 2; n <= N; n++, pass()) interpolateOrder(n, rows, discounts[n - 1]!, budget, f, B);

  const orders: StreamedOrder[] = [];
  for (let n = 1; n <= N; n++)
    orders.push({ n, rows: rows[n - 1]!, words: f('words', n), prob: f('prob', n), ...(n < N ? { backoff: f('backoff', n) } : {}) });
  for (let n = 1; n <= N; n++) for (const name of ['raw', 'suffix', 'adjusted']) fs.rmSync(f(name, n), { force: true });
  return { orders, countsOfCounts, discounts, fallbacks, passes: budget.passes };
}

/** u for the rows of one context and its gamma, as estimateKneserNey's group estimate. */
function groupEstimate(a: ArrayLike<number>, start: number, end: number, d: Discounts, u: Float64Array, uOffset = start): number {
  let denom = 0;
  let mass = 0;
  for (let r = start; r < end; r++) {
    const c = a[r]!;
    denom += c;
    if (c > 0) mass += d[Math.min(c, 3)]!;
  }
  if (denom === 0) {
    u.fill(0, start - uOffset, end - uOffset);
    return 1;
  }
  for (let r = start; r < end; r++) {
    const c = a[r]!;
    u[r - uOffset] = c > 0 ? (c - d[Math.min(c, 3)]!) / denom : 0;
  }
  return mass / denom;
}

/**
 * One order of interpolation: contexts in sorted order, p_{n-1} held one range
 * per pass; the first pass also writes the backoffs of order n-1.
 */
function interpolateOrder(n: number, rows: number[], d: Discounts, budget: Budget, f: (name: string, n: number) => string, B: number): void {
  const ranges = budget.ranges(rows[n - 2]!, PROB_BYTES);
  let groupA = new Float64Array(1024);
  let groupJ = new Int32Array(1024);
  let u = new Float64Array(1024);
  const ctxWords = new Int32Array(n);
  new FlatUpdater(f('prob', n), Float64Array, B, { length: rows[n - 1]! }).close();
  for (const [lo, hi] of ranges) {
    const lowerP = readRange(f('prob', n - 1), Float64Array, lo, hi - lo);
    const first = lo === 0;
    const out = new FlatUpdater(f('prob', n), Float64Array, B);
    // The adjusted counts and suffix rows in chunks of the same rows as the words'.
    const adjusted = chunks(f('adjusted', n), Uint32Array, 1, B);
    const suffix = chunks(f('suffix', n), Int32Array, 1, B);
    const lowerWords = first ? chunks(f('words', n - 1), Int32Array, n - 1, B) : undefined;
    const backoff = first ? new FlatWriter(f('backoff', n - 1), Float32Array, B) : undefined;
    let lower: { start: number; rows: number; data: Int32Array } | undefined;
    let j = 0; // next row of order n-1 to give a backoff
    const nextLower = (): boolean => {
      if (lower && j < lower.start + lower.rows) return true;
      const r = lowerWords!.next();
      if (r.done) return false;
      lower = r.value;
      return true;
    };
    let groupStart = 0;
    let size = 0;
    const flush = (): void => {
      if (size === 0) return;
      if (u.length < size) u = new Float64Array(groupA.length);
      const gamma = groupEstimate(groupA, 0, size, d, u);
      if (backoff) {
        // Walk order n-1 to the context row: 0 for the rows that are no context.
        let cmp = -1;
        while (nextLower() && (cmp = compareContext(lower!.data, j - lower!.start, ctxWords, 0, n)) < 0) {
          backoff.push(0);
          j++;
        }
        if (lower && j < lower.start + lower.rows && cmp === 0) {
          backoff.push(Math.log10(gamma));
          j++;
        }
      }
      for (let k = 0; k < size; k++) {
        const sr = groupJ[k]!;
        if (sr >= lo && sr < hi) out.set(groupStart + k, u[k]! + gamma * lowerP[sr - lo]!);
        else if (sr < 0 && first) out.set(groupStart + k, u[k]! + gamma * 0);
      }
      size = 0;
    };
    for (const c of chunks(f('words', n), Int32Array, n, B)) {
      const w = c.data;
      const a = adjusted.next().value!.data;
      const sj = suffix.next().value!.data;
      for (let i = 0; i < c.rows; i++) {
        const row = c.start + i;
        let same = size > 0;
        for (let k = 0; same && k < n - 1; k++) if (w[i * n + k] !== ctxWords[k]) same = false;
        if (!same) {
          flush();
          groupStart = row;
          for (let k = 0; k < n - 1; k++) ctxWords[k] = w[i * n + k]!;
        }
        if (size === groupA.length) {
          const a2 = new Float64Array(size * 2);
          a2.set(groupA);
          groupA = a2;
          const j2 = new Int32Array(size * 2);
          j2.set(groupJ);
          groupJ = j2;
        }
        groupA[size] = a[i]!;
        groupJ[size] = sj[i]!;
        size++;
      }
    }
    flush();
    if (backoff) {
      while (nextLower()) {
        backoff.push(0);
        j++;
      }
      backoff.close();
    }
    out.close();
    adjusted.return(undefined);
    suffix.return(undefined);
  }
}

/**
 * lmplz's one exception in its counts of counts (kneser-ney.ts adjustCounts):
 * along the last n-gram of its suffix-sorted stream, the raw count is counted
 * instead of the adjusted one. Found with one scan of each order.
 */
function lmplzLastNgram(
  rank: Float64Array,
  uni: OrderCounts,
  uniAdjusted: Float64Array,
  N: number,
  countsOfCounts: number[][],
  f: (name: string, n: number) => string,
  B: number,
): void {
  const bestRow = highestRankedUnigram(uni, rank);
  let suffix = Int32Array.of(uni.words[bestRow]!);
  let row = bestRow;
  for (let n = 1; n < N && bestRow >= 0; n++) {
    let first: number, raw: number, adj: number;
    if (n === 1) {
      first = uni.words[row]!;
      raw = uni.counts[row]!;
      adj = uniAdjusted[row]!;
    } else {
      first = readRange(f('words', n), Int32Array, row * n, 1)[0]!;
      raw = readRange(f('raw', n), Uint32Array, row, 1)[0]!;
      adj = readRange(f('adjusted', n), Uint32Array, row, 1)[0]!;
    }
    if (row < 0 || first === BOS) break;
    const t = countsOfCounts[n - 1]!;
    if (adj < 5) t[adj]!--;
    if (raw < 5) t[raw]!++;
    // Extend: among (n+1)-grams x suffix, the x of highest rank (the first of equals).
    let bx = -1;
    let bxRank = -Infinity;
    let bxRow = -1;
    const m = n + 1;
    for (const c of chunks(f('words', m), Int32Array, m, B)) {
      for (let i = 0; i < c.rows; i++) {
        let k = 0;
        while (k < n && c.data[i * m + 1 + k] === suffix[k]) k++;
        if (k < n) continue;
        const x = c.data[i * m]!;
        const rk = x === BOS ? 1 : (rank[x] ?? -1);
        if (rk > bxRank) {
          bx = x;
          bxRank = rk;
          bxRow = c.start + i;
        }
      }
    }
    if (bx < 0) break;
    const q = new Int32Array(m);
    q.set(suffix, 1);
    q[0] = bx;
    suffix = q;
    row = bxRow;
  }
}
