// Katz backoff (Katz 1987) with Good–Turing discounts for counts r <= K = 5
// (Jurafsky & Martin, 2nd ed., 4.5; Chen & Goodman 1998 sec. 2.4):
//   d_r = (r*/r - (K+1) n_{K+1}/n_1) / (1 - (K+1) n_{K+1}/n_1),  r* = (r+1) n_{r+1} / n_r
//   p(w|h) = d_r c(h w) / c(h) for seen h w, else alpha(h) p(w|h'), with
//   alpha(h) = (1 - sum_seen p(w|h)) / (1 - sum_seen p(w|h')).
// Unigrams spread their left-over mass uniformly over the vocabulary. Where
// Good–Turing is undefined or out of (0, 1] for an order, d_r = 1 - 0.5/r.

import { BOS } from '../../lib/formats/tokens.js';
import { makeBackoffOrder, BackoffModel, type BackoffOrder } from './backoff-model.js';
import { sameContext, type OrderCounts } from './counts.js';
import { uniformVocabSize, withUnk } from './interpolate.js';
import { predictableCounts } from './simple-models.js';

const K = 5;

export function goodTuringDiscounts(counts: Float64Array): { d: number[]; fallback: boolean } {
  const nr = new Float64Array(K + 2);
  for (let i = 0; i < counts.length; i++) if (counts[i]! >= 1 && counts[i]! <= K + 1) nr[counts[i]!]!++;
  const d = [1];
  const common = ((K + 1) * nr[K + 1]!) / nr[1]!;
  let ok = nr[1]! > 0 && common < 1;
  for (let r = 1; r <= K; r++) {
    const rStar = ((r + 1) * nr[r + 1]!) / nr[r]!;
    const dr = (rStar / r - common) / (1 - common);
    if (!(dr > 0 && dr <= 1)) ok = false;
    d.push(dr);
  }
  if (!ok) return { d: [1, ...[1, 2, 3, 4, 5].map((r) => 1 - 0.5 / r)], fallback: true };
  return { d, fallback: false };
}

export function estimateKatz(raw: OrderCounts[], vocabSize: number): { model: BackoffModel; fallbackOrders: number[] } {
  const orders = [withUnk(raw[0]!), ...raw.slice(1)];
  const c = predictableCounts(orders);
  const N = orders.length;
  const probs: Float64Array[] = [];
  const backoffs = orders.map((o) => new Float32Array(o.rows));
  const fallbackOrders: number[] = [];
  for (let n = 1; n <= N; n++) {
    const o = orders[n - 1]!;
    const v = c[n - 1]!;
    const gt = goodTuringDiscounts(v);
    if (gt.fallback) fallbackOrders.push(n);
    const disc = (x: number): number => (x > K ? 1 : gt.d[x]!);
    const p = new Float64Array(o.rows);
    if (n === 1) {
      let total = 0;
      for (let r = 0; r < o.rows; r++) total += v[r]!;
      let mass = 0;
      for (let r = 0; r < o.rows; r++) {
        p[r] = v[r]! > 0 ? (disc(v[r]!) * v[r]!) / total : 0;
        mass += p[r]!;
      }
      const share = (1 - mass) / uniformVocabSize(o);
      for (let r = 0; r < o.rows; r++) p[r] = o.words[r] === BOS ? 1 : p[r]! + share;
    } else {
      const lower = orders[n - 2]!;
      const lowerP = probs[n - 2]!;
      let r = 0;
      while (r < o.rows) {
        const start = r;
        do r++;
        while (r < o.rows && sameContext(o.words, start, r, n));
        let denom = 0;
        for (let i = start; i < r; i++) denom += v[i]!;
        let seen = 0;
        let seenLower = 0;
        for (let i = start; i < r; i++) {
          p[i] = (disc(v[i]!) * v[i]!) / denom;
          seen += p[i]!;
          const s = lower.index.find(o.words, i * n + 1);
          seenLower += s >= 0 ? lowerP[s]! : 0;
        }
        const alpha = (1 - seen) / Math.max(1e-12, 1 - seenLower);
        const ctx = lower.index.find(o.words, start * n);
        if (ctx >= 0) backoffs[n - 2]![ctx] = Math.log10(Math.max(alpha, 1e-30));
      }
    }
    probs.push(p);
  }
  const out: BackoffOrder[] = orders.map((o, k) =>
    makeBackoffOrder(o.n, o.words, Float32Array.from(probs[k]!, (x) => Math.min(0, Math.log10(x))), backoffs[k]!, o.index),
  );
  return { model: new BackoffModel(out, vocabSize), fallbackOrders };
}
