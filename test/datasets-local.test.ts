// Local corpora: files, folders, globs, gzip, jsonl, pre-split folders, fingerprints, errors.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import t from 'tap';
import { isUsageError } from '../pipeline/errors.js';
import { resolveDataset } from '../datasets/index.js';
import { hashCachePath } from '../datasets/content-hash.js';
import { splitOfId } from '../datasets/presplit.js';
import { corpus, privateCache, rmAll } from '../testkit/datasets-helpers.js';

const cache = privateCache();
t.teardown(() => rmAll(cache));
const opts = { textField: 'text' };

async function ids(spec: string, o = opts): Promise<string[]> {
  return (await resolveDataset(spec, o).files()).map((f) => f.id);
}

t.test('a file, a folder (recursive) and globs', async (t) => {
  const dir = corpus({
    'a.txt': 'Alpha.',
    'b.txt.gz': 'Beta gzipped.',
    'c.jsonl': '{"text":"Gamma."}\n',
    'd.jsonl.gz': '{"text":"Delta."}\n',
    'notes.md': 'not a document',
    '.hidden.txt': 'skipped',
    'sub/e.txt': 'Epsilon.',
    'sub/deeper/f.tokens': 'zeta',
    'sub/x.txt': 'Chi.',
  });
  t.teardown(() => rmAll(dir));

  const one = await resolveDataset(path.join(dir, 'a.txt'), opts).files();
  t.same(one.map((f) => [f.id, f.path, f.format, f.gzip, f.bytes]), [['a.txt', path.join(dir, 'a.txt'), 'txt', false, 6]]);

  const all = await resolveDataset(dir, opts).files();
  t.same(
    all.map((f) => [f.id, f.format, f.gzip]),
    [
      ['a.txt', 'txt', false],
      ['b.txt.gz', 'txt', true],
      ['c.jsonl', 'jsonl', false],
      ['d.jsonl.gz', 'jsonl', true],
      ['sub/deeper/f.tokens', 'txt', false],
      ['sub/e.txt', 'txt', false],
      ['sub/x.txt', 'txt', false],
    ],
    'sorted ids relative to the folder; .md and dot-files skipped',
  );
  t.ok(all.every((f) => path.isAbsolute(f.path) && f.bytes === fs.statSync(f.path).size && f.split === undefined));
  t.equal(zlib.gunzipSync(fs.readFileSync(all[1]!.path)).toString(), 'Beta gzipped.');

  t.same(await ids(`${dir}/*.txt`), ['a.txt'], '* stays in its folder');
  t.same(await ids(`${dir}/**/*.txt`), ['a.txt', 'sub/e.txt', 'sub/x.txt'], '** spans zero or more folders');
  t.same(await ids(`${dir}/sub/?.txt`), ['e.txt', 'x.txt'], 'ids relative to the folder before the first wildcard');
  t.same(await ids(`${dir}/**/*.gz`), ['b.txt.gz', 'd.jsonl.gz']);
  t.same(await ids(`${dir}/s*/**`), ['sub/deeper/f.tokens', 'sub/e.txt', 'sub/x.txt'], 'a trailing ** takes every document below');
  t.same(await ids(`${dir}/**/*.md`).catch((e: Error) => e.name), 'UsageError', 'only document files, even when a glob names others');

  // Relative specs resolve from the working directory.
  const cwd = process.cwd();
  process.chdir(dir);
  t.teardown(() => process.chdir(cwd));
  t.same(await ids('./sub'), ['deeper/f.tokens', 'e.txt', 'x.txt']);
  t.same(await ids('sub/*.txt'), ['e.txt', 'x.txt']);
  t.same(await ids('*/*.txt'), ['sub/e.txt', 'sub/x.txt']);
  process.chdir(cwd);
});

t.test('jsonl: the text field is part of the dataset and its fingerprint', async (t) => {
  const dir = corpus({ 'posts.jsonl': '{"id":1,"body":"Hello there."}\n{"id":2,"body":"General Kenobi."}\n' });
  const txt = corpus({ 'a.txt': 'Hello.' });
  t.teardown(() => rmAll(dir, txt));
  const body = resolveDataset(dir, { textField: 'body' });
  t.equal(body.textField, 'body');
  t.equal((await body.files())[0]!.format, 'jsonl');
  t.not(await body.fingerprint(), await resolveDataset(dir, opts).fingerprint(), 'another field reads other text');
  t.equal(await resolveDataset(txt, { textField: 'body' }).fingerprint(), await resolveDataset(txt, opts).fingerprint(), 'no jsonl, no effect');
});

t.test('a split named in the file name', async (t) => {
  t.equal(splitOfId('ptb.train.txt'), 'train');
  t.equal(splitOfId('wiki.valid.tokens'), 'valid');
  t.equal(splitOfId('dev.jsonl'), 'valid');
  t.equal(splitOfId('val/x.txt'), 'valid');
  t.equal(splitOfId('en-test.txt.gz'), 'test');
  t.equal(splitOfId('test/ptb.test.txt'), 'test');
  t.equal(splitOfId('contest.txt'), undefined, 'whole words only');
  t.equal(splitOfId('train/x.test.txt'), undefined, 'two different splits: none');
});

t.test('pre-split folders keep their train/valid/test split', async (t) => {
  const ptb = corpus({
    'ptb.train.txt': ' the cat sat \n a dog ran \n',
    'ptb.valid.txt': ' the dog sat \n',
    'ptb.test.txt': ' a cat ran \n',
    'ptb.char.train.txt': 't h e _ c a t\n',
    'README': 'simple-examples',
  });
  t.teardown(() => rmAll(ptb));

  const named = resolveDataset(`ptb=${ptb}`, opts);
  const files = await named.files();
  t.same(
    files.map((f) => [f.id, f.split]),
    [
      ['ptb.test.txt', 'test'],
      ['ptb.train.txt', 'train'],
      ['ptb.valid.txt', 'valid'],
    ],
    'ptb=FOLDER reads the three word-level files only',
  );
  t.same(named.hints, { tokenizer: 'whitespace', sentences: 'line' });
  t.equal(named.name, `ptb=${ptb}`);

  // Pointing at the folder: every file names a split, so the split is kept (char files included).
  const plain = await resolveDataset(ptb, opts).files();
  t.same(plain.map((f) => f.split), ['train', 'test', 'train', 'valid']);

  // The three PTB files alone: the same split and the PTB hints, without naming it.
  fs.rmSync(path.join(ptb, 'ptb.char.train.txt'));
  const auto = resolveDataset(ptb, opts);
  t.same((await auto.files()).map((f) => [f.id, f.split]), files.map((f) => [f.id, f.split]));
  t.same(auto.hints, { tokenizer: 'whitespace', sentences: 'line' });
  t.equal(await auto.fingerprint(), await named.fingerprint(), 'same files, split and hints: same fingerprint');
  t.same((await resolveDataset(`${ptb}/ptb.*.txt`, opts).files()).map((f) => f.split), ['test', 'train', 'valid']);
  t.same((await resolveDataset(path.join(ptb, 'ptb.train.txt'), opts).files()).map((f) => f.split), ['train']);

  // WikiText as pytorch's examples ship it: train.txt, valid.txt, test.txt.
  const wt = corpus({ 'train.txt': ' = Title = \n', 'valid.txt': ' a \n', 'test.txt': ' b \n' });
  t.teardown(() => rmAll(wt));
  const w = resolveDataset(`wikitext-2=${wt}`, opts);
  t.same((await w.files()).map((f) => [f.id, f.split]), [['test.txt', 'test'], ['train.txt', 'train'], ['valid.txt', 'valid']]);
  t.same(w.hints, { tokenizer: 'whitespace', sentences: 'line' });
  const wauto = resolveDataset(wt, opts);
  t.same((await wauto.files()).map((f) => f.split), ['test', 'train', 'valid']);
  t.same(wauto.hints, {}, 'generic names: no tokenizer hint without wikitext-2=');
  t.not(await wauto.fingerprint(), await w.fingerprint(), 'hints change how the corpus reads');

  // Split folders of many documents.
  const nested = corpus({ 'train/a.txt': 'A.', 'train/b.txt': 'B.', 'dev/c.txt': 'C.', 'test/d.txt': 'D.' });
  t.teardown(() => rmAll(nested));
  t.same((await resolveDataset(nested, opts).files()).map((f) => [f.id, f.split]), [
    ['dev/c.txt', 'valid'],
    ['test/d.txt', 'test'],
    ['train/a.txt', 'train'],
    ['train/b.txt', 'train'],
  ]);
});

t.test('no split when not every file names one, or there is no train file', async (t) => {
  const mixed = corpus({ 'train.txt': 'a', 'notes.txt': 'b' });
  const noTrain = corpus({ 'ptb.valid.txt': ' a ', 'ptb.test.txt': ' b ' });
  t.teardown(() => rmAll(mixed, noTrain));
  t.same((await resolveDataset(mixed, opts).files()).map((f) => f.split), [undefined, undefined]);
  t.same((await resolveDataset(noTrain, opts).files()).map((f) => f.split), [undefined, undefined]);
  t.throws(() => resolveDataset(`ptb=${noTrain}`, opts), { name: 'UsageError', message: /no train file.*ptb\.train\.txt/ });
  // Other files of a NAME=FOLDER corpus are left out.
  t.same((await resolveDataset(`mine=${mixed}`, opts).files()).map((f) => [f.id, f.split]), [['train.txt', 'train']]);
});

t.test('fingerprint: id and content, cached by path, size and mtime', async (t) => {
  const dir = corpus({ 'a.txt': 'one two three', 'b.txt': 'four five' });
  t.teardown(() => rmAll(dir));
  const a = path.join(dir, 'a.txt');
  const fp = (): Promise<string> => resolveDataset(dir, opts).fingerprint();

  const fp1 = await fp();
  t.match(fp1, /^[0-9a-f]{32}$/);
  t.equal(await fp(), fp1, 'deterministic');

  const table = JSON.parse(fs.readFileSync(hashCachePath(), 'utf8')) as Record<string, { size: number; mtimeMs: number; sha256: string }>;
  const st = fs.statSync(a);
  t.same(table[a], { size: st.size, mtimeMs: st.mtimeMs, sha256: crypto.createHash('sha256').update('one two three').digest('hex') });

  // Whole seconds: utimes round-trips them exactly on every file system.
  const T = 1_700_000_000;
  fs.writeFileSync(a, 'one two three four');
  fs.utimesSync(a, T, T);
  const fp2 = await fp();
  t.not(fp2, fp1, 'content changed');

  // Same size, same mtime: the cached hash is trusted (the file is not read again) ...
  fs.writeFileSync(a, 'ONE TWO THREE FOUR');
  fs.utimesSync(a, T, T);
  t.equal(await fp(), fp2, 'cache hit: not re-hashed');
  // ... and a new mtime makes it read again.
  fs.utimesSync(a, T, T + 5);
  const fp3 = await fp();
  t.not(fp3, fp2, 'mtime changed: re-hashed');

  fs.renameSync(path.join(dir, 'b.txt'), path.join(dir, 'c.txt'));
  t.not(await fp(), fp3, 'a renamed document is another document');

  // A damaged cache is only a cache.
  fs.writeFileSync(hashCachePath(), '{not json');
  t.match(await fp(), /^[0-9a-f]{32}$/);
});

t.test('errors: one line, exit code 2, and the fix', async (t) => {
  const onlyMd = corpus({ 'notes.md': 'x', 'data.csv': 'a,b' });
  const empty = corpus({ 'a.txt': '', 'b.txt': '' });
  const emptyGz = corpus({ 'a.txt.gz': '' });
  const file = corpus({ 'a.txt': 'x' });
  t.teardown(() => rmAll(onlyMd, empty, emptyGz, file));

  const cases: [string, RegExp, Partial<{ sha256: string }>?][] = [
    ['nosuchcorpus', /unknown dataset "nosuchcorpus": the registered datasets are brown, sotu, moby-dick/],
    ['ptb', /"ptb" is not bundled.*--dataset ptb=FOLDER/],
    ['wikitext-103', /--dataset wikitext-103=FOLDER/],
    ['./no/such/dir', /no\/such\/dir: no such file or folder\. Check the path/],
    ['corpus.txt', /corpus\.txt: no such file or folder/],
    [onlyMd, /holds no \.txt, \.tokens, \.raw or \.jsonl files/],
    [`${file}/**/*.jsonl`, /matches no .*quote it/],
    [empty, /empty corpus: all 2 files are empty/],
    [emptyGz, /empty corpus: the file is empty/],
    [`ptb=${path.join(file, 'nope')}`, /nope: no such folder/],
    [`ptb=${path.join(file, 'a.txt')}`, /a\.txt: is not a folder/],
    [`mine=${onlyMd}`, /holds no train\/valid\/test/],
    [file, /--sha256 applies to URL datasets only/, { sha256: 'ab'.repeat(32) }],
    ['', /--dataset is empty/],
  ];
  for (const [spec, message, extra] of cases) {
    let err: unknown;
    try {
      resolveDataset(spec, { ...opts, ...extra });
    } catch (e) {
      err = e;
    }
    t.ok(isUsageError(err), `${spec}: a usage error (exit 2)`);
    t.match((err as Error)?.message, message, spec);
    t.notMatch((err as Error)?.message, /\n/, 'one line');
  }
});
