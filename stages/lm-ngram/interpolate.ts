// Builds an interpolated model in ARPA form, order by order (KenLM's
// lm/builder/interpolate.cc):  p(w | h) = u(h w) + gamma(h) * p(w | h'), where h'
// drops the first word of h and the unigrams interpolate with the uniform
// distribution 1/V. A listed n-gram stores p(h w); a context h stores gamma(h)
// as its backoff, so unlisted words get gamma(h) * p(w | h') when scored.

import { BOS, UNK } from '../../lib/formats/tokens.js';
import { makeBackoffOrder, BackoffModel, type BackoffOrder } from './backoff-model.js';
import { makeOrder, sameContext, suffixRows, type OrderCounts } from './counts.js';

/** For the rows [start, end) of order n sharing one context: fill u[start..end), return gamma of the context. */
export type GroupEstimate = (n: number, start: number, end: number, u: Float64Array) => number;

/** The unigram table with `<unk>` (id 0) listed, as KenLM lists it even when the corpus never has it. */
export function withUnk(uni: OrderCounts): OrderCounts {
  if (uni.rows > 0 && uni.words[0] === UNK) return uni;
  const words = new Int32Array(uni.rows + 1);
  const counts = new Float64Array(uni.rows + 1);
  words.set(uni.words, 1);
  counts.set(uni.counts, 1);
  words[0] = UNK;
  return makeOrder(1, words, counts);
}

/** V of the uniform distribution: every unigram but `<s>` (KenLM: "includes <unk> but excludes <s>"). */
export function uniformVocabSize(uni: OrderCounts): number {
  let v = 0;
  for (let r = 0; r < uni.rows; r++) if (uni.words[r] !== BOS) v++;
  return v;
}

/** Compare row a of the order-(n-1) table with the context (first n-1 words) of row b of order n. */
function compareRow(lowerWords: Int32Array, a: number, words: Int32Array, b: number, n: number): number {
  const pa = a * (n - 1);
  const pb = b * n;
  for (let k = 0; k < n - 1; k++) {
    const d = lowerWords[pa + k]! - words[pb + k]!;
    if (d !== 0) return d;
  }
  return 0;
}

export function buildInterpolated(orders: OrderCounts[], estimate: GroupEstimate, vocabSize: number): BackoffModel {
  const N = orders.length;
  const probs: Float64Array[] = [];
  const out: BackoffOrder[] = [];
  const backoffs = orders.map((o) => new Float32Array(o.rows));
  for (let n = 1; n <= N; n++) {
    const o = orders[n - 1]!;
    const u = new Float64Array(o.rows);
    const p = new Float64Array(o.rows);
    if (n === 1) {
      const gamma = estimate(1, 0, o.rows, u);
      const uniform = 1 / uniformVocabSize(o);
      for (let r = 0; r < o.rows; r++) p[r] = o.words[r] === BOS ? 1 : u[r]! + gamma * uniform;
    } else {
      const lower = orders[n - 2]!;
      const lowerP = probs[n - 2]!;
      const suffix = suffixRows(orders, n);
      // Contexts come in sorted order, as do the rows of order n-1: walk both.
      let j = 0;
      let r = 0;
      while (r < o.rows) {
        const start = r;
        do r++;
        while (r < o.rows && sameContext(o.words, start, r, n));
        const gamma = estimate(n, start, r, u);
        let cmp = -1;
        while (j < lower.rows && (cmp = compareRow(lower.words, j, o.words, start, n)) < 0) j++;
        if (j < lower.rows && cmp === 0) backoffs[n - 2]![j] = Math.log10(gamma);
        for (let i = start; i < r; i++) {
          const sr = suffix[i]!;
          p[i] = u[i]! + gamma * (sr >= 0 ? lowerP[sr]! : 0);
        }
      }
    }
    probs.push(p);
  }
  for (let n = 1; n <= N; n++) {
    const o = orders[n - 1]!;
    const p = probs[n - 1]!;
    const lp = new Float32Array(o.rows);
    // KenLM clamps at 0 for numerical noise ("Take that IRST").
    for (let r = 0; r < o.rows; r++) lp[r] = Math.min(0, Math.log10(p[r]!));
    out.push(makeBackoffOrder(n, o.words, lp, backoffs[n - 1]!, o.index));
  }
  return new BackoffModel(out, vocabSize);
}
