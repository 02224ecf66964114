// The real PTB and WikiText-2 folders of $LEXFLOW_DATA keep their official split.
// Skipped when LEXFLOW_DATA is unset.

import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { resolveDataset } from '../datasets/index.js';
import { privateCache, rmAll } from '../testkit/datasets-helpers.js';

const data = process.env.LEXFLOW_DATA;
const ptb = data && path.join(data, 'lm', 'ptb');
const wt2 = data && path.join(data, 'lm', 'wikitext-2');
if (!ptb || !wt2 || !fs.existsSync(ptb) || !fs.existsSync(wt2)) {
  t.test('PTB and WikiText-2 from $LEXFLOW_DATA', { skip: 'LEXFLOW_DATA with lm/ptb and lm/wikitext-2 not available' }, async () => {});
} else {
  const cache = privateCache();
  t.teardown(() => rmAll(cache));
  const opts = { textField: 'text' };

  t.test('PTB: the folder, ptb=FOLDER and a glob give the official split', async (t) => {
    const expected = [
      ['ptb.test.txt', 'test'],
      ['ptb.train.txt', 'train'],
      ['ptb.valid.txt', 'valid'],
    ];
    for (const spec of [ptb, `ptb=${ptb}`, `${ptb}/ptb.*.txt`]) {
      const ds = resolveDataset(spec, opts);
      t.same((await ds.files()).map((f) => [f.id, f.split]), expected, spec);
      t.same(ds.hints, { tokenizer: 'whitespace', sentences: 'line' }, spec);
    }
    // 42,068 / 3,370 / 3,761 lines, as the data README says.
    const lines = (id: string): number => fs.readFileSync(path.join(ptb, id), 'latin1').split('\n').length - 1;
    t.same([lines('ptb.train.txt'), lines('ptb.valid.txt'), lines('ptb.test.txt')], [42068, 3370, 3761]);
  });

  t.test('WikiText-2: train.txt, valid.txt, test.txt', async (t) => {
    const ds = resolveDataset(`wikitext-2=${wt2}`, opts);
    t.same((await ds.files()).map((f) => [f.id, f.split]), [
      ['test.txt', 'test'],
      ['train.txt', 'train'],
      ['valid.txt', 'valid'],
    ]);
    t.same(ds.hints, { tokenizer: 'whitespace', sentences: 'line' });
  });
}
