// The generic training loop: minibatches from a batcher, Adam or SGD with a
// learning-rate schedule, gradient clipping by global norm, a validation score
// after each epoch (lower is better: perplexity) with early stopping and the
// best weights kept, a wall-clock budget, and a checkpoint every N steps and
// at each epoch end from which a rerun after a kill continues exactly.
// Dropout seeds are a function of (seed, step), so a resumed run repeats what
// the uninterrupted one would have done.

import { UsageError } from '../../pipeline/errors.js';
import type { Logger } from '../../pipeline/log.js';
import type { Progress } from '../../pipeline/progress.js';
import { tf } from './backend/index.js';
import { assignArrays } from './params.js';
import { loadCheckpoint, saveCheckpoint, type HistoryRow, type TrainPosition } from './checkpoint.js';
import { Optimizer, type OptimizerKind } from './optimizer.js';
import { mixSeed } from './random.js';
import { learningRate, type ScheduleOptions } from './schedule.js';

/** What the loop trains: parameters, a loss, and optionally a state carried across batches (truncated BPTT). */
export interface TrainableModel<B> {
  /** Serializable configuration; a checkpoint of another configuration is refused. */
  readonly config: { arch?: string };
  readonly params: tf.Variable[];
  /** Mean loss of the batch; called inside a gradient tape. `seed` fixes dropout masks. */
  trainLoss(batch: B, seed: number): tf.Scalar;
  /** After an optimizer step: keep the carried state for the next batch. */
  commitState?(): void;
  /** Forget the carried state (start of an epoch). */
  resetState?(): void;
  getState?(): Float32Array[];
  setState?(state: Float32Array[]): void;
}

/** Batches of an epoch: `steps` of them, batch k of epoch e a pure function of (e, k). */
export interface Batcher<B> {
  steps: number;
  batch(epoch: number, k: number): B;
}

/** A validation result: `ppl` decides early stopping (lower is better); `detail` is handed back with the best one. */
export interface Validation<V> {
  ppl: number;
  detail: V;
}

export interface LoopOptions<B> extends ScheduleOptions {
  /** Prefix of log lines and errors (the stage name). */
  name: string;
  optimizer: OptimizerKind;
  clip: number;
  epochs: number;
  /** 0: no time budget. */
  maxMinutes: number;
  /** 0 (or absent): no step budget. */
  maxSteps?: number;
  patience: number;
  checkpointEvery: number;
  logEvery: number;
  seed: number;
  checkpointDir: string;
  /** Tokens a batch trains on (throughput figures). */
  tokensIn: (batch: B) => number;
  /** Stop (as if killed) right after this many steps in this process: tests of resume. */
  haltAfterSteps?: number;
  /** Gradients from elsewhere (data-parallel workers); default: computed here. */
  gradients?: (batch: B, seed: number) => Promise<{ loss: number; grads: tf.Tensor[] }>;
}

export interface LoopResult<V> extends TrainPosition {
  stopReason: string;
  resumedFromStep: number;
  /** Validation of the returned weights, when it was computed in this process. */
  valid?: V;
  /** This process's training steps alone (batch, gradients, clipping, update; no validation pass or checkpoint write): their seconds and tokens. */
  stepSeconds: number;
  stepTokens: number;
}

export class Halted extends Error {}

async function localGradients<B>(model: TrainableModel<B>, batch: B, seed: number): Promise<{ loss: number; grads: tf.Tensor[] }> {
  const { value, grads } = tf.variableGrads(() => model.trainLoss(batch, seed), model.params);
  const loss = value.dataSync()[0]!;
  value.dispose();
  return { loss, grads: model.params.map((p) => grads[p.name]!) };
}

export async function trainLoop<B, V>(
  model: TrainableModel<B>,
  batcher: Batcher<B>,
  validateOnce: (() => Validation<V>) | undefined,
  o: LoopOptions<B>,
  log: Logger,
  progress: Progress,
): Promise<LoopResult<V>> {
  const totalSteps = batcher.steps * o.epochs;
  const opt = new Optimizer(o.optimizer, model.params);
  let pos: TrainPosition = { epoch: 0, stepInEpoch: 0, globalStep: 0, elapsedS: 0, tokensSeen: 0, bestValidPpl: Infinity, badEpochs: 0, history: [] };
  let best: Float32Array[] = [];

  const ck = loadCheckpoint(o.checkpointDir, model.config);
  if (ck) {
    const { meta, arrays } = ck;
    assignArrays(model.params, arrays.params);
    opt.setState({ kind: meta.optimizer.kind, t: meta.optimizer.t, slots: arrays.slots });
    model.setState?.(arrays.state);
    best = arrays.best;
    pos = { epoch: meta.epoch, stepInEpoch: meta.stepInEpoch, globalStep: meta.globalStep, elapsedS: meta.elapsedS, tokensSeen: meta.tokensSeen, bestValidPpl: meta.bestValidPpl ?? Infinity, badEpochs: meta.badEpochs, history: meta.history };
    log.info(`${o.name}: resuming from the checkpoint at step ${pos.globalStep} (epoch ${pos.epoch + 1}, batch ${pos.stepInEpoch})`);
  }
  const resumedFromStep = pos.globalStep;
  let lastSaved: number | undefined = ck ? pos.globalStep : undefined;
  const save = (): void => {
    lastSaved = pos.globalStep;
    const st = opt.getState();
    saveCheckpoint(
      o.checkpointDir,
      { ...pos, config: model.config, optimizer: { kind: st.kind, t: st.t } },
      { params: model.params.map((p) => p.dataSync().slice() as Float32Array), slots: st.slots, state: model.getState?.() ?? [], best },
    );
  };

  const started = performance.now();
  const elapsed = (): number => pos.elapsedS + (performance.now() - started) / 1000;
  const budgetS = o.maxMinutes > 0 ? o.maxMinutes * 60 : Infinity;
  const maxSteps = o.maxSteps && o.maxSteps > 0 ? o.maxSteps : Infinity;
  let stopReason = `${o.epochs} epochs done`;
  let stepsHere = 0;
  let stepSeconds = 0;
  let stepTokens = 0;
  let lossSum = 0;
  let lossN = 0;
  let windowStart = performance.now();
  let windowTokens = 0;
  const bar = progress.step('training', Math.min(totalSteps, maxSteps), 'batches');
  bar.set(pos.globalStep);
  if (budgetS < Infinity) bar.deadline?.(Math.max(0, budgetS - pos.elapsedS));

  const snapshot = (): Float32Array[] => model.params.map((p) => p.dataSync().slice() as Float32Array);
  let lastValid: V | undefined;
  let bestValid: V | undefined;
  let validS = 0; // validation seconds inside the current history window: not training time
  const validate = (): number => {
    if (!validateOnce) return NaN;
    const t0 = performance.now();
    const v = validateOnce();
    lastValid = v.detail;
    validS += (performance.now() - t0) / 1000;
    return v.ppl;
  };
  const pushHistory = (validPpl: number, lr: number): void => {
    const dt = (performance.now() - windowStart) / 1000 - validS;
    const row: HistoryRow = { step: pos.globalStep, epoch: pos.epoch, trainLoss: lossN ? lossSum / lossN : NaN, validPpl, tokensPerS: dt > 0 ? windowTokens / dt : NaN, wallS: elapsed(), lr };
    pos.history.push(row);
    lossSum = lossN = windowTokens = validS = 0;
    windowStart = performance.now();
  };

  outer: while (pos.epoch < o.epochs) {
    if (pos.stepInEpoch === 0) model.resetState?.();
    let lr = 0;
    while (pos.stepInEpoch < batcher.steps) {
      if (elapsed() >= budgetS) {
        stopReason = `time budget of ${o.maxMinutes} min reached`;
        break outer;
      }
      if (pos.globalStep >= maxSteps) {
        stopReason = `step budget of ${maxSteps} batches reached`;
        break outer;
      }
      const stepStart = performance.now();
      const batch = batcher.batch(pos.epoch, pos.stepInEpoch);
      lr = learningRate(o, pos.globalStep, pos.epoch, totalSteps);
      const seed = mixSeed(o.seed, 9, pos.globalStep);
      const { loss, grads } = await (o.gradients ? o.gradients(batch, seed) : localGradients(model, batch, seed));
      if (!Number.isFinite(loss)) {
        tf.dispose(grads);
        const kept = lastSaved === undefined ? 'No checkpoint was written before it' : `The last good checkpoint (step ${lastSaved}) is kept in ${o.checkpointDir}`;
        throw new UsageError(`${o.name}: loss became ${loss} at step ${pos.globalStep + 1} (epoch ${pos.epoch + 1}); training stopped. ${kept}. ${o.clip > 0 ? 'Lower --lr' : 'Lower --lr, or set --clip'}`);
      }
      const clipped = Optimizer.clip(grads, o.clip);
      opt.apply(clipped.grads, lr);
      tf.dispose(grads);
      if (clipped.grads !== grads) tf.dispose(clipped.grads);
      model.commitState?.();
      const tokensPerStep = o.tokensIn(batch);
      stepSeconds += (performance.now() - stepStart) / 1000;
      stepTokens += tokensPerStep;
      pos.stepInEpoch++;
      pos.globalStep++;
      pos.tokensSeen += tokensPerStep;
      windowTokens += tokensPerStep;
      lossSum += loss;
      lossN++;
      stepsHere++;
      bar.set(pos.globalStep);
      if (pos.globalStep % o.logEvery === 0) pushHistory(NaN, lr);
      if (pos.globalStep % o.checkpointEvery === 0) save();
      if (o.haltAfterSteps !== undefined && stepsHere >= o.haltAfterSteps) {
        save();
        throw new Halted(`halted after ${stepsHere} steps`);
      }
    }
    // End of an epoch: validate, keep the best weights, maybe stop early.
    const ppl = validate();
    pushHistory(ppl, lr);
    log.info(`${o.name}: epoch ${pos.epoch + 1}: train loss ${pos.history.at(-1)!.trainLoss.toFixed(3)}, ${validateOnce ? `valid ppl ${ppl.toFixed(2)}` : 'no validation split'}`);
    pos.epoch++;
    pos.stepInEpoch = 0;
    if (ppl < pos.bestValidPpl) {
      pos.bestValidPpl = ppl;
      pos.badEpochs = 0;
      best = snapshot();
      bestValid = lastValid;
    } else pos.badEpochs++;
    save();
    if (pos.badEpochs >= o.patience) {
      stopReason = `early stop: valid ppl did not improve for ${o.patience} epochs`;
      break;
    }
  }
  // Stopped mid-epoch (budget): validate what we have; keep it if it beats the best epoch.
  if (pos.stepInEpoch > 0) {
    const ppl = validate();
    pushHistory(ppl, learningRate(o, pos.globalStep, pos.epoch, totalSteps));
    if (ppl < pos.bestValidPpl || !Number.isFinite(pos.bestValidPpl)) {
      pos.bestValidPpl = ppl;
      best = [];
      bestValid = lastValid;
    }
  }
  // Finish with the weights that scored best on the validation split.
  if (best.length === model.params.length) assignArrays(model.params, best);
  save();
  bar.done(`${pos.globalStep} batches, ${stopReason}`);
  opt.dispose();
  return { ...pos, elapsedS: elapsed(), stopReason, resumedFromStep, valid: bestValid, stepSeconds, stepTokens };
}
