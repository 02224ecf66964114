// What the seq2seq architectures share: a config, and the interface training
// (lib/nn/train-loop.ts), decoding (decode.ts) and the artifacts use.

import { tf } from '../nn/backend/index.js';
import type { TrainableModel } from '../nn/train-loop.js';
import type { PairBatch } from './data.js';

export type Seq2SeqArch = 'rnn' | 'transformer';
export type AttentionScore = 'additive' | 'dot' | 'general';
export type PositionKind = 'sinusoidal' | 'learned';

export interface Seq2SeqConfig {
  arch: Seq2SeqArch;
  srcVocab: number;
  tgtVocab: number;
  /** rnn: embedding size. */
  embed: number;
  /** rnn: hidden units per encoder direction and of the decoder. */
  hidden: number;
  /** rnn: the attention score. */
  attention: AttentionScore;
  /** Output layer (lib/nn/output.ts): full softmax, or class-factored (Goodman 2001) over the frequency-sorted target ids; absent = full. */
  softmax?: 'full' | 'class';
  dropout: number;
  seed: number;
  /** Label smoothing ε of the training loss (Szegedy et al. 2016; `full` softmax only); absent = 0. */
  labelSmoothing?: number;
  /** transformer: model width, heads, encoder and decoder blocks each, feed-forward width, positions. */
  dModel?: number;
  heads?: number;
  layers?: number;
  ffn?: number;
  positions?: PositionKind;
  /** transformer: the decoder's input embedding is the output projection (Press & Wolf 2017; `full` softmax only). */
  shareEmbeddings?: boolean;
}

/**
 * A batch's per-row decoding tensors: every tensor's first axis is the row (a
 * sentence, or a beam), so a decoder can gather and dispose the rows of any
 * architecture without knowing what they hold. Numbers are per-batch constants.
 */
export interface RowTensors {
  [part: string]: tf.Tensor | tf.Tensor[] | number | undefined;
}

/** The encoder's output for a batch, kept out of tidy scopes until disposed. */
export interface Encoded extends RowTensors {
  B: number;
  S: number;
}

/** The decoder's state between steps: the model's own (RNN: h, c, feed; Transformer: the cached keys and values of the prefix). */
export type DecoderState = RowTensors;

export interface Seq2SeqModel extends TrainableModel<PairBatch> {
  readonly config: Seq2SeqConfig;
  readonly paramNames: string[];
  /** Attention maps a step returns per row: layers × heads (RNN: 1 × 1). */
  readonly attentionMaps: { layers: number; heads: number };
  /** Encode (no dropout): src (B, S) row-major, PAD after srcLen. Caller disposes with disposeEncoded. */
  encode(src: Int32Array, srcLen: Int32Array, B: number, S: number): { enc: Encoded; state: DecoderState };
  /**
   * One decoder step from `prev` tokens (B): log-probabilities (B, V), the next
   * state, and the encoder–decoder attention (B, A·S), A = layers·heads maps
   * over the source, layer-major. The input state is left alive. Caller disposes.
   */
  step(enc: Encoded, state: DecoderState, prev: Int32Array): { logProbs: tf.Tensor2D; state: DecoderState; attention: tf.Tensor2D };
  /** ln p(tgtOut) at every target position (B·T, row-major; padding included, weight 0), teacher forcing, no dropout. */
  positionLogProbs(batch: PairBatch): Float32Array;
  /** Σ ln p(target) over the real target positions of a batch (teacher forcing, no dropout), and their count. */
  score(batch: PairBatch): { logProb: number; tokens: number };
}

/** What is wrong with a configuration's own settings (they need no data, so a stage checks them before any work), or undefined. */
export function settingsProblem(c: Omit<Seq2SeqConfig, 'srcVocab' | 'tgtVocab'>): string | undefined {
  if ((c.labelSmoothing ?? 0) > 0 && c.softmax === 'class') return `--label-smoothing ${c.labelSmoothing} needs --softmax full (the class softmax does not compute every type's probability)`;
  if (c.arch === 'transformer') {
    if (c.dModel! % c.heads! !== 0) return `--heads ${c.heads} does not divide --d-model ${c.dModel}; choose heads that divide it (e.g. --heads ${[8, 4, 2, 1].find((h) => c.dModel! % h === 0)})`;
    if (c.shareEmbeddings && c.softmax === 'class') return '--share-embeddings needs --softmax full (the class softmax has no (V, d-model) matrix to share)';
  }
  return undefined;
}

export function validateConfig(c: Seq2SeqConfig): string | undefined {
  if (c.srcVocab < 5 || c.tgtVocab < 5) return `vocabularies of ${c.srcVocab} (source) and ${c.tgtVocab} (target) types are too small to translate`;
  return settingsProblem(c);
}

/** Σ of the weighted entries of positionLogProbs: score() of every architecture. */
export function sumScored(lp: Float32Array, weights: Float32Array): { logProb: number; tokens: number } {
  let logProb = 0;
  let tokens = 0;
  for (let i = 0; i < lp.length; i++) if (weights[i]) (logProb += lp[i]!), tokens++;
  return { logProb, tokens };
}

/** Rows `idx` of every tensor (axis 0); B becomes the row count. */
export function gatherRows<T extends RowTensors>(x: T, idx: Int32Array): T {
  return tf.tidy(() => {
    const i = tf.tensor1d(idx, 'int32');
    const out: RowTensors = {};
    for (const [k, v] of Object.entries(x)) {
      if (v instanceof tf.Tensor) out[k] = tf.gather(v, i);
      else if (Array.isArray(v)) out[k] = v.map((t) => tf.gather(t, i));
      else out[k] = k === 'B' ? idx.length : v;
    }
    return out as never;
  }) as T;
}

/** Keep every tensor of `x` out of the enclosing tidy. */
export function keepRows(x: RowTensors): void {
  for (const v of Object.values(x)) {
    if (v instanceof tf.Tensor) tf.keep(v);
    else if (Array.isArray(v)) v.forEach((t) => tf.keep(t));
  }
}

export function disposeRows(x: RowTensors): void {
  for (const v of Object.values(x)) {
    if (v instanceof tf.Tensor) v.dispose();
    else if (Array.isArray(v)) tf.dispose(v);
  }
}

export const disposeEncoded = disposeRows;
export const disposeState = disposeRows;
