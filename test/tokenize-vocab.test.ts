// The vocabulary builder: min-count and max-size cuts, specials at 0..3,
// ties broken by code-point order, <unk> counting what is cut.

import t from 'tap';
import { buildVocab, compareCodePoints } from '../stages/tokenize/vocab.js';
import { TypeTable } from '../stages/tokenize/types.js';

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
  const table = new TypeTable();
  const r1 = table.merge(['a', '<unk>', 'b'], Uint32Array.from([2, 1, 0]));
  const r2 = table.merge(['b', '<s>', 'c', 'a'], Uint32Array.from([3, 1, 1, 1]));
  t.same(Array.from(r1), [1, 0, 2]);
  t.same(Array.from(r2), [2, 0, 3, 1]);
  t.same(table.tokens, ['<unk>', 'a', 'b', 'c']);
  t.same(Array.from(table.trainCounts), [2, 3, 3, 1]);
});
