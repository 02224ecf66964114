// The decoding interface (stages/decoding/model.ts) for the neural LMs: given
// a prefix after <s>, the log-distribution of the next token. The prefix is
// read from <s> on with a fresh state (as evaluation does); the Transformer
// sees at most its last `context` tokens, the window model its last n−1.

import type { NextTokenModel } from '../../lib/lm/next-token-model.js';
import { BOS, PAD } from '../../lib/formats/tokens.js';
import { tf } from './backend/index.js';
import type { NeuralLM } from './model.js';

export class NeuralNextTokenModel implements NextTokenModel {
  readonly vocabSize: number;
  constructor(readonly model: NeuralLM) {
    this.vocabSize = model.config.vocab;
  }

  /** The input row for a prefix: <s> then the prefix, cut to the model's context. */
  inputsFor(prefix: Int32Array): Int32Array {
    const row = new Int32Array(prefix.length + 1);
    row[0] = BOS;
    row.set(prefix, 1);
    const C = this.model.maxContext;
    return Number.isFinite(C) && row.length > C ? row.slice(row.length - C) : row;
  }

  async nextLogProbs(prefix: Int32Array): Promise<Float64Array> {
    const row = this.inputsFor(prefix);
    const T = row.length;
    const lp = tf.tidy(() => tf.logSoftmax(tf.slice(this.model.logits(row, 1, T), [T - 1, 0], [1, this.vocabSize])));
    const out = Float64Array.from(lp.dataSync());
    lp.dispose();
    out[BOS] = -Infinity; // <s> is never predicted
    out[PAD] = -Infinity;
    return out;
  }
}
