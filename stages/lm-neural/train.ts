// lm-neural's training: its batching (contiguous for the LSTM, shuffled
// chunks for the Transformer, shuffled windows for the window model) and
// validation perplexity, run by the generic loop of lib/nn/train-loop.ts.

import { UsageError } from '../../pipeline/errors.js';
import type { Logger } from '../../pipeline/log.js';
import type { Progress } from '../../pipeline/progress.js';
import { mixSeed, permutation } from '../../lib/nn/random.js';
import { learningRate as scheduleRate, type Decay } from '../../lib/nn/schedule.js';
import { trainLoop, Halted, type Batcher, type LoopOptions, type LoopResult } from '../../lib/nn/train-loop.js';
import { ContiguousBatches, WindowBatches, type SplitData } from './data.js';
import { perplexity, type Perplexity } from './evaluate.js';
import type { Batch, NeuralLM } from './model.js';

export { Halted, type Decay };

/** lib/nn's loop options, less what lm-neural fills in itself, plus the batch shape. */
export interface TrainOptions extends Omit<LoopOptions<Batch>, 'name' | 'tokensIn'> {
  batch: number;
  /** Sequence length per batch: BPTT length (lstm), context (transformer), n−1 (window). */
  seqLen: number;
}

export type TrainResult = LoopResult<Perplexity>;

/** Learning rate at an optimizer step (0-based) in an epoch. */
export function learningRate(o: TrainOptions, step: number, epoch: number, totalSteps: number): number {
  return scheduleRate(o, step, epoch, totalSteps);
}

function batcherFor(model: NeuralLM, train: SplitData, o: TrainOptions): Batcher<Batch> {
  if (model.config.arch === 'window') return new WindowBatches(train, o.batch, o.seqLen, o.seed);
  const cb = new ContiguousBatches(train, o.batch, o.seqLen);
  if (model.config.arch === 'lstm') return { steps: cb.steps, batch: (_e, k) => cb.batch(k) }; // in order: the state carries over
  // Transformer: no carried state, so visit the chunks in a seeded order per epoch.
  let order: Int32Array | undefined;
  let orderEpoch = -1;
  return {
    steps: cb.steps,
    batch(e, k) {
      if (e !== orderEpoch) (order = permutation(cb.steps, mixSeed(o.seed, 8, e))), (orderEpoch = e);
      return cb.batch(order![k]!);
    },
  };
}

export async function train(model: NeuralLM, data: { train: SplitData; valid?: SplitData }, o: TrainOptions, log: Logger, progress: Progress): Promise<TrainResult> {
  const batcher = batcherFor(model, data.train, o);
  if (batcher.steps < 1)
    throw new UsageError(`the training split has ${data.train.targets.length} tokens, too few for one batch of ${o.batch} × ${o.seqLen}; lower --batch or the sequence length`);
  const tokensPerStep = model.config.arch === 'window' ? o.batch : o.batch * o.seqLen;
  const valid = data.valid;
  const validate = valid && valid.sentences > 0 ? () => { const r = perplexity(model, valid); return { ppl: r.ppl, detail: r }; } : undefined;
  return trainLoop(model, batcher, validate, { ...o, name: 'lm-neural', tokensIn: () => tokensPerStep }, log, progress);
}
