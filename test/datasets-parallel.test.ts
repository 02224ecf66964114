// Parallel datasets: layouts (<split>.<lang> pairs, <split>.tsv), the known
// corpora from $LEXFLOW_DATA (skipped without it), and line-level errors.

import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { resolveDataset } from '../datasets/index.js';
import { isParallel, readPairs, splitOfStem } from '../datasets/parallel.js';
import { tmpDir } from '../testkit/tmp.js';

const data = process.env.LEXFLOW_DATA;

t.test('split names of parallel files', async (t) => {
  t.equal(splitOfStem('train'), 'train');
  t.equal(splitOfStem('val'), 'valid');
  t.equal(splitOfStem('test2016'), 'test');
  t.equal(splitOfStem('newstest2014'), 'test');
  t.equal(splitOfStem('readme'), undefined);
});

t.test('a TSV folder: columns as --source/--target, one TAB per line', async (t) => {
  const dir = tmpDir(t);
  fs.writeFileSync(path.join(dir, 'train.tsv'), 'Hi.\tやあ。\nRun.\t走れ。\n');
  fs.writeFileSync(path.join(dir, 'test.tsv'), 'Go.\t行け。\n');
  const d = resolveDataset(dir, { textField: 'text', source: 'en', target: 'ja' });
  t.ok(isParallel(d));
  if (!isParallel(d)) return;
  t.same(readPairs(d.parallel, 'train'), { source: ['Hi.', 'Run.'], target: ['やあ。', '走れ。'] });
  // A known corpus knows its columns: ja→en swaps them.
  const named = resolveDataset(`tatoeba-en-ja=${dir}`, { textField: 'text', source: 'ja', target: 'en' });
  if (isParallel(named)) t.same(readPairs(named.parallel, 'test'), { source: ['行け。'], target: ['Go.'] });
  fs.writeFileSync(path.join(dir, 'valid.tsv'), 'a\tb\nc\td\te\n');
  const bad = resolveDataset(dir, { textField: 'text', source: 'en', target: 'ja' });
  if (isParallel(bad)) t.throws(() => readPairs(bad.parallel, 'valid'), /valid\.tsv:2: has 2 TABs/);
});

t.test('a text folder is not taken for a parallel one', async (t) => {
  const dir = tmpDir(t);
  fs.writeFileSync(path.join(dir, 'train.txt'), 'some text\n');
  t.notOk(isParallel(resolveDataset(dir, { textField: 'text' })));
});

t.test('Multi30K and Tatoeba from $LEXFLOW_DATA', { skip: !data || !fs.existsSync(path.join(data, 'parallel', 'multi30k')) ? 'needs $LEXFLOW_DATA/parallel' : false }, async (t) => {
  const m = resolveDataset(`multi30k=${path.join(data!, 'parallel', 'multi30k')}`, { textField: 'text' });
  t.ok(isParallel(m));
  if (!isParallel(m)) return;
  t.same([m.parallel.source, m.parallel.target], ['en', 'de']);
  const train = readPairs(m.parallel, 'train');
  t.equal(train.source.length, 29000);
  t.match(train.target[7365]!, /\t/, 'train.de line 7366 keeps its TAB: split by line only');
  t.equal(readPairs(m.parallel, 'valid').source.length, 1014);
  t.equal(readPairs(m.parallel, 'test').source.length, 1000);
  const j = resolveDataset(`tatoeba-en-ja=${path.join(data!, 'parallel', 'tatoeba-eng-jpn')}`, { textField: 'text' });
  if (isParallel(j)) {
    const tr = readPairs(j.parallel, 'train');
    t.equal(tr.source.length, 39551);
    t.equal(tr.source[0], 'Hi.');
  }
});
