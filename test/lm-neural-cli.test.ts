// `lexflow eval ppl` and `lexflow sample` on an lm-neural model (the n-gram
// commands dispatch here), and `sample --with-attention`.

import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import stage from '../stages/lm-neural/index.js';
import { evalPerplexity } from '../pipeline/cli/eval-ppl.js';
import { runSample } from '../pipeline/cli/sample.js';
import { resolveParams } from '../pipeline/params.js';
import { createLogger } from '../pipeline/log.js';
import { createProgress } from '../pipeline/progress.js';
import { readTableSync } from '../pipeline/arrow.js';
import { isUsageError } from '../pipeline/errors.js';
import { tempDir, toySentences } from '../testkit/lm-neural-fixture.js';
import { writeTokenShards } from '../testkit/token-shards.js';
import { WORDS } from '../testkit/lm-neural-fixture.js';

const run = tempDir('run');
const tokDir = path.join(run, 'tokenize');
const stageDir = path.join(run, 'lm-neural');
let testPpl = 0;

t.before(async () => {
  await writeTokenShards(tokDir, { train: toySentences(60), valid: toySentences(9), test: toySentences(6) }, { vocab: WORDS, docs: 'zero' });
  fs.mkdirSync(stageDir);
  const params = resolveParams(stage.params, { arch: 'transformer', 'd-model': 16, ffn: 32, heads: 2, layers: 2, context: 8, batch: 4, epochs: 10, lr: 0.01, warmup: 0, dropout: 0 }, 'test');
  const res = await stage.run({
    params, runDir: run, outDir: stageDir, checkpointDir: tempDir('ck'), input: () => ({ dir: tokDir, manifest: {} as never }), dataset: undefined,
    pool: undefined as never, progress: createProgress({ mode: 'quiet' }), log: createLogger('quiet'), warn: () => {},
  });
  testPpl = (res.metrics as { testPpl: number }).testPpl;
});

t.test('eval ppl prints the stage\'s own test perplexity in the n-gram layout', async (t) => {
  let text = '';
  const r = await evalPerplexity({ model: stageDir, split: 'test' }, (s) => (text += s));
  t.ok(Math.abs(r.ppl - testPpl) < 1e-6, `${r.ppl} vs ${testPpl}`);
  t.equal(r.tokens, 4 * 7 + 2 * 5, 'words + </s> of 6 sentences');
  t.match(text, /Perplexity including OOVs:\t[\d.]+\nPerplexity excluding OOVs:/);
  t.ok(Math.abs(10 ** (-r.logProb10 / r.tokens) - r.ppl) < 1e-6, 'log10 sum agrees with ppl');
});

t.test('eval ppl refuses data tokenized with another vocabulary', async (t) => {
  const other = tempDir('tok');
  await writeTokenShards(other, { test: [['cat', 'the']] }, { vocab: WORDS, docs: 'zero' });
  // Same words, but counts from an empty train split reorder nothing here: swap two ids by hand instead.
  const vocabFile = path.join(other, 'vocab.arrow');
  const { ArrowFileWriter, primitiveData, utf8Data, A } = await import('../pipeline/arrow.js');
  const { vocabSchema } = await import('../lib/formats/tokens.js');
  const w = new ArrowFileWriter(vocabFile, vocabSchema);
  const toks = ['<unk>', '<s>', '</s>', '<pad>', 'cat', 'the', 'sat', 'on', 'mat', 'dog', 'ran', 'home'];
  await w.writeColumns([primitiveData(new A.Int32(), Int32Array.from(toks, (_, i) => i)), utf8Data(toks), primitiveData(new A.Int64(), new BigInt64Array(toks.length))]);
  await w.close();
  const err = await evalPerplexity({ model: stageDir, split: 'test', tokens: other }, () => {}).catch((e) => e);
  t.ok(isUsageError(err));
  t.match(err.message, /vocabulary differs from the model's \(id 4 is "cat" here, "the" in the model\)/);
});

t.test('sample: greedy continues the toy language; beam, top-k, top-p and temperature run on the same model', async (t) => {
  let text = '';
  const [g] = await runSample({ model: stageDir, strategy: 'greedy', prompt: 'the cat', 'max-tokens': 10, seed: 1, temperature: 1, k: 3, p: 0.9, beam: 2, count: 1 }, (s) => (text += s));
  t.match(text, /the cat sat on the mat <\/s>/);
  t.ok(g!.finished);
  for (const strategy of ['beam', 'temperature', 'top-k', 'top-p']) {
    const out = await runSample({ model: stageDir, strategy, prompt: 'the', 'max-tokens': 8, seed: 2, temperature: 0.7, k: 3, p: 0.9, beam: 2, count: 2 }, () => {});
    t.ok(out.length >= 1 && out.every((o) => Number.isFinite(o.logProb) && o.logProb <= 0), `${strategy}: ${out.length} generations with log-probabilities`);
  }
});

t.test('sample --with-attention writes causal attention rows that sum to 1 per query', async (t) => {
  const file = path.join(tempDir('att'), 'attention.arrow');
  let text = '';
  const [g] = await runSample({ model: stageDir, strategy: 'greedy', prompt: 'the dog', 'max-tokens': 3, seed: 1, temperature: 1, k: 3, p: 0.9, beam: 2, count: 1, 'with-attention': file }, (s) => (text += s));
  const T = 1 + 2 + g!.ids.length;
  const table = readTableSync(file);
  t.same(table.schema.fields.map((f) => f.name), ['layer', 'head', 'query_pos', 'key_pos', 'weight']);
  t.equal(table.numRows, 2 * 2 * ((T * (T + 1)) / 2), 'layers × heads × lower triangle');
  const sums = new Map<string, number>();
  for (const r of table) {
    t.ok(r.key_pos <= r.query_pos);
    const k = `${r.layer}/${r.head}/${r.query_pos}`;
    sums.set(k, (sums.get(k) ?? 0) + r.weight);
  }
  t.ok([...sums.values()].every((s) => Math.abs(s - 1) < 1e-4), 'every query row is a distribution');
  t.match(text, /attention: \d+ rows/);
});
