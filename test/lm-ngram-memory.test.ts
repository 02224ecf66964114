// lm-ngram within --memory: Kneser–Ney streamed under a budget small enough to
// force range passes over spilled columns writes the same bytes (ARPA, Arrow
// tables, models.json, metrics.arrow) as under an unlimited one, and as the
// in-memory estimate (estimateKneserNey + writeArpa/writeModelArrow) does; the
// models that hold all counts in memory refuse a budget too small for them.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import ngrams from '../stages/ngrams/index.js';
import lmNgram from '../stages/lm-ngram/index.js';
import { readCounts } from '../stages/lm-ngram/counts.js';
import { estimateKneserNey } from '../stages/lm-ngram/kneser-ney.js';
import { firstAppearanceRanks } from '../stages/lm-ngram/first-appearance.js';
import { writeArpa } from '../stages/lm-ngram/arpa.js';
import { writeModelArrow } from '../stages/lm-ngram/model-files.js';
import { perplexity } from '../stages/lm-ngram/perplexity.js';
import { streamKneserNey } from '../stages/lm-ngram/kneser-ney-stream.js';
import { writeStreamedModel } from '../stages/lm-ngram/streamed-model-files.js';
import { listTokenShards } from '../lib/formats/tokens.js';
import { tmpDir, closeTestPool, testPool } from '../testkit/ngram-fixture.js';
import { randomCorpus } from '../testkit/random-corpus.js';
import { writeTokenShards } from '../testkit/token-shards.js';
import { runStageDirect } from '../testkit/stage-harness.js';
import { lexflow } from '../testkit/cli.js';

t.teardown(closeTestPool);

const ORDER = 4;
const sha = (f: string): string => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');
const FILES = ['kneser-ney/model.arpa', ...[...Array(ORDER)].map((_, k) => `kneser-ney/order-${k + 1}.arrow`), 'models.json', 'metrics.arrow'];

t.test('Kneser-Ney under a small --memory: spilled, same bytes as unlimited and as the in-memory estimate', async (t) => {
  const dir = tmpDir();
  const tok = path.join(dir, 'tokenize');
  // The test split has words the training text lacks (w300..w319): OOVs.
  const { tokens } = await writeTokenShards(tok, { train: randomCorpus(3000, 7, 300), valid: randomCorpus(200, 8, 300), test: randomCorpus(200, 9, 320) });
  await runStageDirect(ngrams, { inputs: { tokenize: tok }, outDir: path.join(dir, 'ngrams'), params: { order: ORDER }, pool: testPool() });
  const inputs = { tokenize: tok, ngrams: path.join(dir, 'ngrams') };
  const logs: string[] = [];
  const progress: string[] = [];
  const small = await runStageDirect(lmNgram, { inputs, outDir: path.join(dir, 'small'), params: { model: 'kneser-ney', memory: '64k' }, pool: testPool(), logLevel: 'normal', onLog: (l) => logs.push(l), progress: 'plain', plainEvery: 0, onProgress: (l) => progress.push(l) });
  // Issue 15: the streamed estimate is a bar of 4N-1 passes (flatten N, suffixes N-1, adjust N, interpolate N), ending full.
  const estimating = progress.filter((l) => l.startsWith('2/4 estimating kneser-ney (streamed) [')).at(-1);
  t.match(estimating, new RegExp(` 100\\.0% ${4 * ORDER - 1}/${4 * ORDER - 1} passes, `), `the streamed estimate ticks ${4 * ORDER - 1} passes`);
  const writing = progress.filter((l) => l.startsWith('3/4 writing kneser-ney [')).at(-1);
  const written = Object.entries(small.result.rows ?? {}).filter(([f]) => /^kneser-ney\/order-\d\.arrow$/.test(f)).reduce((n, [, r]) => n + (r as number), 0);
  const shown = written >= 1000 ? `${(written / 1000).toFixed(1)}k` : String(written); // progress abbreviates counts
  t.match(writing, new RegExp(` 100\\.0% ${shown}/${shown} n-grams, `), `writing the streamed model ticks its ${written} n-grams`);
  const big = await runStageDirect(lmNgram, { inputs, outDir: path.join(dir, 'big'), params: { model: 'kneser-ney', memory: '16G' }, pool: testPool() });
  const kn = (r: typeof small): { rangePasses?: number; streamed: boolean } => (r.result.metrics as Record<string, { rangePasses?: number; streamed: boolean }>)['kneser-ney']!;
  t.ok(kn(small).streamed && kn(small).rangePasses! > 1, `64k: streamed, ${kn(small).rangePasses} range passes`);
  t.equal(kn(big).streamed, false, '16G: estimated in memory');
  t.match(logs.join('\n'), /kneser-ney: about \d+[kMG] in memory, past --memory 65536 bytes: streamed, spilled to the temp folder, up to \d+ range passes per step/, 'the log says it spilled');
  for (const f of FILES) t.equal(sha(path.join(dir, 'small', f)), sha(path.join(dir, 'big', f)), `${f}: same bytes`);
  t.notOk(fs.existsSync(path.join(dir, 'small', '.spill')), 'intermediate files removed');
  const ngramRows = Object.entries(small.result.rows ?? {}).filter(([k]) => k.startsWith('kneser-ney/'));
  t.equal(ngramRows.length, ORDER, 'rows of every order reported');

  // The peer: the in-memory estimate, written by the in-memory writers.
  const counts = await readCounts(path.join(dir, 'ngrams'), ORDER);
  const rank = firstAppearanceRanks(listTokenShards(tok, 'train'), tokens.length);
  const { model } = estimateKneserNey(counts, tokens.length, rank);
  const peer = path.join(dir, 'peer');
  await writeModelArrow(peer, model);
  await writeArpa(path.join(peer, 'model.arpa'), model, tokens);
  t.equal(sha(path.join(dir, 'small', 'kneser-ney/model.arpa')), sha(path.join(peer, 'model.arpa')), 'ARPA equal to the in-memory estimate');
  for (let n = 1; n <= ORDER; n++) t.equal(sha(path.join(dir, 'small', `kneser-ney/order-${n}.arrow`)), sha(path.join(peer, `order-${n}.arrow`)), `order-${n}.arrow equal to the in-memory estimate`);
  // Streamed with room for every table: one pass per step, the same bytes.
  const one = await streamKneserNey(path.join(dir, 'ngrams'), ORDER, { memoryBytes: 1 << 30, tmpDir: path.join(dir, 'one-spill'), rank });
  t.equal(one.passes, 1, 'streamed within 1G: one pass per step');
  await writeStreamedModel(path.join(dir, 'one'), one.orders, tokens);
  for (const f of ['model.arpa', ...[...Array(ORDER)].map((_, k) => `order-${k + 1}.arrow`)])
    t.equal(sha(path.join(dir, 'one', f)), sha(path.join(peer, f)), `streamed in one pass: ${f} equal to the in-memory estimate`);
  const m = (small.result.metrics as Record<string, { test_ppl: number; valid_ppl: number; test_oov: number }>)['kneser-ney']!;
  const test = perplexity(model, listTokenShards(tok, 'test'));
  t.equal(m.test_ppl, test.ppl, `test perplexity ${m.test_ppl} scored on the held-out part of the model = the whole model's`);
  t.ok(m.test_oov > 0, 'the test split has OOVs');
  t.equal(m.valid_ppl, perplexity(model, listTokenShards(tok, 'valid')).ppl, 'valid perplexity too');
});

t.test('orders 1 and 2, pruned counts, and a budget below the floor stream the same way', async (t) => {
  const dir = tmpDir();
  const tok = path.join(dir, 'tokenize');
  const { tokens } = await writeTokenShards(tok, { train: randomCorpus(800, 3, 120), test: randomCorpus(50, 4, 120) });
  for (const [order, prune] of [
    [1, [0]],
    [2, [0]],
    [3, [0, 0, 1]],
  ] as const) {
    const ng = path.join(dir, `ngrams-${order}`);
    await runStageDirect(ngrams, { inputs: { tokenize: tok }, outDir: ng, params: { order, prune: [...prune] }, pool: testPool() });
    const out = path.join(dir, `lm-${order}`);
    await runStageDirect(lmNgram, { inputs: { tokenize: tok, ngrams: ng }, outDir: out, params: { model: 'kneser-ney', memory: '1k' }, pool: testPool() });
    const counts = await readCounts(ng, order);
    const { model } = estimateKneserNey(counts, tokens.length, firstAppearanceRanks(listTokenShards(tok, 'train'), tokens.length));
    const peer = path.join(dir, `peer-${order}`);
    fs.mkdirSync(peer, { recursive: true });
    await writeArpa(path.join(peer, 'model.arpa'), model, tokens);
    t.equal(sha(path.join(out, 'kneser-ney/model.arpa')), sha(path.join(peer, 'model.arpa')), `order ${order}, --prune ${prune.join(' ')}: ARPA equal to the in-memory estimate`);
  }
});

t.test('bad input: in-memory models past --memory are refused before any work, naming the way out', async (t) => {
  const dir = tmpDir();
  const text = path.join(dir, 'corpus.txt');
  fs.writeFileSync(text, randomCorpus(2000, 5, 200).join('\n') + '\n');
  const out = path.join(dir, 'run');
  const r = lexflow(['run', '--dataset', text, '--out', out, '--to', 'lm-ngram', '--threads', '1', '--ngrams.order', '3', '--lm-ngram.model', 'katz,kneser-ney', '--lm-ngram.memory', '16k', '--quiet']);
  t.equal(r.code, 2, 'exit 2');
  const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('warning:'));
  t.equal(lines.length, 1, `one error line: ${lines.join(' | ')}`);
  t.match(lines[0], /lm-ngram --model katz: this model holds every n-gram in memory \(about \d+[kM] for \d+ n-grams\), over --memory 16k; raise --memory, or choose --model kneser-ney, which streams within it/);
  t.ok(fs.existsSync(path.join(out, 'ngrams', '_manifest.json')), 'the stages before it are kept');
  t.notOk(fs.existsSync(path.join(out, 'lm-ngram', '_manifest.json')), 'lm-ngram not written');
  const ok = lexflow(['run', '--dataset', text, '--out', out, '--to', 'lm-ngram', '--threads', '1', '--ngrams.order', '3', '--lm-ngram.model', 'kneser-ney', '--lm-ngram.memory', '16k', '--quiet']);
  t.equal(ok.code, 0, `kneser-ney alone runs within 16k: ${ok.stderr.trim()}`);
});
