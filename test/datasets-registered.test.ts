// The npm-packaged corpora: which files, in which order, in which format.

import fs from 'node:fs';
import t from 'tap';
import { resolveDataset } from '../datasets/index.js';
import { packageDir } from '../datasets/registry.js';
import { privateCache, rmAll } from '../testkit/datasets-helpers.js';

const cache = privateCache();
t.teardown(() => rmAll(cache));

t.test('brown: the 500 tagged texts ca01..cr09, without the corpus notes', async (t) => {
  const ds = resolveDataset('brown', { textField: 'text' });
  const files = await ds.files();
  t.equal(files.length, 500);
  t.equal(files[0]!.id, 'ca01');
  t.equal(files.at(-1)!.id, 'cr09');
  t.ok(files.every((f) => f.format === 'brown-tagged' && !f.gzip && f.split === undefined));
  t.notOk(files.some((f) => ['CONTENTS', 'README', 'cats.txt', 'categories.pickle'].includes(f.id)));
  // Texts per genre, as the Brown Corpus Manual lists them (A 44 ... R 9; no I, O, Q).
  const perGenre: Record<string, number> = {};
  for (const f of files) perGenre[f.id[1]!] = (perGenre[f.id[1]!] ?? 0) + 1;
  t.same(perGenre, { a: 44, b: 27, c: 17, d: 17, e: 36, f: 48, g: 75, h: 30, j: 80, k: 29, l: 24, m: 6, n: 29, p: 29, r: 9 });
  // The raw files carry `word/tag` tokens (the reader strips the tags).
  const ca01 = fs.readFileSync(files[0]!.path, 'utf8');
  t.match(ca01, /The\/at Fulton\/np-tl County\/nn-tl Grand\/jj-tl Jury\/nn-tl said\/vbd/);
  t.equal(files[0]!.bytes, fs.statSync(files[0]!.path).size);
  t.same(ds.hints, { sentences: 'line' });
  t.equal(ds.name, 'brown');
});

t.test('sotu: one speech per file, 1790 to 2021', async (t) => {
  const files = await resolveDataset('sotu', { textField: 'text' }).files();
  t.equal(files.length, 233);
  t.equal(files[0]!.id, '1790_george_washington_n.txt');
  t.equal(files.at(-1)!.id, '2021_joseph_r_biden_d.txt');
  t.ok(files.every((f) => f.format === 'txt' && /^\d{4}_/.test(f.id)));
  // Each .txt is the `text` of the package's matching .json record.
  const json = JSON.parse(fs.readFileSync(files[0]!.path.replace(/\.txt$/, '.json'), 'utf8')) as { text: string; year: number };
  t.equal(json.year, 1790);
  t.equal(fs.readFileSync(files[0]!.path, 'utf8').trim(), json.text.trim());
});

t.test('moby-dick: book order from file_list.json, without the table of contents', async (t) => {
  const files = await resolveDataset('moby-dick', { textField: 'text' }).files();
  t.equal(files.length, 138);
  t.same(
    files.map((f) => f.id),
    ['etymology.txt', 'extracts.txt', ...Array.from({ length: 135 }, (_, i) => `chapter_${i + 1}.txt`), 'epilogue.txt'],
  );
  // The order is the book's: each chapter file opens with its own number.
  for (const n of [1, 9, 10, 100, 135]) {
    const first = fs.readFileSync(files[n + 1]!.path, 'utf8').split('\n')[0]!;
    t.match(first, new RegExp(`^CHAPTER ${n}\\.`), `chapter ${n} in place`);
  }
});

t.test('packageDir names the missing package and the fix', async (t) => {
  t.throws(() => packageDir('lexflow-no-such-package', 'nope'), { name: 'UsageError', message: /lexflow-no-such-package.*npm install/ });
});
