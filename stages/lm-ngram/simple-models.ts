// The classic smoothing methods that share the interpolated ARPA form of
// interpolate.ts (p(w|h) = u(h w) + gamma(h) p(w|h'), unigrams with 1/V):
//   mle          u = c(h w) / c(h), gamma = 0: no mass for unseen events (Jurafsky & Martin 3.1)
//   absolute     interpolated absolute discounting (Ney, Essen & Kneser 1994) on raw counts,
//                one D per order = n1 / (n1 + 2 n2)
//   stupid       stupid backoff (Brants et al. 2007): S = c(h w)/c(h), else alpha S(w|h');
//                scores, not probabilities
// Raw counts come from the ngrams stage; the unigram `<s>` (one per sentence) is
// never predicted, so it is left out of every unigram distribution.

import { BOS } from '../../lib/formats/tokens.js';
import { BackoffModel } from './backoff-model.js';
import type { OrderCounts } from './counts.js';
import { buildInterpolated, uniformVocabSize, withUnk } from './interpolate.js';

/** Raw counts with the unigram <s> set to 0. */
export function predictableCounts(orders: OrderCounts[]): Float64Array[] {
  return orders.map((o) => {
    const c = o.counts.slice();
    if (o.n === 1) for (let r = 0; r < o.rows; r++) if (o.words[r] === BOS) c[r] = 0;
    return c;
  });
}

/** Σ v[r] over one context's rows [start, end). */
export function contextTotal(v: Float64Array, start: number, end: number): number {
  let total = 0;
  for (let r = start; r < end; r++) total += v[r]!;
  return total;
}

/** u[r] = v[r] / the context's total (0 where that is 0), over rows [start, end). */
function relativeFrequencies(v: Float64Array, start: number, end: number, u: Float64Array): void {
  const denom = contextTotal(v, start, end);
  for (let r = start; r < end; r++) u[r] = denom > 0 ? v[r]! / denom : 0;
}

export function estimateMle(raw: OrderCounts[], vocabSize: number): BackoffModel {
  const orders = [withUnk(raw[0]!), ...raw.slice(1)];
  const c = predictableCounts(orders);
  return buildInterpolated(
    orders,
    (n, start, end, u) => {
      relativeFrequencies(c[n - 1]!, start, end, u);
      return 0;
    },
    vocabSize,
  );
}

/** n1 / (n1 + 2 n2) from raw counts of counts, or 0.5 where that is undefined. */
export function absoluteDiscount(counts: Float64Array): number {
  let n1 = 0;
  let n2 = 0;
  for (let r = 0; r < counts.length; r++) {
    if (counts[r] === 1) n1++;
    else if (counts[r] === 2) n2++;
  }
  return n1 > 0 ? n1 / (n1 + 2 * n2) : 0.5;
}

export function estimateAbsolute(raw: OrderCounts[], vocabSize: number): { model: BackoffModel; discounts: number[] } {
  const orders = [withUnk(raw[0]!), ...raw.slice(1)];
  const c = predictableCounts(orders);
  const discounts = c.map(absoluteDiscount);
  const model = buildInterpolated(
    orders,
    (n, start, end, u) => {
      const v = c[n - 1]!;
      const d = discounts[n - 1]!;
      let denom = 0;
      let seen = 0;
      for (let r = start; r < end; r++) {
        denom += v[r]!;
        if (v[r]! > 0) seen++;
      }
      if (denom === 0) return 1;
      for (let r = start; r < end; r++) u[r] = Math.max(v[r]! - d, 0) / denom;
      return (d * seen) / denom;
    },
    vocabSize,
  );
  return { model, discounts };
}

export function estimateStupidBackoff(raw: OrderCounts[], vocabSize: number, alpha = 0.4): BackoffModel {
  const orders = [withUnk(raw[0]!), ...raw.slice(1)];
  const c = predictableCounts(orders);
  const V = uniformVocabSize(orders[0]!);
  const model = buildInterpolated(
    orders,
    (n, start, end, u) => {
      relativeFrequencies(c[n - 1]!, start, end, u);
      // Unigrams: words never seen (only <unk>) score alpha / V.
      return n === 1 ? alpha : 0;
    },
    vocabSize,
  );
  // Stored scores are relative frequencies (plus alpha/V for unseen unigrams); every context backs off by alpha.
  const la = Math.log10(alpha);
  for (let k = 0; k < model.orders.length - 1; k++) model.orders[k]!.backoff.fill(la);
  const uni = model.orders[0]!;
  for (let r = 0; r < uni.rows; r++) if (c[0]![r]! > 0 && uni.words[r] !== BOS) uni.logprob[r] = Math.log10(c[0]![r]! / denomOf(c[0]!));
  void V;
  return new BackoffModel(model.orders, vocabSize, false);
}

function denomOf(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]!;
  return s;
}
