// --data-parallel for seq2seq: a batch split into shards (re-padded, weighted by
// target tokens) keeps every row and token, and the gradients averaged over the
// pool's shards equal the gradients of the whole batch computed in one thread.

import t from 'tap';
import { tf, selectBackend } from '../lib/nn/backend/index.js';
import { dataParallelGradientsWith, shardGradientsWith } from '../lib/nn/data-parallel.js';
import { makeBatch, splitPairBatch } from '../lib/seq2seq/data.js';
import { createSeq2Seq } from '../lib/seq2seq/artifacts.js';
import type { Seq2SeqConfig } from '../lib/seq2seq/model.js';
import { TASKS } from '../stages/seq2seq/tasks.js';
import { createPool } from '../pipeline/pool.js';
import { largestGradientDifference } from '../testkit/gradients.js';

const pool = createPool(2);
t.teardown(() => pool.destroy());

const src = [Int32Array.of(4, 5, 6, 7, 8, 9), Int32Array.of(10, 11), Int32Array.of(4), Int32Array.of(5, 6, 7), Int32Array.of(8, 9, 10, 11)];
const tgt = [Int32Array.of(4, 5, 6, 7), Int32Array.of(8), Int32Array.of(9, 10, 4, 5, 6, 7), Int32Array.of(5), Int32Array.of(6, 7)];

t.test('splitting a batch keeps its rows and tokens; weights are the token shares', async (t) => {
  const b = makeBatch(src, tgt);
  for (const parts of [1, 2, 3, 5, 8]) {
    const shards = splitPairBatch(b, parts);
    t.equal(shards.length, Math.min(parts, 5), `${parts} parts`);
    t.ok(shards.every((s) => s.batch.B >= 1), 'no empty shard');
    t.ok(Math.abs(shards.reduce((a, s) => a + s.weight, 0) - 1) < 1e-12, 'weights sum to 1');
    const rows = shards.flatMap((s) => Array.from({ length: s.batch.B }, (_, r) => [Array.from(s.batch.src.subarray(r * s.batch.S, r * s.batch.S + s.batch.srcLen[r]!)).join(), Array.from(s.batch.tgtIn.subarray(r * s.batch.T, (r + 1) * s.batch.T)).join()]));
    t.same(rows.map((r) => r[0]), src.map((x) => Array.from(x).join()), 'the sources, in order');
    for (const s of shards) {
      const toks = s.batch.weights.reduce((a, w) => a + w, 0);
      t.ok(Math.abs(s.weight - toks / 19) < 1e-12, `weight ${s.weight} = ${toks} of 19 target tokens (14 words, 5 </s>)`);
    }
  }
});

for (const arch of ['rnn', 'transformer'] as const) {
  t.test(`${arch}: data-parallel gradients match one thread within 1e-5`, async (t) => {
    await selectBackend('wasm');
    const cfg: Seq2SeqConfig = { arch, srcVocab: 12, tgtVocab: 11, embed: 6, hidden: 5, attention: 'general', dropout: 0, seed: 4, softmax: 'full', labelSmoothing: 0.1, dModel: 8, heads: 2, layers: 2, ffn: 16, positions: 'sinusoidal' };
    const model = createSeq2Seq(cfg);
    const batch = makeBatch(src, tgt);
    const { value, grads } = tf.variableGrads(() => model.trainLoss(batch, 1), model.params);
    const dp = await dataParallelGradientsWith(pool, model, 'wasm', TASKS.grad, splitPairBatch)(batch, 1);
    t.ok(Math.abs(value.dataSync()[0]! - dp.loss) < 1e-5, `loss ${value.dataSync()[0]} vs ${dp.loss}`);
    const worst = largestGradientDifference(model.params, grads, dp.grads);
    t.ok(worst < 1e-5, `largest difference ${worst}`);
    tf.dispose([value, ...Object.values(grads), ...dp.grads, ...model.params]);
  });
}

t.test('a worker computing shard gradients holds no more wasm memory after the tenth step than after the first', async (t) => {
  await selectBackend('wasm');
  const cfg: Seq2SeqConfig = { arch: 'transformer', srcVocab: 12, tgtVocab: 11, embed: 6, hidden: 5, attention: 'general', dropout: 0, seed: 4, softmax: 'full', labelSmoothing: 0, dModel: 8, heads: 2, layers: 2, ffn: 16, positions: 'sinusoidal' };
  const model = createSeq2Seq(cfg);
  const total = model.params.reduce((s, p) => s + p.size, 0);
  const weights = new SharedArrayBuffer(total * 4);
  new Float32Array(weights).fill(0.01);
  const shard = shardGradientsWith(createSeq2Seq);
  const task = { config: cfg, backend: 'wasm' as const, weights, batch: makeBatch(src, tgt), seed: 1 };
  await shard(task); // the replica is created on the first call
  const after1 = tf.memory();
  for (let i = 0; i < 9; i++) await shard(task);
  const after10 = tf.memory();
  t.equal(after10.numTensors, after1.numTensors, `tensors: ${after1.numTensors} then ${after10.numTensors}`);
  t.equal(after10.numBytes, after1.numBytes, `bytes: ${after1.numBytes} then ${after10.numBytes}`);
  tf.dispose(model.params);
});

t.test('lexflow run --seq2seq.data-parallel: trains on the pool; the manifest says the weights depend on --threads; the same --threads gives the same bytes', async (t) => {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const { tmpDir } = await import('../testkit/tmp.js');
  const { writeToyParallel } = await import('../testkit/parallel-corpus.js');
  const { lexflow } = await import('../testkit/cli.js');
  const dir = tmpDir(t);
  const data = writeToyParallel(path.join(dir, 'toy'), { train: 120, val: 10, test: 10 });
  const run = (out: string) =>
    lexflow(['run', '--dataset', data, '--source', 'en', '--target', 'de', '--out', out, '--threads', '2', '--seq2seq.arch', 'transformer', '--seq2seq.d-model', '16', '--seq2seq.heads', '2', '--seq2seq.layers', '1', '--seq2seq.ffn', '32', '--seq2seq.min-count', '1', '--seq2seq.batch-tokens', '200', '--seq2seq.epochs', '2', '--seq2seq.beam', '2', '--seq2seq.data-parallel']);
  const outs = [path.join(dir, 'a'), path.join(dir, 'b')];
  for (const out of outs) {
    const r = run(out);
    t.equal(r.code, 0, r.stderr.slice(-2000));
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(outs[0]!, 'seq2seq', '_manifest.json'), 'utf8')) as { reproducible?: boolean; reproducibleReason?: string; outputs: { path: string; sha256: string }[] };
  t.equal(manifest.reproducible, false);
  t.match(manifest.reproducibleReason!, /--threads/);
  const other = JSON.parse(fs.readFileSync(path.join(outs[1]!, 'seq2seq', '_manifest.json'), 'utf8')) as typeof manifest;
  const sha = (m: typeof manifest) => m.outputs.find((o) => o.path.endsWith('weights.bin'))!.sha256;
  t.equal(sha(other), sha(manifest), 'weights.bin: same bytes with the same --threads');
});
