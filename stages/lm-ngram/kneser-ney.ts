// Interpolated modified Kneser–Ney (Chen & Goodman 1998, sec. 3.5), estimated
// as KenLM's lmplz estimates it (Heafield et al. 2013; lm/builder/):
//   adjust_counts.cc        adjusted counts a(): the raw count for the highest order and
//                           for n-grams that start with <s>; otherwise the number of
//                           distinct words that precede the n-gram. Counts of counts
//                           t_k (k = 1..4) of the adjusted counts, per order.
//   discounts               Chen & Goodman eq. 26: Y = t1/(t1+2 t2), D_k = k - (k+1) Y t_{k+1}/t_k
//   initial_probabilities   u(h w) = (a(h w) - D(a)) / sum_x a(h x),
//                           gamma(h) = (D1 N1(h.) + D2 N2(h.) + D3 N3+(h.)) / sum_x a(h x)
//   interpolate.cc          p(w|h) = u(h w) + gamma(h) p(w|h'), unigrams with 1/V
// <s> gets adjusted count 0 and probability 1 (log 0), <unk> adjusted count 0.
// Where lmplz throws BadDiscountException we fall back to D = 0.5, 1, 1.5
// (lmplz's --discount_fallback values) and report it.

import { BOS } from '../../lib/formats/tokens.js';
import type { BackoffModel } from './backoff-model.js';
import { rowsByWord, suffixRows, type OrderCounts } from './counts.js';
import { buildInterpolated, withUnk } from './interpolate.js';

/** Discounts of one order: d[0] = 0, d[1], d[2], d[3] for adjusted counts 1, 2, 3+. */
export type Discounts = [number, number, number, number];

export const FALLBACK_DISCOUNTS: Discounts = [0, 0.5, 1, 1.5];

export interface KneserNeyStats {
  adjusted: Float64Array[];
  /** countsOfCounts[n-1][k] = number of n-grams with adjusted count k, k = 1..4. */
  countsOfCounts: number[][];
  discounts: Discounts[];
  /** Orders (1-based) where the closed form failed and the fallback was used, with why. */
  fallbacks: { order: number; reason: string }[];
}

const f = Math.fround;

/**
 * Modified Kneser–Ney discounts from counts of counts t[1..4] (eq. 26), in
 * single precision as lmplz computes them; `null` with the reason where lmplz
 * would throw BadDiscountException.
 */
export function kneserNeyDiscounts(t: number[]): { d: Discounts } | { bad: string } {
  for (let j = 1; j < 4; j++) if (!(t[j]! > 0)) return { bad: `no n-grams with adjusted count ${j}` };
  const y = f(f(t[1]!) / f(t[1]! + 2.0 * t[2]!));
  const d: Discounts = [0, 0, 0, 0];
  for (let j = 1; j < 4; j++) {
    d[j] = f(f(j) - f(f(f(f(j + 1) * y) * f(t[j + 1]!)) / f(t[j]!)));
    if (d[j]! < 0 || d[j]! > j) return { bad: `discount D${j}${j === 3 ? '+' : ''} = ${d[j]!.toFixed(4)} out of range [0, ${j}]` };
  }
  return { d };
}

/**
 * Adjusted counts and counts of counts, as adjust_counts.cc computes them.
 * `rank[w]` is lmplz's id of word w (the order of first appearance in the
 * training text; `<unk>` 0, `<s>` 1, `</s>` 2): lmplz adds, for the last
 * lower-order n-grams of its suffix-sorted stream, the raw count instead of the
 * adjusted count to the counts of counts, and we reproduce that to the count.
 */
export function adjustCounts(orders: OrderCounts[], rank?: Float64Array): Omit<KneserNeyStats, 'discounts' | 'fallbacks'> {
  const N = orders.length;
  const adjusted: Float64Array[] = [];
  for (let n = 1; n <= N; n++) {
    const o = orders[n - 1]!;
    if (n === N) {
      const a = o.counts.slice();
      if (n === 1) for (let r = 0; r < o.rows; r++) if (o.words[r] === BOS) a[r] = 0;
      adjusted.push(a);
      continue;
    }
    const a = new Float64Array(o.rows);
    for (let r = 0; r < o.rows; r++) if (o.words[r * n] === BOS) a[r] = n === 1 ? 0 : o.counts[r]!;
    const up = suffixRows(orders, n + 1);
    for (let r = 0; r < up.length; r++) {
      const s = up[r]!;
      if (s >= 0 && o.words[s * n] !== BOS) a[s]!++;
    }
    adjusted.push(a);
  }
  // Counts of counts of the adjusted counts (the unigram <s> has 0 and is not counted).
  const countsOfCounts = adjusted.map((a) => {
    const t = [0, 0, 0, 0, 0];
    for (let r = 0; r < a.length; r++) if (a[r]! < 5) t[a[r]!]!++;
    return t;
  });
  if (rank && N > 1) {
    // The last full n-gram in lmplz's suffix order ends in the word of highest rank
    // and is extended leftwards by the highest-ranked predecessor at each order.
    const uni = orders[0]!;
    const bestRow = highestRankedUnigram(uni, rank);
    const unigramRow = rowsByWord(uni);
    // `row` is the row of the current suffix in order n.
    let row = bestRow;
    for (let n = 1; n < N && row >= 0; n++) {
      const o = orders[n - 1]!;
      if (o.words[row * n] === BOS) break;
      const raw = o.counts[row]!;
      const adj = adjusted[n - 1]![row]!;
      const t = countsOfCounts[n - 1]!;
      if (adj < 5) t[adj]!--;
      if (raw < 5) t[raw]!++;
      // Extend: among the (n+1)-grams x suffix, the x of highest rank (the lowest id among equals).
      const up = orders[n]!;
      const upSuffix = suffixRows(orders, n + 1);
      let next = -1;
      let bxRank = -Infinity;
      for (let r = 0; r < up.rows; r++) {
        if (upSuffix[r] !== row) continue;
        const x = up.words[r * (n + 1)]!;
        if (!(x >= 0 && x < unigramRow.length && unigramRow[x]! >= 0)) continue;
        const rk = x === BOS ? 1 : (rank[x] ?? -1);
        if (rk <= bxRank) continue;
        next = r;
        bxRank = rk;
      }
      row = next;
    }
  }
  return { adjusted, countsOfCounts };
}

export interface KneserNeyResult {
  model: BackoffModel;
  stats: KneserNeyStats;
}

/** Estimate interpolated modified Kneser–Ney from raw counts (orders[0] = unigrams incl. <s>). */
export function estimateKneserNey(rawOrders: OrderCounts[], vocabSize: number, rank?: Float64Array): KneserNeyResult {
  const orders = rawOrders.slice();
  orders[0] = withUnk(orders[0]!);
  const { adjusted, countsOfCounts } = adjustCounts(orders, rank);
  const discounts: Discounts[] = [];
  const fallbacks: { order: number; reason: string }[] = [];
  for (let n = 1; n <= orders.length; n++) {
    const r = kneserNeyDiscounts(countsOfCounts[n - 1]!);
    if ('d' in r) discounts.push(r.d);
    else {
      discounts.push(FALLBACK_DISCOUNTS.slice() as Discounts);
      fallbacks.push({ order: n, reason: r.bad });
    }
  }
  const model = buildInterpolated(
    orders,
    (n, start, end, u) => {
      const a = adjusted[n - 1]!;
      const d = discounts[n - 1]!;
      let denom = 0;
      let mass = 0;
      for (let r = start; r < end; r++) {
        const c = a[r]!;
        denom += c;
        if (c > 0) mass += d[Math.min(c, 3)]!;
      }
      if (denom === 0) return 1;
      for (let r = start; r < end; r++) {
        const c = a[r]!;
        u[r] = c > 0 ? (c - d[Math.min(c, 3)]!) / denom : 0;
      }
      return mass / denom;
    },
    vocabSize,
  );
  return { model, stats: { adjusted, countsOfCounts, discounts, fallbacks } };
}

/** The unigram row (not <s>) whose word has the highest rank, where lmplz's last n-gram ends; -1 when none. */
export function highestRankedUnigram(uni: OrderCounts, rank: ArrayLike<number>): number {
  let best = -1;
  let bestRow = -1;
  for (let r = 0; r < uni.rows; r++) {
    const w = uni.words[r]!;
    if (w === BOS) continue;
    if ((rank[w] ?? -1) > best) {
      best = rank[w]!;
      bestRow = r;
    }
  }
  return bestRow;
}
