// What the three architectures share: a config, named parameters (plain
// tf.Variables, lib/nn/params.ts), a training loss and sequence scoring.

import { tf } from '../../lib/nn/backend/index.js';
import { createOutputLayer, type OutputLayer, type OutputOptions, type SoftmaxKind } from '../../lib/nn/output.js';

export type Arch = 'window' | 'lstm' | 'transformer';

export interface ModelConfig {
  arch: Arch;
  /** Output/input vocabulary size (ids ≥ vocab are mapped to <unk> before the model sees them). */
  vocab: number;
  /** Embedding size (window, lstm); d_model for the transformer. */
  embed: number;
  /** Hidden size: tanh layer (window), LSTM cells (lstm), feed-forward width (transformer). */
  hidden: number;
  /** LSTM layers or transformer blocks. */
  layers: number;
  /** Attention heads (transformer). */
  heads: number;
  /** Tokens of context: n−1 (window), the maximum sequence length (transformer); BPTT length (lstm, training only). */
  context: number;
  /** Dropout rate on non-recurrent connections. */
  dropout: number;
  /** Share the input embedding with the output layer (Press & Wolf 2017); needs hidden == embed for lstm. */
  tie: boolean;
  /** Output layer (output.ts): one softmax over V, or class-factored; absent in models saved before it existed = full. */
  softmax?: SoftmaxKind;
  /** Classes of the class-factored softmax; 0 = ⌈√V⌉. */
  classes?: number;
  seed: number;
}

/** One training batch as typed arrays: rows of `inputs` and `targets`, [B, T] row-major. */
export interface Batch {
  inputs: Int32Array;
  targets: Int32Array;
  /** 1 where the target counts, 0 for padding; absent = all count. */
  weights?: Float32Array;
  B: number;
  T: number;
}

export interface NeuralLM {
  readonly config: ModelConfig;
  /** Parameters in a fixed order, with stable names (the checkpoint and artifact layout). */
  readonly params: tf.Variable[];
  readonly paramNames: string[];
  /** Longest input the model can condition on at once (Infinity for the LSTM). */
  readonly maxContext: number;
  /** Mean cross-entropy of the batch (nats/token); call inside a gradient tape. `seed` fixes dropout masks. */
  trainLoss(batch: Batch, seed: number): tf.Scalar;
  /** After an optimizer step: keep the carried state (LSTM) for the next batch. */
  commitState?(): void;
  /** Forget the carried state (start of an epoch). */
  resetState?(): void;
  /** The carried state as arrays (checkpoint), and back. */
  getState?(): Float32Array[];
  setState?(state: Float32Array[]): void;
  /**
   * Log-probability (nats) of every target given the inputs of the same row so
   * far, each row read from its start (no carried state, no dropout). [B·T].
   */
  scoreSequences(inputs: Int32Array, B: number, T: number, targets: Int32Array): Float32Array;
  /** Logits [B·T, V] for evaluation/decoding (no dropout). */
  logits(inputs: Int32Array, B: number, T: number): tf.Tensor2D;
}

export function disposeModel(model: NeuralLM): void {
  for (const p of model.params) p.dispose();
  model.resetState?.();
}

/** The output layer a model config asks for over `hidden` units; `embedding` is shared when cfg.tie. Configs saved before --softmax existed mean `full`. */
export function outputLayerFor(cfg: ModelConfig, hidden: number, embedding: tf.Variable, init: OutputOptions['init']): OutputLayer {
  return createOutputLayer({ kind: cfg.softmax ?? 'full', vocab: cfg.vocab, hidden, classes: cfg.classes ?? 0, init, tiedEmbedding: cfg.tie ? embedding : undefined });
}

export function validateConfig(c: ModelConfig): string | undefined {
  if (c.arch === 'transformer' && c.embed % c.heads !== 0) return `--heads ${c.heads} does not divide --d-model ${c.embed}`;
  if (c.arch === 'lstm' && c.tie && c.hidden !== c.embed) return `--tie needs --hidden equal to --embed (got ${c.hidden} and ${c.embed})`;
  if (c.tie && c.softmax === 'class') return '--tie needs --softmax full (the class softmax has no [V, H] matrix to share)';
  if (c.vocab < 5) return `vocabulary of ${c.vocab} types is too small for a language model`;
  return undefined;
}
