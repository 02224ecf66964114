// Add-k smoothing (Laplace when k = 1; Jurafsky & Martin 3.5):
//   p(w | h) = (c(h w) + k) / (c(h) + k V)
// with the longest history the sentence offers (up to N-1 words); an unseen
// history gives the uniform 1/V. Not expressible in ARPA form (the unseen mass
// is uniform, not a lower order), so it is scored directly from the counts.

import { BOS, PAD, UNK } from '../../lib/formats/tokens.js';
import type { LanguageModel } from './backoff-model.js';
import type { NextTokenModel } from '../../lib/lm/next-token-model.js';
import { contextSums, type OrderCounts } from './counts.js';
import { uniformVocabSize, withUnk } from './interpolate.js';
import { predictableCounts } from './simple-models.js';

export class AddKModel implements LanguageModel, NextTokenModel {
  readonly order: number;
  readonly normalized = true;
  private readonly orders: OrderCounts[];
  private readonly counts: Float64Array[];
  private readonly sums: Float64Array[];
  private readonly V: number;
  private readonly known: Uint8Array;
  private readonly q: Int32Array;

  constructor(
    raw: OrderCounts[],
    readonly vocabSize: number,
    readonly k: number,
  ) {
    this.orders = [withUnk(raw[0]!), ...raw.slice(1)];
    this.order = this.orders.length;
    this.counts = predictableCounts(this.orders);
    this.sums = this.orders.map((_, i) => contextSums(this.orders, i + 1, this.counts[i]!));
    this.V = uniformVocabSize(this.orders[0]!);
    this.known = new Uint8Array(vocabSize);
    const uni = this.orders[0]!;
    for (let r = 0; r < uni.rows; r++) if (uni.words[r]! < vocabSize && uni.words[r] !== BOS) this.known[uni.words[r]!] = 1;
    this.q = new Int32Array(this.order);
  }

  knows(w: number): boolean {
    return w >= 0 && w < this.vocabSize && this.known[w] === 1;
  }

  logProb10(hist: Int32Array, end: number, histLen: number, w: number): number {
    if (!this.knows(w)) w = UNK;
    const L = Math.min(histLen, this.order - 1);
    const n = L + 1;
    const q = this.q;
    for (let i = 0; i < L; i++) q[i] = hist[end - L + i]!;
    q[L] = w;
    let denom: number;
    if (n === 1) denom = this.sums[0]![0]!;
    else {
      const ctx = this.orders[n - 2]!.index.find(q, 0);
      denom = ctx >= 0 ? this.sums[n - 1]![ctx]! : 0;
    }
    const row = this.orders[n - 1]!.index.find(q, 0);
    const c = row >= 0 ? this.counts[n - 1]![row]! : 0;
    return Math.log10((c + this.k) / (denom + this.k * this.V));
  }

  async nextLogProbs(prefix: Int32Array): Promise<Float64Array> {
    const hist = new Int32Array(prefix.length + 1);
    hist[0] = BOS;
    for (let i = 0; i < prefix.length; i++) hist[i + 1] = this.knows(prefix[i]!) ? prefix[i]! : UNK;
    const out = new Float64Array(this.vocabSize).fill(-Infinity);
    for (let w = 0; w < this.vocabSize; w++) {
      if (w === BOS || w === PAD || !this.knows(w)) continue;
      out[w] = this.logProb10(hist, hist.length, hist.length, w) * Math.LN10;
    }
    return out;
  }
}
