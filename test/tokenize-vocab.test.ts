// The vocabulary builder: min-count and max-size cuts, specials at 0..3,
// ties broken by code-point order, <unk> counting what is cut.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { readVocab } from '../lib/formats/tokens.js';
import { writeVocab } from '../stages/tokenize/vocab-file.js';
import { buildVocab, compareCodePoints } from '../stages/tokenize/vocab.js';
import { LITERAL_SPECIALS, TypeTable, type TypeBlock } from '../stages/tokenize/types.js';
import { hashString } from '../stages/tokenize/encode.js';

t.test('code-point order differs from UTF-16 order above U+D7FF', async (t) => {
  const astral = '𝐀'; // U+1D400, surrogates D835 DC00
  const bmpHigh = '\uff21'; // Ａ U+FF21
  t.ok(astral < bmpHigh, 'JS < compares UTF-16 units: astral first');
  t.ok(compareCodePoints(astral, bmpHigh) > 0, 'code points: U+FF21 first');
  t.ok(compareCodePoints('a', 'ab') < 0 && compareCodePoints('b', 'ab') > 0 && compareCodePoints('x', 'x') === 0);
  const words = ['b', 'B', 'é', 'e', '𝐀', '\uff21', 'ab'];
  t.same([...words].sort(compareCodePoints), ['B', 'ab', 'b', 'e', 'é', '\uff21', '𝐀']);
});

t.test('vocabulary from train counts', async (t) => {
  // Provisional types as the type table has them: id 0 is <unk> (here 2 literal <unk> in train).
  const tokens = ['<unk>', 'the', 'zebra', 'apple', 'cat', 'dog', 'rare', 'validonly'];
  const counts = Float64Array.from([2, 10, 3, 3, 5, 3, 1, 0]);
  const v = buildVocab(tokens, counts, 7, { minCount: 2, maxSize: 0 });
  // Ties at 3 (zebra, apple, dog) are ordered by token; rare (1) and validonly (0) are cut.
  t.same(v.tokens, ['<unk>', '<s>', '</s>', '<pad>', 'the', 'cat', 'apple', 'dog', 'zebra']);
  t.same(Array.from(v.counts), [2 + 1, 7, 7, 0, 10, 5, 3, 3, 3], '<unk> = literal <unk> + cut train counts; <s>,</s> = train sentences');
  t.same(Array.from(v.finalId), [0, 4, 8, 6, 5, 7, 0, 0], 'provisional -> final ids; cut types map to 0');
  t.equal(v.trainTypes, 6, 'train types before the cut (validonly has no train count)');

  const capped = buildVocab(tokens, counts, 7, { minCount: 1, maxSize: 7 });
  t.same(capped.tokens, ['<unk>', '<s>', '</s>', '<pad>', 'the', 'cat', 'apple'], 'max-size counts the specials; the tie at 3 is cut by token order');
  t.equal(capped.counts[0], 2 + 3 + 3 + 1, '<unk> gets dog, zebra and rare');
  const total = Array.from(counts).reduce((a, b) => a + b, 0);
  t.equal(capped.counts.slice(4).reduce((a, b) => a + b, 0) + capped.counts[0]!, total, 'every train token is counted once');
});

t.test('the type table maps literal specials to <unk> and merges blocks', async (t) => {
  const block = (types: string[], counts: number[]): TypeBlock => {
    const typeBytes = new TextEncoder().encode(types.map((w) => w + '\n').join(''));
    const typeEnds = new Int32Array(types.length);
    for (let i = 0, k = 0; i < typeBytes.length; i++) if (typeBytes[i] === 10) typeEnds[k++] = i;
    return { typeBytes, typeEnds, typeHashes: Int32Array.from(types, hashString), counts: Uint32Array.from(counts) };
  };
  const table = new TypeTable();
  // Counts per local type: [train, valid, test].
  const r1 = table.merge(block(['a', '<unk>', 'b'], [2, 0, 0, 1, 0, 0, 0, 1, 0]));
  const r2 = table.merge(block(['b', '<s>', 'c', 'a', 'é'], [3, 0, 0, 1, 0, 0, 1, 0, 2, 1, 1, 0, 0, 0, 1]));
  t.same(Array.from(r1), [4, 0, 5]);
  t.same(Array.from(r2), [5, 1, 6, 4, 7]);
  t.same(table.tokens(), ['<unk>', '<s>', '</s>', '<pad>', 'a', 'b', 'c', 'é']);
  t.same(Array.from(table.trainCounts()), [1, 1, 0, 0, 3, 3, 1, 0]);
  t.same([4, 5, 6, 7].map((g) => table.count(g, 1)), [1, 1, 0, 0], 'valid counts');
  t.same([4, 5, 6, 7].map((g) => table.count(g, 2)), [0, 0, 2, 1], 'test counts');
  // Literal specials (provisional 0..3) all become <unk> in the vocabulary.
  const v = buildVocab(table.tokens(), table.trainCounts(), 5, { minCount: 1, maxSize: 0 }, LITERAL_SPECIALS);
  t.same(v.tokens, ['<unk>', '<s>', '</s>', '<pad>', 'a', 'b', 'c']);
  t.same(Array.from(v.counts), [2, 5, 5, 0, 3, 3, 1]);
  t.same(Array.from(v.finalId), [0, 0, 0, 0, 4, 5, 6, 0]);
});

t.test('the type table grows (many types, long tokens)', async (t) => {
  const table = new TypeTable();
  const words = Array.from({ length: 80_000 }, (_, i) => `w${i}${i % 1000 === 0 ? 'x'.repeat(5000) : ''}`);
  const remap = table.merge(block2(words));
  t.equal(table.size, 4 + words.length);
  t.ok(remap.every((g, i) => g === 4 + i));
  const again = table.merge(block2(words.slice().reverse()));
  t.ok(again.every((g, i) => g === 4 + words.length - 1 - i), 'found again after growing');
  t.same(table.tokens().slice(4, 8), words.slice(0, 4));

  function block2(types: string[]): TypeBlock {
    const typeBytes = new TextEncoder().encode(types.map((w) => w + '\n').join(''));
    const typeEnds = new Int32Array(types.length);
    for (let i = 0, k = 0; i < typeBytes.length; i++) if (typeBytes[i] === 10) typeEnds[k++] = i;
    return { typeBytes, typeEnds, typeHashes: Int32Array.from(types, hashString), counts: new Uint32Array(3 * types.length) };
  }
});

t.test('vocab.arrow round trip: utf8 tokens in one buffer, int64 counts above 2^32', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lexflow-vocab-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const tokens = ['<unk>', '<s>', '</s>', '<pad>', 'a', 'é', '𝐀', 'שלום', 'x'.repeat(300)];
  const counts = Float64Array.from([5, 2, 2, 0, 2 ** 40 + 7, 3, 1, 1, 1]);
  t.equal(await writeVocab(path.join(dir, 'vocab.arrow'), tokens, counts), tokens.length);
  const v = await readVocab(dir);
  t.same(v.tokens, tokens);
  t.same(Array.from(v.counts), Array.from(counts));
});
