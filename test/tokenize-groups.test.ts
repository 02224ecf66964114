// Blocks tokenized in groups (stages/tokenize/block.ts tokenizeBlocks): one type
// table for the group's consecutive blocks, merged once by the main thread. The
// group's sentences and counts must be exactly those of its blocks tokenized one
// by one (a block end still ends a sentence), and the stage's outputs must not
// depend on how blocks were grouped: 1, 2 and 3 threads group a file
// differently (index.ts groupBytes), with or without a small --memory.

import path from 'node:path';
import fs from 'node:fs';
import t from 'tap';
import { runPipeline } from '../pipeline/runner.js';
import { createPool, type Pool } from '../pipeline/pool.js';
import { readManifest } from '../pipeline/manifest.js';
import { parseSplitFractions } from '../datasets/split.js';
import { tokenizeBlock, tokenizeBlocks, type BlockBytes, type BlockTask } from '../stages/tokenize/block.js';
import { blockTypes, type EncodedBlock } from '../stages/tokenize/encode.js';
import { groupBytes } from '../stages/tokenize/index.js';
import { tmpDir } from '../testkit/tmp.js';
import { syntheticText } from '../testkit/corpus.js';
import { outputFiles } from '../testkit/tokenize-output.js';

/** Sentences as token strings, with each sentence's split. */
function sentences(r: EncodedBlock): string[] {
  const types = blockTypes(r);
  const out: string[] = [];
  for (let s = 0; s + 1 < r.sentEnds.length; s++) out.push(`${r.sentSplit[s]}:${Array.from(r.ids.subarray(r.sentEnds[s], r.sentEnds[s + 1]), (i) => types[i]).join(' ')}`);
  return out;
}

/** Count per (type, split) as a map. */
function counts(rs: EncodedBlock[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rs) blockTypes(r).forEach((w, i) => [0, 1, 2].forEach((s) => r.counts[3 * i + s] && m.set(`${w}/${s}`, (m.get(`${w}/${s}`) ?? 0) + r.counts[3 * i + s]!)));
  return m;
}

t.test('a group of blocks tokenizes as its blocks one by one', async (t) => {
  // Hand-made blocks: a sentence left open at a block end, repeated and new words, a jsonl record per line.
  const texts = ['The cat sat. The dog', ' ran away.\nA cat ran', ' too. Dogs and cats!\n', 'the the the\n'];
  const base = { path: 'x.txt', fileId: 'x.txt', textField: 'text', fractions: parseSplitFractions([0.9, 0.05, 0.05]) };
  const optionSets = [
    { format: 'txt', split: 0, options: { normalize: 'nfc', lowercase: false, tokenizer: 'words', sentences: 'punct', onInvalid: 'error' } },
    // split -1: every line its own document, split by the hash of its position.
    { format: 'txt', split: -1, options: { normalize: 'none', lowercase: true, tokenizer: 'whitespace', sentences: 'line', onInvalid: 'error' } },
  ] as const;
  for (const o of optionSets) {
    let line = 1;
    const blocks: BlockBytes[] = texts.map((s, i) => {
      const b = { bytes: new TextEncoder().encode(s), offset: i * 100, firstLine: line };
      line += s.split('\n').length - 1;
      return b;
    });
    const one = blocks.map((b) => tokenizeBlock({ ...base, ...o, ...b } as BlockTask));
    const group = tokenizeBlocks({ ...base, ...o, blocks } as Parameters<typeof tokenizeBlocks>[0]);
    t.same(sentences(group), one.flatMap(sentences), `${o.options.tokenizer}: same sentences in the same order`);
    t.same([...counts([group])].sort(), [...counts(one)].sort(), `${o.options.tokenizer}: counts per type and split are the blocks' sums`);
    t.equal(blockTypes(group).length, new Set(one.flatMap(blockTypes)).size, `${o.options.tokenizer}: each type once in the group's table`);
    t.same(Array.from(group.docSplit), one.flatMap((r) => Array.from(r.docSplit)), 'documents in order');
  }
  // The first block as a group of one: sentences as the hand-worked split says.
  const r = tokenizeBlock({ ...base, ...optionSets[0], bytes: new TextEncoder().encode(texts[0]!), offset: 0, firstLine: 1 } as BlockTask);
  t.same(sentences(r), ['0:The cat sat .', '0:The dog'], 'a block end ends a sentence');
});

t.test('group size', async (t) => {
  t.equal(groupBytes(60e6, 1 << 20, 2, 512 << 20), 5e6, 'about six tasks per thread');
  t.equal(groupBytes(100e6, 1 << 20, 1, 512 << 20), 8 << 20, 'at most 8 MiB');
  t.equal(groupBytes(10e6, 1 << 20, 2, 8 << 20), 1 << 20, 'at least one block, within a quarter of --memory');
  t.equal(groupBytes(1000, 4096, 2, 512 << 20), 4096, 'a small file: one block');
});

const pools: Pool[] = [];
t.teardown(async () => {
  for (const p of pools) await p.destroy();
});

t.test('1, 2 and 3 threads, in memory and spilled: the same bytes', async (t) => {
  const dir = tmpDir(t);
  const corpus = path.join(dir, 'corpus');
  fs.mkdirSync(corpus);
  // One large file (many blocks per group) and one small one; --split by files needs three documents.
  fs.writeFileSync(path.join(corpus, 'big.txt'), syntheticText(400_000, 3));
  fs.writeFileSync(path.join(corpus, 'small.txt'), syntheticText(9_000, 4));
  fs.writeFileSync(path.join(corpus, 'third.txt'), syntheticText(30_000, 5));
  const params = { 'block-bytes': '4k', 'shard-tokens': 5000 };
  const runs: [string, number, string][] = [
    ['t1', 1, '1G'],
    ['t2', 2, '1G'],
    ['t3', 3, '1G'],
    ['t3-spill', 3, '96k'],
    ['t1-spill', 1, '96k'],
  ];
  for (const [name, threads, memory] of runs) {
    const pool = createPool(threads);
    pools.push(pool);
    await runPipeline({ out: path.join(dir, name), dataset: corpus, only: ['tokenize'], params: { tokenize: { ...params, memory } }, pool, force: true, logLevel: 'quiet', progress: 'quiet' });
  }
  const ref = outputFiles(path.join(dir, 't1/tokenize'));
  t.ok(ref.size >= 5, `several files (${ref.size})`);
  for (const [name] of runs.slice(1)) {
    const got = outputFiles(path.join(dir, `${name}/tokenize`));
    t.same([...got.keys()], [...ref.keys()], `${name}: same files`);
    t.ok([...ref].every(([k, v]) => v.equals(got.get(k)!)), `${name}: every file the same bytes`);
  }
  const spilled = readManifest(path.join(dir, 't3-spill/tokenize'))!.metrics as { spilledBlocks: number; typeRuns: number };
  t.ok(spilled.spilledBlocks > 0 && spilled.typeRuns > 0, `the small budget spilled blocks (${spilled.spilledBlocks}) and types (${spilled.typeRuns} runs)`);
});
