// The document split: deterministic by id, stable when documents are added,
// close to the requested fractions, and files with their own split keep it.

import t from 'tap';
import { parseSplitFractions, recordId, splitOfFile, splitOfId } from '../datasets/split.js';
import type { SourceFile } from '../datasets/source.js';

const f = parseSplitFractions([0.9, 0.05, 0.05]);

t.test('fractions', async (t) => {
  t.same(parseSplitFractions([9, 0.5, 0.5]), f, 'normalized');
  t.throws(() => parseSplitFractions([0.9, 0.1]), /three fractions/);
  t.throws(() => parseSplitFractions([0, 0, 0]), /all be zero/);
  t.throws(() => parseSplitFractions([1, -1, 0]), /non-negative/);
});

t.test('split by id hash', async (t) => {
  const ids = Array.from({ length: 20000 }, (_, i) => `doc-${i}.txt`);
  const before = ids.map((id) => splitOfId(id, f));
  // Adding documents (and listing them in another order) moves none of the old ones.
  const more = [...Array.from({ length: 5000 }, (_, i) => `new-${i}.txt`), ...ids].reverse();
  const after = new Map(more.map((id) => [id, splitOfId(id, f)]));
  t.ok(ids.every((id, i) => after.get(id) === before[i]), 'stable when documents are added');
  const n = [0, 0, 0];
  for (const s of before) n[s]!++;
  // Binomial sd for 20000 * 0.05 is about 31: allow 5 sd.
  t.ok(Math.abs(n[0]! - 18000) < 160 && Math.abs(n[1]! - 1000) < 160 && Math.abs(n[2]! - 1000) < 160, `fractions close to 0.9/0.05/0.05: ${n}`);
  // A value fixed by md5: guards against an accidental change of the hash (which would reshuffle every corpus).
  // md5('a') starts 0cc175b9c0f1 -> 0.0498 (train); md5('b') 92eb5ffee6ae -> 0.574 (valid); ...
  t.same(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((id) => splitOfId(id, parseSplitFractions([1, 1, 1]))), [0, 1, 0, 1, 2, 1, 2, 0], 'known assignments');
  t.equal(splitOfId('anything', parseSplitFractions([1, 0, 0])), 0, 'all train');
  t.equal(splitOfId('anything', parseSplitFractions([0, 0, 1])), 2, 'all test');
  t.equal(recordId('a/b.jsonl', 7), 'a/b.jsonl:7');
});

t.test('a file with its own split keeps it', async (t) => {
  const file = (id: string, split?: 'train' | 'valid' | 'test'): SourceFile => ({ id, path: `/x/${id}`, format: 'txt', gzip: false, bytes: 1, ...(split ? { split } : {}) });
  t.equal(splitOfFile(file('ptb.valid.txt', 'valid'), f), 1);
  t.equal(splitOfFile(file('ptb.test.txt', 'test'), f), 2);
  t.equal(splitOfFile(file('ptb.train.txt', 'train'), parseSplitFractions([0, 0, 1])), 0);
  t.equal(splitOfFile(file('x.txt'), f), splitOfId('x.txt', f));
});
