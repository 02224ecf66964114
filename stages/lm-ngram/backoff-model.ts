// An n-gram model in ARPA form (log10 probability per listed n-gram, log10
// backoff per context), scored as KenLM and SRILM score it:
//   p(w | h) = p(h w)                    if h w is listed,
//            = b(h) * p(w | h minus its first word)   otherwise (b = 1 when h is not listed).
// Kneser–Ney, absolute discounting, Katz, Jelinek–Mercer, MLE and stupid
// backoff are all built into this form (interpolated models store the
// interpolated probability of listed n-grams and the interpolation weight as b).

import { BOS, PAD, UNK } from '../../lib/formats/tokens.js';
import type { NextTokenModel } from '../../lib/lm/next-token-model.js';
import { NgramIndex } from './ngram-index.js';

/** What perplexity and decoding need from any n-gram model. */
export interface LanguageModel {
  readonly order: number;
  /** Ids range over 0 .. vocabSize-1 (the vocabulary of the tokenize stage). */
  readonly vocabSize: number;
  /** False for scores that are not probabilities (stupid backoff). */
  readonly normalized: boolean;
  /** True when the model has the word; other ids are scored as `<unk>` (an OOV, as in KenLM query). */
  knows(w: number): boolean;
  /** log10 p(w | the histLen words before position `end` of `hist`). */
  logProb10(hist: Int32Array, end: number, histLen: number, w: number): number;
}

export interface BackoffOrder {
  n: number;
  rows: number;
  /** Row-major words, rows*n. */
  words: Int32Array;
  logprob: Float32Array;
  /** log10 backoff; 0 for the highest order and for n-grams that are no context. */
  backoff: Float32Array;
  index: NgramIndex;
}

/** `index` may be shared with the count table the words come from (same rows, same order). */
export function makeBackoffOrder(n: number, words: Int32Array, logprob: Float32Array, backoff: Float32Array, index?: NgramIndex): BackoffOrder {
  const rows = logprob.length;
  return { n, rows, words, logprob, backoff, index: index ?? new NgramIndex(words, n, rows) };
}

export class BackoffModel implements LanguageModel, NextTokenModel {
  readonly order: number;
  /** Row of each word id in the unigram table, or -1. */
  private readonly unigramRow: Int32Array;
  private readonly q: Int32Array;

  constructor(
    readonly orders: BackoffOrder[],
    readonly vocabSize: number,
    readonly normalized = true,
  ) {
    this.order = orders.length;
    this.q = new Int32Array(this.order);
    const uni = orders[0]!;
    let maxId = vocabSize - 1;
    for (let r = 0; r < uni.rows; r++) maxId = Math.max(maxId, uni.words[r]!);
    this.unigramRow = new Int32Array(maxId + 1).fill(-1);
    for (let r = 0; r < uni.rows; r++) this.unigramRow[uni.words[r]!] = r;
  }

  knows(w: number): boolean {
    return w >= 0 && w < this.unigramRow.length && this.unigramRow[w]! >= 0 && w !== PAD;
  }

  /** Backoff weights of the contexts h[-m..] for m = 1..L, summed from the longest down: bo[m] = sum_{j>=m} b(last j words). */
  private backoffSums(hist: Int32Array, end: number, L: number, out: Float64Array): void {
    out[L + 1] = 0;
    for (let m = L; m >= 1; m--) {
      const o = this.orders[m - 1]!;
      const r = o.index.find(hist, end - m);
      out[m] = out[m + 1]! + (r >= 0 ? o.backoff[r]! : 0);
    }
  }

  logProb10(hist: Int32Array, end: number, histLen: number, w: number): number {
    if (!this.knows(w)) w = UNK;
    const L = Math.min(histLen, this.order - 1);
    const q = this.q;
    for (let i = 0; i < L; i++) q[i] = hist[end - L + i]!;
    q[L] = w;
    // Longest listed n-gram ending in w: q[L-n+1 .. L].
    let n = L + 1;
    let lp = 0;
    for (; n >= 1; n--) {
      if (n === 1) {
        const r = this.unigramRow[w]!;
        lp = r >= 0 ? this.orders[0]!.logprob[r]! : -Infinity;
        break;
      }
      const r = this.orders[n - 1]!.index.find(q, L - n + 1);
      if (r >= 0) {
        lp = this.orders[n - 1]!.logprob[r]!;
        break;
      }
    }
    // Add the backoffs of the contexts longer than the match: h of length n .. L.
    for (let m = n; m <= L; m++) {
      const o = this.orders[m - 1]!;
      const r = o.index.find(q, L - m);
      if (r >= 0) lp += o.backoff[r]!;
    }
    return lp;
  }

  /** Natural-log probabilities of every id after `<s> prefix` (NextTokenModel). */
  async nextLogProbs(prefix: Int32Array): Promise<Float64Array> {
    return this.nextLogProbsSync(prefix);
  }

  nextLogProbsSync(prefix: Int32Array): Float64Array {
    const hist = new Int32Array(prefix.length + 1);
    hist[0] = BOS;
    for (let i = 0; i < prefix.length; i++) hist[i + 1] = this.knows(prefix[i]!) ? prefix[i]! : UNK;
    const end = hist.length;
    const L = Math.min(end, this.order - 1);
    const bo = new Float64Array(L + 2);
    this.backoffSums(hist, end, L, bo);
    const out = new Float64Array(this.vocabSize).fill(-Infinity);
    const q = new Int32Array(L + 1);
    for (let i = 0; i < L; i++) q[i] = hist[end - L + i]!;
    const uni = this.orders[0]!;
    for (let r = 0; r < uni.rows; r++) {
      const w = uni.words[r]!;
      if (w === BOS || w === PAD || w >= this.vocabSize) continue;
      q[L] = w;
      let lp = uni.logprob[r]!;
      let n = 1;
      for (let m = L + 1; m >= 2; m--) {
        const rr = this.orders[m - 1]!.index.find(q, L - m + 1);
        if (rr >= 0) {
          lp = this.orders[m - 1]!.logprob[rr]!;
          n = m;
          break;
        }
      }
      out[w] = (lp + bo[n]!) * Math.LN10;
    }
    return out;
  }
}
