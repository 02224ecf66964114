// The glob matcher behind `--dataset 'corpus/**/*.txt'`.

import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { globBase, isGlob, matchGlob, segmentRegExp, walkFiles } from '../datasets/glob.js';
import { corpus, rmAll } from '../testkit/datasets-helpers.js';

t.test('pattern parts', async (t) => {
  t.ok(isGlob('a/*.txt'));
  t.ok(isGlob('a/?.txt'));
  t.notOk(isGlob('a/b.txt'));
  t.same(globBase('data/ptb/*.txt'), { base: 'data/ptb', rest: '*.txt' });
  t.same(globBase('/data/**/x?.txt'), { base: '/data', rest: '**/x?.txt' });
  t.same(globBase('/*.txt'), { base: '/', rest: '*.txt' });
  t.same(globBase('*.txt'), { base: '.', rest: '*.txt' });
  const re = segmentRegExp('wiki.*.tokens');
  t.ok(re.test('wiki.train.tokens'));
  t.notOk(re.test('wikiXtrain.tokens'), 'a dot is a dot');
  t.notOk(segmentRegExp('a?c').test('abbc'));
  t.ok(segmentRegExp('a?c').test('abc'));
  t.ok(segmentRegExp('(1)+[x].txt').test('(1)+[x].txt'), 'regex characters are literal');
});

t.test('matching walks only as deep as the pattern asks, and survives symlink loops', async (t) => {
  const dir = corpus({ 'a.txt': '1', 'x/b.txt': '2', 'x/y/c.txt': '3', 'x/y/z/d.txt': '4', '.git/e.txt': '5' });
  t.teardown(() => rmAll(dir));
  fs.symlinkSync(dir, path.join(dir, 'x', 'loop'));
  t.same(matchGlob(`${dir}/*/*.txt`).files, ['x/b.txt']);
  // x/loop points back at the root: entered once from x, never again from inside itself.
  t.same(matchGlob(`${dir}/x/**/*.txt`).files, ['b.txt', 'loop/a.txt', 'y/c.txt', 'y/z/d.txt']);
  t.same(matchGlob(`${dir}/**/d.txt`).files, ['x/y/z/d.txt']);
  t.same(matchGlob(`${dir}/.git/*.txt`).files, ['e.txt'], 'a dot spelled out matches dot-folders');
  t.same(matchGlob(`${dir}/nope/*.txt`).files, []);
  t.same(walkFiles(path.join(dir, 'x', 'y')), ['c.txt', 'z/d.txt']);
});
