// Training an encoder–decoder on pairs, shared by translation (the seq2seq
// stage) and the generative chatbot: length-bucketed batches, lib/nn's loop
// (checkpoints, exact resume, early stopping on validation perplexity), and
// the teacher-forced perplexity used to validate and to report.

import type { Logger } from '../../pipeline/log.js';
import type { Progress } from '../../pipeline/progress.js';
import { trainLoop, type LoopOptions, type LoopResult } from '../nn/train-loop.js';
import { BucketBatches, type PairBatch, type PairData } from './data.js';
import type { Seq2SeqModel } from './model.js';

/** exp(mean −ln p) per real target token (</s> included) of `d`, teacher forcing, no dropout. */
export function perplexityOf(model: Seq2SeqModel, d: PairData): number {
  const b = new BucketBatches(d, 4000, 256, 0);
  let lp = 0;
  let n = 0;
  for (let k = 0; k < b.steps; k++) {
    const r = model.score(b.batch(0, k));
    lp += r.logProb;
    n += r.tokens;
  }
  return Math.exp(-lp / Math.max(n, 1));
}

export interface PairTrainOptions extends Omit<LoopOptions<PairBatch>, 'tokensIn'> {
  /** Padded tokens per batch, and rows per batch at most. */
  batchTokens: number;
  maxRows: number;
}

/** Train `model` on `train`, validating on `valid` when it has pairs; returns the loop's result (best weights kept). */
export async function trainPairs(model: Seq2SeqModel, train: PairData, valid: PairData, o: PairTrainOptions, log: Logger, progress: Progress): Promise<LoopResult<null>> {
  const batcher = new BucketBatches(train, o.batchTokens, o.maxRows, o.seed);
  const validate = valid.src.length > 0 ? () => ({ ppl: perplexityOf(model, valid), detail: null }) : undefined;
  return trainLoop(model, batcher, validate, { ...o, tokensIn: (b) => b.weights.reduce((s, w) => s + w, 0) }, log, progress);
}
