// What the seq2seq architectures share: a config, and the interface training
// (lib/nn/train-loop.ts), decoding (decode.ts) and the artifacts use.

import type { tf } from '../nn/backend/index.js';
import type { TrainableModel } from '../nn/train-loop.js';
import type { PairBatch } from './data.js';

export type Seq2SeqArch = 'rnn';
export type AttentionScore = 'additive' | 'dot' | 'general';

export interface Seq2SeqConfig {
  arch: Seq2SeqArch;
  srcVocab: number;
  tgtVocab: number;
  embed: number;
  /** Hidden units per encoder direction and of the decoder. */
  hidden: number;
  attention: AttentionScore;
  /** Output layer (lib/nn/output.ts): full softmax, or class-factored (Goodman 2001) over the frequency-sorted target ids; absent = full. */
  softmax?: 'full' | 'class';
  dropout: number;
  seed: number;
}

/** The encoder's output for a batch, kept out of tidy scopes until disposed. */
export interface Encoded {
  B: number;
  S: number;
  /** (B, S, H) attention memory. */
  memory: tf.Tensor3D;
  /** (B, S) additive mask: 0 on real source positions, −1e9 on padding. */
  mask: tf.Tensor2D;
  /** (B, S, H) memory·W1 for additive attention (precomputed once per sentence). */
  keys?: tf.Tensor3D;
}

/** The decoder's state between steps: (B, H) each. */
export interface DecoderState {
  h: tf.Tensor2D;
  c: tf.Tensor2D;
  /** The previous attentional hidden state h̃ (input feeding). */
  feed: tf.Tensor2D;
}

export interface Seq2SeqModel extends TrainableModel<PairBatch> {
  readonly config: Seq2SeqConfig;
  readonly paramNames: string[];
  /** Encode (no dropout): src (B, S) row-major, PAD after srcLen. Caller disposes with disposeEncoded. */
  encode(src: Int32Array, srcLen: Int32Array, B: number, S: number): { enc: Encoded; state: DecoderState };
  /** One decoder step from `prev` tokens (B): log-probabilities (B, V), the next state, attention (B, S). Caller disposes. */
  step(enc: Encoded, state: DecoderState, prev: Int32Array): { logProbs: tf.Tensor2D; state: DecoderState; attention: tf.Tensor2D };
  /** Σ ln p(target) over the real target positions of a batch (teacher forcing, no dropout), and their count. */
  score(batch: PairBatch): { logProb: number; tokens: number };
}

export function validateConfig(c: Seq2SeqConfig): string | undefined {
  if (c.srcVocab < 5 || c.tgtVocab < 5) return `vocabularies of ${c.srcVocab} (source) and ${c.tgtVocab} (target) types are too small to translate`;
  return undefined;
}
