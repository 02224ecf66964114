// --data-parallel: gradients averaged over the pool's shards equal the
// gradients of the whole batch computed in one thread; for the LSTM, whose
// state is carried from batch to batch in row shards, so do the losses of
// several optimizer steps.

import t from 'tap';
import { tf, selectBackend } from '../lib/nn/backend/index.js';
import { createModel } from '../stages/lm-neural/create.js';
import { dataParallelGradients } from '../stages/lm-neural/data-parallel.js';
import { disposeModel, type Batch, type ModelConfig } from '../stages/lm-neural/model.js';
import { createPool } from '../pipeline/pool.js';
import { largestGradientDifference } from '../testkit/gradients.js';
import { Optimizer } from '../lib/nn/optimizer.js';
import { BOS } from '../lib/formats/tokens.js';
import fs from 'node:fs';
import path from 'node:path';
import stage from '../stages/lm-neural/index.js';
import { resolveParams } from '../pipeline/params.js';
import { createLogger } from '../pipeline/log.js';
import { createProgress } from '../pipeline/progress.js';
import { tempDir, toySentences, WORDS } from '../testkit/lm-neural-fixture.js';
import { writeTokenShards } from '../testkit/token-shards.js';

const pool = createPool(2);
t.teardown(() => pool.destroy());

for (const arch of ['window', 'transformer', 'lstm'] as const) {
  t.test(`${arch}: data-parallel gradients match one thread within 1e-5`, async (t) => {
    await selectBackend('wasm');
    const cfg: ModelConfig = { arch, vocab: 17, embed: 8, hidden: 16, layers: 1, heads: 2, context: arch === 'window' ? 3 : 6, dropout: 0, tie: false, seed: 4 };
    const model = createModel(cfg);
    const B = 5;
    const T = cfg.context;
    const batch: Batch = {
      inputs: Int32Array.from({ length: B * T }, (_, i) => (i * 7 + 1) % 17),
      targets: Int32Array.from({ length: arch === 'window' ? B : B * T }, (_, i) => (i * 5 + 2) % 17),
      B,
      T,
    };
    const { value, grads } = tf.variableGrads(() => model.trainLoss(batch, 1), model.params);
    const dp = await dataParallelGradients(pool, model, 'wasm')(batch, 1);
    t.ok(Math.abs(value.dataSync()[0]! - dp.loss) < 1e-5, `loss ${value.dataSync()[0]} vs ${dp.loss}`);
    const worst = largestGradientDifference(model.params, grads, dp.grads);
    t.ok(worst < 1e-5, `largest difference ${worst}`);
    tf.dispose([value, ...Object.values(grads), ...dp.grads]);
    disposeModel(model);
  });
}

t.test('lstm: 8 Adam steps with the state carried in row shards (a resume and an epoch reset among them) give the losses of one thread within 1e-5', async (t) => {
  await selectBackend('wasm');
  const cfg: ModelConfig = { arch: 'lstm', vocab: 23, embed: 8, hidden: 12, layers: 2, heads: 1, context: 5, dropout: 0, tie: false, seed: 7 };
  const one = createModel(cfg);
  const par = createModel(cfg);
  let dp = dataParallelGradients(pool, par, 'wasm');
  const optOne = new Optimizer('adam', one.params);
  const optPar = new Optimizer('adam', par.params);
  // B = 5 rows (split 3 + 2 over 2 threads), each a contiguous stream with
  // sentence starts (<s>) here and there, so the carried state and its resets both count.
  const B = 5;
  const T = cfg.context;
  const stream = (r: number, k: number): number => ((r * 31 + k * 7) % 11 === 0 ? BOS : 3 + ((r * 13 + k * 5) % 20));
  const batch = (step: number): Batch => ({
    inputs: Int32Array.from({ length: B * T }, (_, i) => stream(Math.floor(i / T), step * T + (i % T))),
    targets: Int32Array.from({ length: B * T }, (_, i) => stream(Math.floor(i / T), step * T + (i % T) + 1)),
    B,
    T,
  });
  for (let step = 0; step < 8; step++) {
    if (step === 5) (one.resetState!(), par.resetState!()); // an epoch boundary
    if (step === 3) {
      // A resume: the state comes back from a checkpoint into a fresh data-parallel step function.
      const saved = par.getState!();
      par.resetState!();
      par.setState!(saved);
      dp = dataParallelGradients(pool, par, 'wasm');
    }
    const b = batch(step);
    const { value, grads } = tf.variableGrads(() => one.trainLoss(b, step), one.params);
    const lossOne = value.dataSync()[0]!;
    const gl = one.params.map((p) => grads[p.name]!);
    optOne.apply(Optimizer.clip(gl, 0).grads, 0.01);
    one.commitState!();
    tf.dispose([value, ...gl]);
    const r = await dp(b, step);
    optPar.apply(Optimizer.clip(r.grads, 0).grads, 0.01);
    par.commitState!();
    tf.dispose(r.grads);
    t.ok(Math.abs(r.loss - lossOne) <= 1e-5 * Math.abs(lossOne), `step ${step + 1}: loss ${r.loss} vs ${lossOne} in one thread`);
  }
  const so = one.getState!();
  const sp = par.getState!();
  t.equal(sp.length, so.length, 'the same number of state arrays');
  let worst = 0;
  for (let a = 0; a < so.length; a++) for (let i = 0; i < so[a]!.length; i++) worst = Math.max(worst, Math.abs(so[a]![i]! - sp[a]![i]!));
  t.ok(worst < 1e-5, `carried state within 1e-5 of one thread's (largest difference ${worst})`);
  optOne.dispose();
  optPar.dispose();
  disposeModel(one);
  disposeModel(par);
});

t.test('the stage with --data-parallel trains the LSTM to the test perplexity of one thread', async (t) => {
  const run = tempDir('run');
  const tokDir = path.join(run, 'tokenize');
  await writeTokenShards(tokDir, { train: toySentences(60), valid: toySentences(9), test: toySentences(6) }, { vocab: WORDS, docs: 'zero' });
  const trainOnce = async (dataParallel: boolean): Promise<number> => {
    const outDir = path.join(run, dataParallel ? 'lm-neural-dp' : 'lm-neural');
    fs.mkdirSync(outDir);
    const params = resolveParams(stage.params, { arch: 'lstm', embed: 12, hidden: 16, layers: 2, batch: 4, bptt: 6, epochs: 3, lr: 0.01, warmup: 0, dropout: 0, 'data-parallel': dataParallel }, 'test');
    const res = await stage.run({
      params, runDir: run, outDir, checkpointDir: tempDir('ck'), input: () => ({ dir: tokDir, manifest: {} as never }), dataset: undefined,
      pool, progress: createProgress({ mode: 'quiet' }), log: createLogger('quiet'), warn: () => {},
    });
    return (res.metrics as { testPpl: number }).testPpl;
  };
  const one = await trainOnce(false);
  const par = await trainOnce(true);
  t.ok(Math.abs(par - one) <= 1e-4 * one, `test ppl ${par} data-parallel vs ${one} in one thread`);
  t.ok(one < WORDS.length, `the model learned something (ppl ${one} below the vocabulary's ${WORDS.length})`);
});
