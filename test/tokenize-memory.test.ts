// The tokenize vocabulary within --memory: a type table past its share of the
// budget is spilled as sorted runs and merged (stages/tokenize/type-spill.ts);
// vocab.arrow and every shard are the same bytes as with the table in memory,
// with a --max-size cut, with min-count 1 and 3, and with specials written
// literally in the text.

import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { runPipeline } from '../pipeline/runner.js';
import { createPool } from '../pipeline/pool.js';
import { readManifest } from '../pipeline/manifest.js';
import { tmpDir } from '../testkit/tmp.js';
import { writeCorpus } from '../testkit/corpus.js';
import { outputFiles, readTokenizeOutput } from '../testkit/tokenize-output.js';

const pool = createPool(2);
t.teardown(() => pool.destroy());

const tokenize = (out: string, dataset: string, params: Record<string, unknown>) =>
  runPipeline({ out, dataset, only: ['tokenize'], params: { tokenize: params }, pool, force: true, logLevel: 'quiet', progress: 'quiet' });

for (const [name, params] of [
  ['--max-size 300, min-count 1', { 'max-size': 300 }],
  ['min-count 1, no cut', {}],
  ['min-count 3', { 'min-count': 3 }],
] as const) {
  t.test(`type table spilled vs in memory: ${name}`, async (t) => {
    const dir = tmpDir(t);
    const corpus = writeCorpus(path.join(dir, 'corpus'), 6, 20_000, 11);
    fs.appendFileSync(path.join(corpus, fs.readdirSync(corpus).sort()[2]!), '\nthe <unk> was <s> here and <unk> again .\n');
    const common = { 'block-bytes': '4k', ...params };
    await tokenize(path.join(dir, 'mem'), corpus, { ...common, memory: '1G' });
    await tokenize(path.join(dir, 'spill'), corpus, { ...common, memory: '32k' });
    const a = outputFiles(path.join(dir, 'mem/tokenize'));
    const b = outputFiles(path.join(dir, 'spill/tokenize'));
    t.same([...b.keys()], [...a.keys()], 'same files');
    for (const [k, v] of a) t.ok(v.equals(b.get(k)!), `${k}: same bytes`);
    const ma = readManifest(path.join(dir, 'mem/tokenize'))!.metrics as Record<string, unknown>;
    const mb = readManifest(path.join(dir, 'spill/tokenize'))!.metrics as Record<string, unknown>;
    t.equal(ma.typeRuns, 0, 'in memory: no runs');
    t.ok((mb.typeRuns as number) > 2, `32k: ${mb.typeRuns} sorted runs`);
    t.same(mb.splits, ma.splits, 'same per-split tokens, types and OOV rates');
    t.equal(mb.trainTypes, ma.trainTypes, 'same train types before the cut');
    const got = await readTokenizeOutput(path.join(dir, 'spill/tokenize'));
    t.equal(got.vocab.length, 'max-size' in params ? 300 : new Set(got.vocab).size, `${got.vocab.length} distinct types in the vocabulary`);
    t.notOk(fs.existsSync(path.join(dir, 'spill', fs.readdirSync(path.join(dir, 'spill')).find((n) => n.endsWith('-spill')) ?? 'none')), 'spill folder removed');
  });
}
