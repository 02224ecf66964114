// Perplexity with KenLM query's conventions (lm/ngram_query.hh): every sentence
// is scored from the context `<s>`, word by word and then `</s>`; a word the
// model lacks is scored as `<unk>` and counted as an OOV (so is `<unk>` itself);
//   ppl (incl. OOVs) = 10^(-sum log10 p / tokens)          tokens include </s>
//   ppl (excl. OOVs) = 10^(-(sum - sum over OOVs) / (tokens - OOVs))

import { BOS, EOS, UNK, readTokenShard } from '../../lib/formats/tokens.js';
import type { PerplexityReport } from '../../lib/lm/language-model.js';
import type { LanguageModel } from './backoff-model.js';

/** The figures of lib/lm's report; the printout's notes are added by the caller. */
export type PerplexityResult = Omit<PerplexityReport, 'notes'>;

export class PerplexityAccumulator {
  sentences = 0;
  tokens = 0;
  oovs = 0;
  total = 0;
  totalOov = 0;
  /** Kept apart (not total - totalOov): with MLE both are -Infinity and their difference NaN. */
  totalInVocab = 0;
  private buf = new Int32Array(256);

  constructor(readonly model: LanguageModel) {}

  /** Score one sentence (ids without <s>/</s>); returns its log10 probability. */
  sentence(ids: Int32Array, from: number, to: number): number {
    const m = this.model;
    const len = to - from;
    if (this.buf.length < len + 2) this.buf = new Int32Array(2 * len + 2);
    const buf = this.buf;
    buf[0] = BOS;
    let sum = 0;
    for (let i = 0; i <= len; i++) {
      let w = i < len ? ids[from + i]! : EOS;
      const oov = w === UNK || !m.knows(w);
      if (oov) w = UNK;
      const lp = m.logProb10(buf, i + 1, i + 1, w);
      sum += lp;
      if (oov) {
        this.oovs++;
        this.totalOov += lp;
      } else this.totalInVocab += lp;
      buf[i + 1] = w;
    }
    this.tokens += len + 1;
    this.sentences++;
    this.total += sum;
    return sum;
  }

  result(): PerplexityResult {
    return {
      sentences: this.sentences,
      tokens: this.tokens,
      oovs: this.oovs,
      logProb10: this.total,
      oovLogProb10: this.totalOov,
      ppl: Math.pow(10, -this.total / this.tokens),
      pplExclOov: Math.pow(10, -this.totalInVocab / (this.tokens - this.oovs)),
    };
  }
}

/** Perplexity of `model` over token shards; `perSentence` receives each sentence's log10 probability. */
export function perplexity(model: LanguageModel, shards: string[], perSentence?: (doc: number, logProb10: number, tokens: number) => void): PerplexityResult {
  const acc = new PerplexityAccumulator(model);
  for (const file of shards) {
    const s = readTokenShard(file);
    for (let r = 0; r < s.rows; r++) {
      const lp = acc.sentence(s.ids, s.offsets[r]!, s.offsets[r + 1]!);
      perSentence?.(s.docs[r]!, lp, s.offsets[r + 1]! - s.offsets[r]! + 1);
    }
  }
  return acc.result();
}
