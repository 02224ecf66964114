// The seq2seq stage: translation with an attentional encoder–decoder on a
// parallel dataset. Steps, as printed: read and check the pairs, tokenize
// both sides (reversible word tokens, pieces.ts) and write the token tables,
// train (lib/nn's loop: checkpoints, exact resume, early stopping on
// validation perplexity), translate valid and test (greedy and beam), score
// BLEU and chrF as sacreBLEU does, write the model, metrics and attention.
// This file is the definition only: run-stage.ts and TensorFlow.js load when
// the stage runs, so every other command starts fast.

import { defineStage, type StageContext } from '../../pipeline/stage.js';
import { translateEndpoint } from './serve.js';
import { BACKEND_CHOICES, type BackendChoice } from '../../lib/nn/backend/choices.js';
import type { Decay } from '../../lib/nn/schedule.js';
import type { AttentionScore, PositionKind, Seq2SeqArch } from '../../lib/seq2seq/model.js';
import { seq2seqCommands } from './commands.js';
import { TASKS } from './tasks.js';

export const params = {
  arch: { type: 'enum', choices: ['rnn', 'transformer'] as Seq2SeqArch[], default: 'rnn' as Seq2SeqArch, describe: 'rnn: bidirectional LSTM encoder, attentional LSTM decoder with input feeding (Luong 2015); transformer: encoder-decoder Transformer (Vaswani 2017)' },
  attention: { type: 'enum', choices: ['additive', 'dot', 'general'] as AttentionScore[], default: 'general' as AttentionScore, describe: 'attention score: additive (Bahdanau 2015), dot or general (Luong 2015)' },
  backend: { type: 'enum', choices: BACKEND_CHOICES as BackendChoice[], default: 'auto' as BackendChoice, describe: 'tfjs backend: auto = tfjs-node if installed, else wasm, else cpu', fingerprint: false },
  pieces: { type: 'enum', choices: ['words', 'bpe'] as ('words' | 'bpe')[], default: 'words' as 'words' | 'bpe', describe: 'what a token is: words = words and punctuation (reversible); bpe = byte-pair pieces learned on the training pairs (Sennrich et al. 2016), cut on whitespace as sentencepiece does' },
  'bpe-vocab': { type: 'int', default: 8000, min: 8, describe: 'bpe: pieces of the BPE model (specials and characters included); each side\'s vocabulary holds the ones its training side uses' },
  'joint-bpe': { type: 'bool', default: true, describe: 'bpe: one merge table learned over both sides (shared names and cognates are cut alike); false = one per side' },
  'max-vocab': { type: 'int', default: 8000, min: 10, describe: 'types per side (the most frequent training tokens); rarer ones become <unk>' },
  'min-count': { type: 'int', default: 2, min: 1, describe: 'a training token needs this many occurrences to get an id' },
  'max-len': { type: 'int', default: 50, min: 1, describe: 'training pairs with a side longer than this (tokens) are left out' },
  softmax: { type: 'enum', choices: ['full', 'class'] as ('full' | 'class')[], default: 'class' as 'full' | 'class', describe: 'output layer: class = class-factored softmax (Goodman 2001), exact and ~√V/2 times cheaper; full = one softmax over the target vocabulary' },
  embed: { type: 'int', default: 128, min: 1, describe: 'rnn: embedding size' },
  hidden: { type: 'int', default: 256, min: 1, describe: 'rnn: LSTM units (per encoder direction, and the decoder)' },
  'd-model': { type: 'int', default: 256, min: 1, describe: 'transformer: model width (embeddings, attention, residual stream)' },
  heads: { type: 'int', default: 4, min: 1, describe: 'transformer: attention heads (must divide --d-model)' },
  layers: { type: 'int', default: 3, min: 1, describe: 'transformer: encoder blocks, and as many decoder blocks' },
  ffn: { type: 'int', default: 1024, min: 1, describe: 'transformer: feed-forward width' },
  positions: { type: 'enum', choices: ['sinusoidal', 'learned'] as PositionKind[], default: 'sinusoidal' as PositionKind, describe: 'transformer: sinusoidal position encodings (Vaswani 2017, 3.5) or a learned table' },
  'share-embeddings': { type: 'bool', default: false, describe: "transformer: the decoder's input embedding is also the output projection (needs --softmax full)" },
  'label-smoothing': { type: 'float', default: 0, min: 0, max: 0.99, describe: 'label smoothing of the training loss (Szegedy 2016; needs --softmax full); perplexities stay the true NLL' },
  dropout: { type: 'float', default: 0.2, min: 0, max: 0.95, describe: 'dropout: rnn on embeddings and attentional states; transformer on embeddings, attention weights and sublayer outputs' },
  optimizer: { type: 'enum', choices: ['adam', 'sgd'] as ('adam' | 'sgd')[], default: 'adam' as 'adam' | 'sgd', describe: 'adam or sgd' },
  lr: { type: 'float', default: 0.002, min: 0, exclusiveMin: true, describe: 'peak learning rate' },
  warmup: { type: 'int', default: 50, min: 0, describe: 'linear warm-up steps' },
  decay: { type: 'enum', choices: ['none', 'step', 'cosine', 'rsqrt'] as Decay[], default: 'none' as Decay, describe: 'learning-rate decay' },
  clip: { type: 'float', default: 5, min: 0, describe: 'clip gradients to this global L2 norm (0 = off)' },
  'batch-tokens': { type: 'int', default: 2000, min: 10, describe: 'padded tokens per batch (batches are bucketed by length)' },
  'max-rows': { type: 'int', default: 128, min: 1, describe: 'sentence pairs per batch at most' },
  epochs: { type: 'int', default: 10, min: 1, describe: 'passes over the training pairs' },
  'max-minutes': { type: 'float', default: 1, min: 0, exclusiveMin: true, describe: 'training time budget (translation and scoring come after it)' },
  patience: { type: 'int', default: 2, min: 1, describe: 'early stopping: epochs without a better validation perplexity' },
  beam: { type: 'int', default: 4, min: 1, max: 64, describe: 'beam width of the scored beam search' },
  'length-penalty': { type: 'float', default: 0.6, min: 0, describe: 'GNMT length penalty α (Wu et al. 2016); 0 = none' },
  'eval-sentences': { type: 'int', default: 0, min: 0, describe: 'translate at most this many sentences per split (0 = all)' },
  'data-parallel': { type: 'bool', default: false, describe: 'split each batch across the worker pool (--threads shards, weighted by target tokens); the weights then depend on --threads' },
  'checkpoint-every': { type: 'int', default: 200, min: 1, describe: 'steps between checkpoints', fingerprint: false },
  'log-every': { type: 'int', default: 20, min: 1, describe: 'steps between history rows', fingerprint: false },
  seed: { type: 'int', default: 1, describe: 'seed for initialization, batch order and dropout' },
} as const;

export default defineStage({
  name: 'seq2seq',
  describe: 'translation: attentional encoder-decoder, beam search, BLEU and chrF (parallel datasets)',
  version: 2,
  inputs: [],
  source: true,
  serve: [translateEndpoint],
  datasetKinds: ['parallel'],
  commands: seq2seqCommands,
  tasks: TASKS,
  params: params as never as typeof params & Record<string, never>,
  async run(ctx) {
    return (await import('./run-stage.js')).runSeq2Seq(ctx as unknown as StageContext<typeof params>);
  },
});
