// Jelinek–Mercer linear interpolation (Jelinek & Mercer 1980; Chen & Goodman
// 1998 sec. 2.3): p_n(w|h) = lambda_n p_ML(w|h) + (1 - lambda_n) p_{n-1}(w|h'),
// p_0 = 1/V, one lambda per order, fitted by EM on held-out (valid) text. A
// context never seen in training passes straight to the lower order, which is
// what the ARPA form gives (absent context = backoff 1).

import { BOS, EOS, UNK } from '../../lib/formats/tokens.js';
import { readTokenShard } from '../../lib/formats/tokens.js';
import type { BackoffModel } from './backoff-model.js';
import { contextSums, type OrderCounts } from './counts.js';
import { buildInterpolated, uniformVocabSize, withUnk } from './interpolate.js';
import { contextTotal, predictableCounts } from './simple-models.js';

/**
 * EM for the lambdas. For each held-out token, a[n] = p_ML(w | h_n) where the
 * order-n context was seen (NaN otherwise). With the nested mixture, the
 * posterior of "reached level n" is prod_{m>n}(1-l_m) p_n / p_N and of "chose
 * p_ML at level n" prod_{m>n}(1-l_m) l_n a_n / p_N; lambda_n = chose / reached.
 */
export function fitLambdas(a: Float64Array, N: number, uniform: number, iterations = 30): number[] {
  const lambdas = new Array<number>(N).fill(0.5);
  const tokens = a.length / N;
  const p = new Float64Array(N + 1);
  for (let it = 0; it < iterations; it++) {
    const chose = new Float64Array(N);
    const reached = new Float64Array(N);
    for (let t = 0; t < tokens; t++) {
      p[0] = uniform;
      for (let n = 1; n <= N; n++) {
        const an = a[t * N + n - 1]!;
        p[n] = Number.isNaN(an) ? p[n - 1]! : lambdas[n - 1]! * an + (1 - lambdas[n - 1]!) * p[n - 1]!;
      }
      const pN = p[N]!;
      if (!(pN > 0)) continue;
      let above = 1;
      for (let n = N; n >= 1; n--) {
        const an = a[t * N + n - 1]!;
        if (Number.isNaN(an)) continue;
        reached[n - 1]! += (above * p[n]!) / pN;
        chose[n - 1]! += (above * lambdas[n - 1]! * an) / pN;
        above *= 1 - lambdas[n - 1]!;
      }
    }
    for (let n = 0; n < N; n++) if (reached[n]! > 0) lambdas[n] = Math.min(0.999, Math.max(0.001, chose[n]! / reached[n]!));
  }
  return lambdas;
}

/** p_ML of every held-out token at every order (NaN where the context is unseen). */
export function heldOutMle(orders: OrderCounts[], shards: string[], known: (w: number) => boolean): Float64Array {
  const N = orders.length;
  const c = predictableCounts(orders);
  const sums = orders.map((_, k) => contextSums(orders, k + 1, c[k]!));
  const parts: number[] = [];
  const q = new Int32Array(N);
  for (const f of shards) {
    const s = readTokenShard(f);
    for (let r = 0; r < s.rows; r++) {
      const from = s.offsets[r]!;
      const len = s.offsets[r + 1]! - from;
      const sent = new Int32Array(len + 2);
      sent[0] = BOS;
      for (let i = 0; i < len; i++) sent[i + 1] = known(s.ids[from + i]!) ? s.ids[from + i]! : UNK;
      sent[len + 1] = EOS;
      for (let i = 1; i <= len + 1; i++) {
        for (let n = 1; n <= N; n++) {
          if (i - n + 1 < 0) {
            parts.push(NaN);
            continue;
          }
          const o = orders[n - 1]!;
          for (let k = 0; k < n; k++) q[k] = sent[i - n + 1 + k]!;
          let denom: number;
          if (n === 1) denom = sums[0]![0]!;
          else {
            const ctx = orders[n - 2]!.index.find(q, 0);
            denom = ctx >= 0 ? sums[n - 1]![ctx]! : 0;
          }
          if (!(denom > 0)) {
            parts.push(NaN);
            continue;
          }
          const row = o.index.find(q, 0);
          parts.push(row >= 0 ? c[n - 1]![row]! / denom : 0);
        }
      }
    }
  }
  return Float64Array.from(parts);
}

export function estimateJelinekMercer(raw: OrderCounts[], vocabSize: number, lambdas: number[]): BackoffModel {
  const orders = [withUnk(raw[0]!), ...raw.slice(1)];
  const c = predictableCounts(orders);
  return buildInterpolated(
    orders,
    (n, start, end, u) => {
      const v = c[n - 1]!;
      const denom = contextTotal(v, start, end);
      if (denom === 0) return 1;
      const l = lambdas[n - 1]!;
      for (let r = start; r < end; r++) u[r] = (l * v[r]!) / denom;
      return 1 - l;
    },
    vocabSize,
  );
}

export function uniformOf(raw: OrderCounts[]): number {
  return 1 / uniformVocabSize(withUnk(raw[0]!));
}
