// lm-neural: training learns, resume is exact, the causal mask holds, and
// perplexity follows the n-gram conventions. Tiny models, a few steps.

import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { tf, selectBackend } from '../lib/nn/backend/index.js';
import stage from '../stages/lm-neural/index.js';
import { createModel } from '../stages/lm-neural/create.js';
import { loadSplit } from '../stages/lm-neural/data.js';
import { perplexity } from '../stages/lm-neural/evaluate.js';
import { disposeModel, type ModelConfig } from '../stages/lm-neural/model.js';
import { train, type TrainOptions } from '../stages/lm-neural/train.js';
import { windowContexts } from '../stages/lm-neural/window.js';
import { loadModel } from '../stages/lm-neural/artifacts.js';
import { resolveParams } from '../pipeline/params.js';
import { createLogger } from '../pipeline/log.js';
import { createProgress } from '../pipeline/progress.js';
import { readTableSync } from '../pipeline/arrow.js';
import { isUsageError } from '../pipeline/errors.js';
import { tempDir, toySentences, WORDS } from '../testkit/lm-neural-fixture.js';
import { writeTokenShards } from '../testkit/token-shards.js';

const log = createLogger('quiet');
const progress = createProgress({ mode: 'quiet' });
const V = 4 + WORDS.length;

const tiny = (arch: ModelConfig['arch'], over: Partial<ModelConfig> = {}): ModelConfig => ({
  arch, vocab: V, embed: 16, hidden: 16, layers: 1, heads: 2, context: arch === 'window' ? 3 : 8, dropout: 0, tie: false, seed: 3, ...over,
});

const opts = (dir: string, over: Partial<TrainOptions> = {}): TrainOptions => ({
  optimizer: 'adam', lr: 0.01, warmup: 0, decay: 'none', lrDecay: 1, decayStart: 1, clip: 5, batch: 4, seqLen: 8,
  epochs: 3, maxMinutes: 5, patience: 5, checkpointEvery: 5, logEvery: 5, seed: 1, checkpointDir: dir, ...over,
});

const fixture = async (): Promise<string> => {
  const dir = tempDir('lmn');
  await writeTokenShards(dir, { train: toySentences(60), valid: toySentences(9), test: toySentences(6) }, { vocab: WORDS, docs: 'zero' });
  return dir;
};

t.before(async () => {
  await selectBackend('wasm');
});

t.test('window contexts pad with <s> before the row start', async (t) => {
  // rows: [<s>=1, 5, 6] -> contexts of n-1 = 2 for each position
  t.same([...windowContexts(Int32Array.from([1, 5, 6]), 1, 3, 2)], [1, 1, 1, 5, 5, 6]);
});

t.test('data: one event per word and per </s>; ids above the cap become <unk>', async (t) => {
  const dir = await fixture();
  const d = loadSplit(dir, 'test', 7); // keep ids 0..6: 'on'(7) and above become <unk>
  t.equal(d.sentences, 6);
  t.equal(d.targets.length, 4 * 6 + 2 * 4 + 6, 'words + one </s> per sentence');
  t.same([...d.inputs.subarray(0, 7)], [1, 4, 5, 6, 0, 4, 0], '<s> the cat sat <unk> the <unk>');
  t.same([...d.targets.subarray(0, 7)], [4, 5, 6, 0, 4, 0, 2], 'the cat sat <unk> the <unk> </s>');
  t.equal(d.cappedTargets, 4 * 2 + 2 * 3, "'on', 'mat' in 4 sentences; 'dog', 'ran', 'home' in 2");
});

t.test('an all-zero model is uniform: perplexity equals the vocabulary size, counting </s> and <unk>', async (t) => {
  const dir = await fixture();
  const d = loadSplit(dir, 'valid', V);
  for (const arch of ['window', 'lstm', 'transformer'] as const) {
    const m = createModel(tiny(arch));
    m.params.forEach((p) => p.assign(tf.zerosLike(p)));
    const r = perplexity(m, d, 16);
    t.ok(Math.abs(r.ppl - V) < 1e-3, `${arch}: ppl ${r.ppl}`);
    t.equal(r.tokens, d.targets.length, `${arch}: every event scored once`);
    disposeModel(m);
  }
});

t.test('transformer: the causal mask keeps later tokens from changing earlier outputs', async (t) => {
  const m = createModel(tiny('transformer', { layers: 2 }));
  const a = Int32Array.from([1, 4, 5, 6, 7, 4, 8, 2]);
  const b = Int32Array.from([1, 4, 5, 6, 9, 10, 11, 3]); // differs from position 4 on
  const la = m.logits(a, 1, 8).arraySync() as number[][];
  const lb = m.logits(b, 1, 8).arraySync() as number[][];
  let before = 0;
  for (let q = 0; q < 4; q++) for (let v = 0; v < V; v++) before = Math.max(before, Math.abs(la[q]![v]! - lb[q]![v]!));
  let after = 0;
  for (let v = 0; v < V; v++) after = Math.max(after, Math.abs(la[4]![v]! - lb[4]![v]!));
  t.ok(before < 1e-5, `positions 0..3 unchanged (max diff ${before})`);
  t.ok(after > 1e-4, `position 4 sees its own new token (diff ${after})`);
  disposeModel(m);
});

for (const [arch, softmax] of [['window', 'full'], ['lstm', 'full'], ['transformer', 'full'], ['window', 'class'], ['lstm', 'class'], ['transformer', 'class']] as const) {
  t.test(`${arch}, ${softmax} softmax: loss falls and validation perplexity approaches the toy language's`, async (t) => {
    const dir = await fixture();
    const data = { train: loadSplit(dir, 'train', V), valid: loadSplit(dir, 'valid', V) };
    const m = createModel(tiny(arch, { softmax }));
    const before = perplexity(m, data.valid).ppl;
    const r = await train(m, data, opts(tempDir('ck'), { epochs: arch === 'window' ? 2 : 6, lr: arch === 'lstm' ? 0.03 : 0.01, seqLen: arch === 'window' ? 3 : 8, batch: arch === 'window' ? 16 : 4 }), log, progress);
    const after = perplexity(m, data.valid).ppl;
    const losses = r.history.map((h) => h.trainLoss).filter(Number.isFinite);
    t.ok(losses.at(-1)! < losses[0]! * 0.6, `train loss ${losses[0]} -> ${losses.at(-1)}`);
    t.ok(before > 8, `untrained ppl ${before}`);
    // Each sentence is one of two; only 'the' -> cat|dog (2:1) is uncertain: ppl ≈ exp(0.64/6.3) ≈ 1.1. Window of 3 sees enough.
    t.ok(after < 1.6, `trained valid ppl ${after}`);
    disposeModel(m);
  });
}

t.test('lstm: a run killed after a checkpoint and resumed ends with the same weights as an uninterrupted one', async (t) => {
  const dir = await fixture();
  const data = { train: loadSplit(dir, 'train', V), valid: loadSplit(dir, 'valid', V) };
  const cfg = tiny('lstm', { dropout: 0.3, layers: 2 });
  const whole = createModel(cfg);
  await train(whole, data, opts(tempDir('ck'), { epochs: 2 }), log, progress);
  const want = whole.params.map((p) => p.dataSync().slice());
  disposeModel(whole);

  const ck = tempDir('ck');
  const first = createModel(cfg);
  await t.rejects(train(first, data, opts(ck, { epochs: 2, haltAfterSteps: 7 }), log, progress), { message: /halted after/ });
  disposeModel(first);
  t.ok(fs.existsSync(path.join(ck, 'checkpoint.json')), 'checkpoint written');
  const second = createModel(cfg); // fresh weights: everything must come from the checkpoint
  const r = await train(second, data, opts(ck, { epochs: 2 }), log, progress);
  t.equal(r.resumedFromStep, 7);
  let worst = 0;
  second.params.forEach((p, i) => p.dataSync().forEach((x, j) => (worst = Math.max(worst, Math.abs(x - want[i]![j]!)))));
  t.equal(worst, 0, 'bit-identical weights');
  disposeModel(second);
});

t.test('a checkpoint of another model is refused with a clear error', async (t) => {
  const dir = await fixture();
  const data = { train: loadSplit(dir, 'train', V), valid: loadSplit(dir, 'valid', V) };
  const ck = tempDir('ck');
  const a = createModel(tiny('lstm'));
  await t.rejects(train(a, data, opts(ck, { haltAfterSteps: 1 }), log, progress), { message: /halted after/ });
  const b = createModel(tiny('transformer'));
  await t.rejects(train(b, data, opts(ck), log, progress), /checkpoint is for another model/);
  disposeModel(a);
  disposeModel(b);
});

t.test('a diverging loss stops training with a usage error naming the step, and keeps the last good checkpoint', async (t) => {
  const dir = await fixture();
  const data = { train: loadSplit(dir, 'train', V) };
  const m = createModel(tiny('window'));
  const ck = tempDir('ck');
  const err = await train(m, data, opts(ck, { optimizer: 'sgd', lr: 1e38, clip: 0, seqLen: 3, batch: 16, checkpointEvery: 1 }), log, progress).catch((e) => e);
  t.ok(isUsageError(err), 'exit 2');
  // Which step overflows first depends on rounding (XNNPACK and BLAS differ), so the
  // test asserts the contract: the kept checkpoint is the step just before the one named.
  const m2 = /loss became (NaN|Infinity|-Infinity) at step (\d+) .*last good checkpoint \(step (\d+)\)/.exec(String(err.message));
  t.ok(m2, String(err.message));
  const bad = Number(m2![2]);
  const kept = Number(m2![3]);
  t.ok(bad >= 2, `the blow-up comes after at least one finite step (step ${bad})`);
  t.equal(kept, bad - 1, 'the named checkpoint is the last finite step');
  const meta = JSON.parse(fs.readFileSync(path.join(ck, 'checkpoint.json'), 'utf8'));
  t.equal(meta.globalStep, kept, 'the checkpoint before the blow-up is intact');
  disposeModel(m);
});

t.test('the stage trains, writes artifacts and tables, and the saved model scores the same', async (t) => {
  const dir = await fixture();
  const out = tempDir('out');
  const ckDir = tempDir('ck');
  const warnings: string[] = [];
  const params = resolveParams(stage.params, { arch: 'transformer', 'd-model': 16, ffn: 32, heads: 2, layers: 1, context: 8, batch: 4, epochs: 2, 'max-vocab': 10, lr: 0.01, warmup: 0, 'log-every': 2 }, 'test');
  const res = await stage.run({
    params, runDir: out, outDir: out, checkpointDir: ckDir, input: () => ({ dir, manifest: {} as never }), dataset: undefined,
    pool: undefined as never, progress, log, warn: (m: string) => warnings.push(m),
  });
  t.match(warnings.join('\n'), /capped at 10 of 12 types/);
  const metrics = res.metrics as Record<string, number | string>;
  t.equal(metrics.backend, 'wasm');
  t.ok((metrics.testPpl as number) < 3, `test ppl ${metrics.testPpl}`);
  const hist = readTableSync(path.join(out, 'history.arrow'));
  t.same(hist.schema.fields.map((f) => f.name), ['step', 'epoch', 'train_loss', 'valid_ppl', 'tokens_per_s', 'wall_s', 'lr']);
  t.ok(hist.numRows >= 3);
  const met = readTableSync(path.join(out, 'metrics.arrow'));
  const rows = met.toArray().map((r) => r.toJSON());
  t.ok(rows.some((r) => r.metric === 'ppl' && r.split === 'test' && Math.abs(r.value - (metrics.testPpl as number)) < 1e-9));
  const loaded = await loadModel(out);
  t.equal(loaded.tokens.length, 10);
  const again = perplexity(loaded.model, loadSplit(dir, 'test', 10));
  t.ok(Math.abs(again.ppl - (metrics.testPpl as number)) < 1e-4, `reloaded ppl ${again.ppl}`);
  disposeModel(loaded.model);
});

t.test('bad parameters: --heads must divide --d-model', async (t) => {
  const dir = await fixture();
  const out = tempDir('out');
  const params = resolveParams(stage.params, { arch: 'transformer', 'd-model': 10, heads: 4 }, 'test');
  const err = await stage
    .run({ params, runDir: out, outDir: out, checkpointDir: tempDir('ck'), input: () => ({ dir, manifest: {} as never }), dataset: undefined, pool: undefined as never, progress, log, warn: () => {} })
    .catch((e) => e);
  t.ok(isUsageError(err));
  t.match(err.message, /--heads 4 does not divide --d-model 10/);
  t.same(fs.readdirSync(out), [], 'nothing written');
});
