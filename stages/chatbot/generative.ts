// The chatbot stage's generative part, loaded only when --generative is not
// none (TensorFlow.js loads with it): train an encoder–decoder of lib/seq2seq
// on the training conversations' (last N turns -> next turn) pairs, validating
// after each epoch on the pairs of a few training conversations set apart
// (--gen-valid: early stopping, the best epoch's weights kept), write it to
// generative/ in the stage folder, and evaluate it on the held-out pairs,
// single-turn and with N turns (BLEU, distinct-1/2, perplexity).

import path from 'node:path';
import type { Logger } from '../../pipeline/log.js';
import type { Progress } from '../../pipeline/progress.js';
import { UsageError } from '../../pipeline/errors.js';
import { selectBackend, tf, type BackendChoice } from '../../lib/nn/backend/index.js';
import type { Decay } from '../../lib/nn/schedule.js';
import type { HistoryRow } from '../../lib/nn/checkpoint.js';
import { createSeq2Seq, saveSeq2Seq } from '../../lib/seq2seq/artifacts.js';
import { validateConfig, type AttentionScore, type Seq2SeqConfig } from '../../lib/seq2seq/model.js';
import { perplexityOf, trainPairs } from '../../lib/seq2seq/train.js';
import type { ContextPair } from '../../lib/chat/evaluate.js';
import { GenerativeBot } from '../../lib/chat/generative.js';
import type { DecodeOptions } from '../../lib/chat/decoding.js';
import { buildChatVocabs, pairIds, SEP, type GenerativeShape } from '../../lib/chat/generative-data.js';
import { evaluateGenerative, type GenerativeFigures } from '../../lib/chat/generative-eval.js';

export const GENERATIVE_DIR = 'generative';

/** model.json's generative section: where the seq2seq folder is, what its source holds, how to decode. */
export interface GenerativeMeta {
  arch: 'rnn';
  dir: string;
  separator: string;
  shape: GenerativeShape;
  decode: DecodeOptions;
}

export interface GenerativeParams {
  arch: 'rnn';
  turns: number;
  maxVocab: number;
  minCount: number;
  maxLen: number;
  embed: number;
  hidden: number;
  attention: AttentionScore;
  dropout: number;
  lr: number;
  epochs: number;
  /** Epochs without a better validation perplexity before training stops. */
  patience: number;
  maxMinutes: number;
  maxSteps: number;
  batchTokens: number;
  seed: number;
  backend: BackendChoice;
  decode: DecodeOptions;
}

export interface GenerativeResult {
  meta: GenerativeMeta;
  figures: GenerativeFigures[];
  train: {
    pairs: number;
    dropped: number;
    validPairs: number;
    steps: number;
    epochs: number;
    stopReason: string;
    /** Validation perplexity of the weights kept (NaN without a validation split). */
    validPpl: number;
    /** Training loss of the weights kept: nats per target token (</s> included) of the training replies, teacher forcing, no dropout. */
    trainLoss: number;
    wallS: number;
    tokensPerS: number;
    srcVocab: number;
    tgtVocab: number;
    backend: string;
  };
  /** The loop's history: a row every 20 steps and at each epoch end (with its validation perplexity). */
  history: HistoryRow[];
  /** Why a rerun may give other bytes (a wall-clock budget). */
  notReproducible?: string;
}

export async function trainGenerative(
  outDir: string,
  checkpointDir: string,
  trainSet: readonly ContextPair[],
  validSet: readonly ContextPair[],
  heldSet: readonly ContextPair[],
  g: GenerativeParams,
  log: Logger,
  progress: Progress,
): Promise<GenerativeResult> {
  const shape: GenerativeShape = { turns: g.turns, maxSource: g.maxLen };
  const vocabs = buildChatVocabs(trainSet, shape, g.maxVocab, g.minCount);
  const { data, dropped } = pairIds(trainSet, vocabs, shape, g.maxLen);
  if (dropped) log.info(`chatbot: generative: left out ${dropped} training pairs whose reply is empty or longer than --max-len ${g.maxLen} tokens`);
  if (data.src.length === 0) throw new UsageError(`chatbot: generative: no training pair has a reply of at most --max-len ${g.maxLen} tokens; raise --max-len`);
  // Validated on what it trains on: replies of at most --max-len tokens.
  const valid = pairIds(validSet, vocabs, shape, g.maxLen).data;
  if (valid.src.length === 0) log.info('chatbot: generative: no validation pair (--gen-valid 0, or a small corpus): training the whole budget and keeping the last weights');
  const cfg: Seq2SeqConfig = { arch: g.arch, srcVocab: vocabs.src.tokens.length, tgtVocab: vocabs.tgt.tokens.length, embed: g.embed, hidden: g.hidden, attention: g.attention, softmax: 'full', dropout: g.dropout, seed: g.seed };
  const bad = validateConfig(cfg);
  if (bad) throw new UsageError(`chatbot: generative: ${bad} (the corpus is too small; lower --min-count)`);
  if (g.decode.kind === 'beam' && g.decode.beam > cfg.tgtVocab) throw new UsageError(`chatbot: --beam ${g.decode.beam} is wider than the reply vocabulary (${cfg.tgtVocab} types); use at most ${cfg.tgtVocab}`);
  const backend = await selectBackend(g.backend);
  log.info(`chatbot: generative: backend ${backend.name} (${backend.reason}); ${data.src.length} training pairs, ${valid.src.length} validation pairs, vocabularies ${cfg.srcVocab} (source, with ${SEP}) and ${cfg.tgtVocab} (reply)`);
  const model = createSeq2Seq(cfg);
  const result = await trainPairs(
    model,
    data,
    valid,
    {
      name: 'chatbot-generative',
      optimizer: 'adam',
      lr: g.lr,
      warmup: 20,
      decay: 'none' as Decay,
      lrDecay: 0.5,
      decayStart: 4,
      clip: 5,
      epochs: g.epochs,
      // A step budget replaces the clock, so that the run is reproducible.
      maxMinutes: g.maxSteps > 0 ? 0 : g.maxMinutes,
      maxSteps: g.maxSteps,
      // Without a validation split, train the whole budget and keep the last weights
      // (the loop counts an unvalidated epoch as not better).
      patience: valid.src.length > 0 ? g.patience : g.epochs + 1,
      checkpointEvery: 200,
      logEvery: 20,
      seed: g.seed,
      checkpointDir,
      batchTokens: g.batchTokens,
      maxRows: 256,
    },
    log,
    progress,
  );
  const tokensPerS = result.tokensSeen / Math.max(result.elapsedS, 1e-9);
  const validPpl = valid.src.length > 0 ? result.bestValidPpl : NaN;
  const trainLoss = Math.log(perplexityOf(model, data));
  log.info(
    `chatbot: generative: ${result.stopReason} after ${result.globalStep} steps (${result.epoch} epochs), ${result.elapsedS.toFixed(0)} s (${tokensPerS.toFixed(0)} tok/s); the weights kept: train loss ${trainLoss.toFixed(3)} nats${Number.isFinite(validPpl) ? `, valid ppl ${validPpl.toFixed(1)}` : ''}`,
  );
  await saveSeq2Seq(path.join(outDir, GENERATIVE_DIR), model, vocabs.src, vocabs.tgt, { source: 'context', target: 'reply' });

  const bot = new GenerativeBot({ model, ...vocabs, shape }, g.decode);
  const figures: GenerativeFigures[] = [];
  if (heldSet.length > 0) {
    const step = progress.step(`generating replies to ${heldSet.length} held-out contexts (${g.decode.kind})`);
    for (const turns of [...new Set([1, g.turns])]) figures.push(evaluateGenerative(bot, heldSet, turns));
    step.done(figures.map((f) => `${f.turns} turn${f.turns > 1 ? 's' : ''}: BLEU ${f.bleu.toFixed(2)}, distinct-1/2 ${f.distinct1.toFixed(3)}/${f.distinct2.toFixed(3)}, ppl ${f.ppl.toFixed(1)}`).join('; '));
  }
  tf.dispose(model.params);
  // The clock decided only when it stopped the training: epochs, early stopping and steps are machine-independent.
  const timed = result.stopReason.startsWith('time budget');
  return {
    meta: { arch: g.arch, dir: GENERATIVE_DIR, separator: SEP, shape, decode: g.decode },
    figures,
    train: {
      pairs: data.src.length,
      dropped,
      validPairs: valid.src.length,
      steps: result.globalStep,
      epochs: result.epoch,
      stopReason: result.stopReason,
      validPpl,
      trainLoss,
      wallS: result.elapsedS,
      tokensPerS,
      srcVocab: cfg.srcVocab,
      tgtVocab: cfg.tgtVocab,
      backend: backend.name,
    },
    history: result.history,
    ...(timed ? { notReproducible: `the generative model's training was stopped by its wall-clock budget (--max-minutes ${g.maxMinutes}): how far it got depends on the machine; raise --max-minutes, or give --max-steps N, for the same bytes on every run` } : {}),
  };
}

export interface EpochPoint {
  /** 1-based. */
  epoch: number;
  /** Optimizer steps at its end. */
  step: number;
  /** Mean training loss (nats per target token, dropout on) over the epoch's steps. */
  trainLoss: number;
  /** Validation perplexity after it (NaN without a validation split). */
  validPpl: number;
}

/** The loss curve by epoch, from the loop's history (rows every few steps, each the mean of its window). */
export function epochCurve(history: readonly HistoryRow[]): EpochPoint[] {
  const out: EpochPoint[] = [];
  let prevStep = 0;
  let sum = 0;
  let steps = 0;
  for (let i = 0; i < history.length; i++) {
    const h = history[i]!;
    const n = h.step - prevStep;
    prevStep = h.step;
    if (n > 0 && Number.isFinite(h.trainLoss)) (sum += h.trainLoss * n), (steps += n);
    const last = i + 1 === history.length || history[i + 1]!.epoch !== h.epoch;
    if (last) {
      out.push({ epoch: h.epoch + 1, step: h.step, trainLoss: steps ? sum / steps : NaN, validPpl: h.validPpl });
      sum = steps = 0;
    }
  }
  return out;
}
