// The tokenize stage end to end through runPipeline: documents, splits and
// sentences as tokenizeText gives them, vocabulary counts, byte-identical
// output for 1 and 2 threads and with spilling, PTB's <unk>, jsonl records,
// and every bad input with its one clear error (and out/ left intact).

import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { runPipeline } from '../pipeline/runner.js';
import { createPool, type Pool } from '../pipeline/pool.js';
import { readManifest } from '../pipeline/manifest.js';
import { tokenizeText } from '../stages/tokenize/text.js';
import { compareCodePoints } from '../stages/tokenize/vocab.js';
import { parseSplitFractions, recordId, splitOfId } from '../datasets/split.js';
import { SPLITS } from '../datasets/source.js';
import { tmpDir } from '../testkit/tmp.js';
import { syntheticText, writeCorpus } from '../testkit/corpus.js';
import { outputFiles, readTokenizeOutput } from '../testkit/tokenize-output.js';

const pools: Pool[] = [];
const pool = (n: number): Pool => {
  const p = createPool(n);
  pools.push(p);
  return p;
};
t.teardown(async () => {
  for (const p of pools) await p.destroy();
});
const pool1 = pool(1);
const pool2 = pool(2);

function tokenize(out: string, dataset: string, params: Record<string, unknown> = {}, p: Pool = pool2, textField?: string) {
  return runPipeline({
    out,
    dataset,
    only: ['tokenize'],
    params: { tokenize: params },
    pool: p,
    force: true,
    logLevel: 'quiet',
    progress: 'quiet',
    ...(textField ? { textField } : {}),
  });
}

const fractions = parseSplitFractions([0.9, 0.05, 0.05]);

t.test('documents, splits, sentences and vocabulary', async (t) => {
  const dir = tmpDir(t);
  const corpus = writeCorpus(path.join(dir, 'corpus'), 40, 1500);
  await tokenize(path.join(dir, 'out'), corpus);
  const got = await readTokenizeOutput(path.join(dir, 'out/tokenize'));

  // Expected, independently: each file is a document (sorted by id), split by the hash of its id.
  const files = fs.readdirSync(corpus).sort();
  const expected = { train: [] as { doc: number; tokens: string[] }[], valid: [] as { doc: number; tokens: string[] }[], test: [] as { doc: number; tokens: string[] }[] };
  const counts = new Map<string, number>();
  let trainSentences = 0;
  files.forEach((f, doc) => {
    const split = SPLITS[splitOfId(f, fractions)]!;
    for (const tokens of tokenizeText(fs.readFileSync(path.join(corpus, f), 'utf8'))) {
      expected[split].push({ doc, tokens });
      if (split === 'train') {
        trainSentences++;
        for (const w of tokens) counts.set(w, (counts.get(w) ?? 0) + 1);
      }
    }
  });
  t.ok(expected.valid.length > 0 || expected.test.length > 0, 'some documents fell out of train');
  const words = [...counts].sort((a, b) => b[1] - a[1] || compareCodePoints(a[0], b[0]));
  t.same(got.vocab, ['<unk>', '<s>', '</s>', '<pad>', ...words.map((w) => w[0])], 'vocabulary: specials, then count desc, then token');
  t.same(got.counts, [0, trainSentences, trainSentences, 0, ...words.map((w) => w[1])], 'train counts');
  for (const s of SPLITS) {
    const oov = (x: string) => (counts.has(x) ? x : '<unk>');
    t.same(
      got.splits[s].map((x) => ({ doc: x.doc, tokens: x.tokens })),
      expected[s].map((x) => ({ doc: x.doc, tokens: x.tokens.map(oov) })),
      `${s}: sentences, in order, with document ordinals`,
    );
  }
  const m = readManifest(path.join(dir, 'out/tokenize'))!;
  const metrics = m.metrics as { documents: number; splits: Record<string, { documents: number; sentences: number; tokens: number; oovRate: number }> };
  t.equal(metrics.documents, 40);
  for (const s of SPLITS) {
    const toks = expected[s].flatMap((x) => x.tokens);
    t.equal(metrics.splits[s]!.sentences, expected[s].length, `${s} sentences metric`);
    t.equal(metrics.splits[s]!.tokens, toks.length, `${s} tokens metric`);
    t.equal(metrics.splits[s]!.oovRate, toks.length ? toks.filter((w) => !counts.has(w)).length / toks.length : 0, `${s} OOV rate`);
  }
  t.equal(m.rows['vocab.arrow'], got.vocab.length);
  t.equal(m.rows['tokens/train-00000.arrow'], got.splits.train.length, 'rows per output file');
});

t.test('--threads 1 and 2, in memory or spilled: byte-identical outputs', async (t) => {
  const dir = tmpDir(t);
  const corpus = writeCorpus(path.join(dir, 'corpus'), 12, 30_000, 7);
  // A jsonl file in the middle: its records are documents numbered in corpus order.
  const records = Array.from({ length: 50 }, (_, i) => JSON.stringify({ id: i, text: syntheticText(400, 100 + i) }));
  fs.writeFileSync(path.join(corpus, 'doc-005b.jsonl'), records.join('\n') + '\n');
  const params = { 'block-bytes': '4k', 'shard-tokens': 3000, 'min-count': 2 };
  await tokenize(path.join(dir, 'one'), corpus, params, pool1);
  await tokenize(path.join(dir, 'two'), corpus, params, pool2);
  await tokenize(path.join(dir, 'spill'), corpus, { ...params, memory: '64k' }, pool2);
  const one = outputFiles(path.join(dir, 'one/tokenize'));
  const two = outputFiles(path.join(dir, 'two/tokenize'));
  const spill = outputFiles(path.join(dir, 'spill/tokenize'));
  t.ok([...one.keys()].filter((k) => k.startsWith('tokens/train-')).length >= 10, `several shards (${one.size} files)`);
  t.same([...two.keys()], [...one.keys()], 'same files');
  t.same([...spill.keys()], [...one.keys()], 'same files when spilled');
  for (const [k, v] of one) {
    t.ok(v.equals(two.get(k)!), `${k}: identical for 1 and 2 threads`);
    t.ok(v.equals(spill.get(k)!), `${k}: identical when spilled`);
  }
  const m1 = readManifest(path.join(dir, 'one/tokenize'))!;
  const ms = readManifest(path.join(dir, 'spill/tokenize'))!;
  t.ok((ms.metrics as { spilledBlocks: number }).spilledBlocks > 0, 'the spill run did spill');
  t.ok((ms.metrics as { typeRuns: number }).typeRuns > 1, `the type table spilled too (${(ms.metrics as { typeRuns: number }).typeRuns} sorted runs)`);
  t.equal((m1.metrics as { typeRuns: number }).typeRuns, 0, 'in memory: no type runs');
  t.same(ms.metrics, { ...m1.metrics, spilledBlocks: (ms.metrics as { spilledBlocks: number }).spilledBlocks, typeRuns: (ms.metrics as { typeRuns: number }).typeRuns }, 'the same per-split figures (tokens, types, OOV rate)');
  t.same(m1.rows, ms.rows);
  t.equal(m1.fingerprint, ms.fingerprint, '--memory is not part of the fingerprint');
  t.equal((m1.metrics as { documents: number }).documents, 12 + 50, 'files and records are documents');

  const got = await readTokenizeOutput(path.join(dir, 'one/tokenize'));
  t.ok(Object.values(got.shards).flat().every((n) => n <= 3000), 'no shard above --shard-tokens');
  // Records are documents 6..55 (after doc-000..doc-005), split each by the hash of its record id.
  const recordDocs = new Set(SPLITS.flatMap((s) => got.splits[s].filter((x) => x.doc >= 6 && x.doc < 56).map((x) => `${s}:${x.doc}`)));
  for (let i = 0; i < 50; i++) {
    const split = SPLITS[splitOfId(recordId('doc-005b.jsonl', i + 1), fractions)]!;
    t.ok(recordDocs.has(`${split}:${6 + i}`), `record ${i + 1} is document ${6 + i} in ${split}`);
  }
});

t.test('PTB-style corpus: own splits, whitespace tokens, literal <unk> is id 0', async (t) => {
  const dir = tmpDir(t);
  const corpus = path.join(dir, 'ptb');
  fs.mkdirSync(corpus);
  fs.writeFileSync(path.join(corpus, 'ptb.train.txt'), " the <unk> rose N % \n the cat 's <unk> \n a-share N.N \n");
  fs.writeFileSync(path.join(corpus, 'ptb.valid.txt'), ' the dog <unk> \n');
  fs.writeFileSync(path.join(corpus, 'ptb.test.txt'), ' cat rose \n');
  await tokenize(path.join(dir, 'out'), corpus);
  const got = await readTokenizeOutput(path.join(dir, 'out/tokenize'));
  // the: 2; every other word once, so ties in code-point order.
  t.same(got.vocab, ['<unk>', '<s>', '</s>', '<pad>', 'the', '%', "'s", 'N', 'N.N', 'a-share', 'cat', 'rose']);
  t.equal(got.counts[0], 2, '<unk> counts the literal <unk> of train');
  t.same(got.splits.train.map((s) => s.ids), [[4, 0, 11, 7, 5], [4, 10, 6, 0], [9, 8]], 'literal <unk> -> 0');
  t.same(got.splits.valid.map((s) => s.tokens), [['the', '<unk>', '<unk>']], 'dog is not in train: <unk>');
  t.same(got.splits.test.map((s) => s.tokens), [['cat', 'rose']]);
  const m = readManifest(path.join(dir, 'out/tokenize'))!.metrics as { splits: Record<string, { oovRate: number }>; tokenizer: string };
  t.equal(m.tokenizer, 'whitespace', 'the dataset hint chose the whitespace tokenizer');
  t.equal(m.splits.valid!.oovRate, 2 / 3);
  await tokenize(path.join(dir, 'out2'), corpus, { 'max-size': 6 });
  const cut = await readTokenizeOutput(path.join(dir, 'out2/tokenize'));
  t.same(cut.vocab, ['<unk>', '<s>', '</s>', '<pad>', 'the', '%'], '--max-size 6 keeps 2 words');
  t.equal(cut.counts[0], 2 + 6, '<unk> adds the counts of the cut words');
});

t.test('bad inputs: one clear error each, and the previous output stays intact', async (t) => {
  const dir = tmpDir(t);
  const out = path.join(dir, 'out');
  const good = writeCorpus(path.join(dir, 'good'), 5, 500);
  await tokenize(out, good);
  const before = outputFiles(path.join(out, 'tokenize'));
  const manifestBefore = fs.readFileSync(path.join(out, 'tokenize/_manifest.json'));
  const intact = (what: string): void => {
    const now = outputFiles(path.join(out, 'tokenize'));
    t.same([...now.keys()], [...before.keys()], `${what}: files intact`);
    t.ok([...now].every(([k, v]) => v.equals(before.get(k)!)), `${what}: bytes intact`);
    t.ok(fs.readFileSync(path.join(out, 'tokenize/_manifest.json')).equals(manifestBefore), `${what}: manifest intact`);
    t.same(fs.readdirSync(out).filter((n) => n.includes('.tmp-')), [], `${what}: no temp folder left`);
  };
  const corpus = (name: string, files: Record<string, Buffer | string>): string => {
    const d = path.join(dir, name);
    fs.mkdirSync(d);
    for (const [f, c] of Object.entries(files)) fs.writeFileSync(path.join(d, f), c);
    return d;
  };

  await t.rejects(tokenize(out, corpus('empty', { 'a.txt': '', 'b.txt': ' \n\n' })), { name: 'UsageError', message: /has no text to tokenize \(2 files, no tokens\)/ });
  intact('empty corpus');
  await t.rejects(tokenize(out, corpus('binary', { 'a.txt': 'fine\n', 'b.txt': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]) })), {
    message: /b\.txt: looks like a binary file \(NUL byte at byte offset 4\)/,
  });
  intact('binary file');
  // An invalid byte at offset 5000, in the second 4k block: the offset is the file's, not the block's.
  const bad = Buffer.from('ok line\n'.repeat(625) + 'caf\xe9 au lait\nmore\n', 'latin1');
  const badDir = corpus('latin1', { 'a.txt': bad });
  await t.rejects(tokenize(out, badDir, { 'block-bytes': '4k' }), {
    message: /a\.txt: invalid UTF-8 at byte offset 5003 \(line 626\)\. Convert the file to UTF-8.*--on-invalid replace/,
  });
  intact('invalid UTF-8');
  await t.rejects(tokenize(out, path.join(dir, 'no-such-folder')), { name: 'UsageError', message: /no-such-folder/ });
  intact('missing path');
  await t.rejects(tokenize(out, good, { 'max-size': 3 }), { message: /--max-size 3 leaves no room/ });
  intact('max-size too small');
  const jsonl = corpus('jsonl', { 'a.jsonl': '{"text": "fine"}\n{"body": "no text field"}\n' });
  await t.rejects(tokenize(out, jsonl), { message: /a\.jsonl: line 2 has no string field "text"\. Pass --text-field/ });
  await t.rejects(tokenize(out, corpus('badjson', { 'a.jsonl': '{"text": "fine"}\n{oops\n' })), { message: /a\.jsonl: line 2 is not valid JSON/ });
  intact('jsonl');
  // A 50 MB line (generated here), refused at --max-line-bytes.
  const long = path.join(dir, 'long');
  fs.mkdirSync(long);
  const fd = fs.openSync(path.join(long, 'a.txt'), 'w');
  const mb = Buffer.alloc(1 << 20, 'y');
  for (let i = 0; i < 50; i++) fs.writeSync(fd, mb);
  fs.closeSync(fd);
  await t.rejects(tokenize(out, long), { message: /a\.txt: line 1 is longer than 16 MB \(--max-line-bytes\)/ });
  fs.rmSync(long, { recursive: true });
  intact('50 MB line');

  // --on-invalid replace: replaced and counted, with a warning in the manifest.
  await tokenize(path.join(dir, 'replaced'), badDir, { 'on-invalid': 'replace', split: '1,0,0' });
  const m = readManifest(path.join(dir, 'replaced/tokenize'))!;
  t.equal((m.metrics as { replacedInvalidUtf8: number }).replacedInvalidUtf8, 1);
  t.match(m.warnings, [/replaced 1 invalid UTF-8 sequence with U\+FFFD/]);
  const got = await readTokenizeOutput(path.join(dir, 'replaced/tokenize'));
  t.ok(got.vocab.includes('caf\ufffd'), 'the bad byte became U+FFFD inside its word');
});
