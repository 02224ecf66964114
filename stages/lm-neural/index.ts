// The lm-neural stage: trains a fixed-window (Bengio et al. 2003), LSTM
// (Zaremba et al. 2014) or Transformer (decoder-only, pre-LN) language model
// on the tokenize stage's shards and scores it with the n-gram models'
// conventions. This file is the definition only: the training code (train-stage.ts)
// and TensorFlow.js load when the stage runs, so every other command starts fast.

import { defineStage, type StageContext } from '../../pipeline/stage.js';
import { BACKEND_CHOICES, type BackendChoice } from '../../lib/nn/backend/choices.js';
import type { SoftmaxKind } from '../../lib/nn/output.js';
import type { Arch } from './model.js';
import type { Decay } from './train.js';
import { TASKS } from './tasks.js';
import { neuralLanguageModels } from './language-model.js';

export const params = {
  arch: { type: 'enum', choices: ['window', 'lstm', 'transformer'] as Arch[], default: 'lstm' as Arch, describe: 'window (Bengio 2003), lstm (Zaremba 2014) or transformer (decoder-only)' },
  backend: { type: 'enum', choices: BACKEND_CHOICES as BackendChoice[], default: 'auto' as BackendChoice, describe: 'tfjs backend: auto = tfjs-node if installed, else wasm, else cpu', fingerprint: false },
  'max-vocab': { type: 'int', default: 10000, min: 5, describe: 'model vocabulary: the most frequent types (ids below this); rarer ids become <unk>' },
  embed: { type: 'int', default: 128, min: 1, describe: 'embedding size (window, lstm)' },
  hidden: { type: 'int', default: 256, min: 1, describe: 'hidden units: tanh layer (window) or LSTM cells (lstm)' },
  'd-model': { type: 'int', default: 128, min: 1, describe: 'transformer width' },
  ffn: { type: 'int', default: 512, min: 1, describe: 'transformer feed-forward width' },
  heads: { type: 'int', default: 4, min: 1, describe: 'attention heads (must divide --d-model)' },
  layers: { type: 'int', default: 2, min: 1, max: 24, describe: 'LSTM layers or transformer blocks' },
  order: { type: 'int', default: 5, min: 2, max: 32, describe: 'window model order n (conditions on n-1 tokens)' },
  context: { type: 'int', default: 64, min: 2, max: 4096, describe: 'transformer context (tokens)' },
  bptt: { type: 'int', default: 35, min: 1, max: 1000, describe: 'LSTM truncated-BPTT length' },
  dropout: { type: 'float', default: 0.2, min: 0, max: 0.95, describe: 'dropout on non-recurrent connections' },
  softmax: { type: 'enum', choices: ['full', 'class'] as SoftmaxKind[], default: 'class' as SoftmaxKind, describe: 'output layer: class = class-factored softmax (Goodman 2001), exact and ~√V/2 times cheaper; full = one softmax over the vocabulary' },
  classes: { type: 'int', default: 0, min: 0, describe: 'classes of --softmax class (0 = ⌈√V⌉); ids are frequency-sorted, so class k holds the k-th block of ids' },
  tie: { type: 'bool', default: false, describe: 'tie input and output embeddings (lstm: needs --hidden = --embed; transformer: always possible)' },
  optimizer: { type: 'enum', choices: ['adam', 'sgd'] as ('adam' | 'sgd')[], default: 'adam' as 'adam' | 'sgd', describe: 'adam, or sgd (Zaremba: --lr 1 --decay step)' },
  lr: { type: 'float', default: 0.002, min: 0, exclusiveMin: true, describe: 'peak learning rate' },
  warmup: { type: 'int', default: 10, min: 0, describe: 'linear warm-up steps' },
  decay: { type: 'enum', choices: ['none', 'step', 'cosine'] as Decay[], default: 'step' as Decay, describe: 'learning-rate decay: step (x --lr-decay per epoch from --decay-start), cosine over all epochs, none' },
  'lr-decay': { type: 'float', default: 0.5, min: 0, max: 1, describe: 'step decay factor per epoch' },
  'decay-start': { type: 'int', default: 4, min: 1, describe: 'first epoch (1-based) with step decay' },
  clip: { type: 'float', default: 5, min: 0, describe: 'clip gradients to this global L2 norm (0 = off)' },
  batch: { type: 'int', default: 32, min: 1, describe: 'sequences (lstm, transformer) or examples (window) per batch' },
  epochs: { type: 'int', default: 10, min: 1, describe: 'passes over the training split' },
  // The default budget is in steps, not minutes, so that two runs give the same bytes (issue 14);
  // --max-minutes is there for long runs, at the price of reproducibility. 100 batches
  // of 32 x 35 tokens take well under a minute on Brown on two cores (wasm, class softmax).
  'max-steps': { type: 'int', default: 100, min: 0, describe: 'training budget in batches (0 = none): training stops after this many; reproducible' },
  'max-minutes': { type: 'float', default: 0, min: 0, describe: 'training time budget in minutes (0 = none; evaluation comes after it); the output then depends on the machine' },
  patience: { type: 'int', default: 2, min: 1, describe: 'early stopping: epochs without a better validation perplexity' },
  'checkpoint-every': { type: 'int', default: 200, min: 1, describe: 'steps between checkpoints', fingerprint: false },
  'log-every': { type: 'int', default: 20, min: 1, describe: 'steps between history rows', fingerprint: false },
  'data-parallel': { type: 'bool', default: false, describe: 'split each batch\'s rows across the worker pool (the LSTM\'s carried state too); pays only for large batches' },
  seed: { type: 'int', default: 1, describe: 'seed for initialization, shuffling and dropout' },
} as const;

export default defineStage({
  name: 'lm-neural',
  describe: 'neural language model (window, LSTM or Transformer) trained with TensorFlow.js',
  // 2: the LSTM restarts its state at each <s> (trained as it is scored); --softmax class.
  version: 2,
  tasks: TASKS,
  languageModel: neuralLanguageModels,
  inputs: ['tokenize'],
  params: params as never as typeof params & Record<string, never>,
  async run(ctx) {
    return (await import('./train-stage.js')).runLmNeural(ctx as unknown as StageContext<typeof params>);
  },
});
