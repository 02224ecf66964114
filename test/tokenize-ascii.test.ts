// The encoder's ASCII path (stages/tokenize/encode.ts addAsciiLines): a block of
// pre-tokenized ASCII text read line by line skips decoding and token spans. It
// must give exactly what the general path gives (decode, splitWhitespace,
// splitSentences 'line', addText): the same ids, sentences, types, hashes and
// counts, for every kind of ASCII whitespace and control character.

import t from 'tap';
import { parseSplitFractions } from '../datasets/split.js';
import { asciiPath, tokenizeBlocks, type GroupTask } from '../stages/tokenize/block.js';
import type { EncodedBlock } from '../stages/tokenize/encode.js';

const base = {
  path: 'x.txt',
  fileId: 'x.txt',
  textField: 'text',
  format: 'txt',
  split: 1,
  fractions: parseSplitFractions([0.9, 0.05, 0.05]),
  options: { normalize: 'nfc', lowercase: false, tokenizer: 'whitespace', sentences: 'line', onInvalid: 'error' },
} as const;

function run(texts: string[], ascii: boolean): EncodedBlock {
  asciiPath.enabled = ascii;
  try {
    const task: GroupTask = { ...base, blocks: texts.map((s, i) => ({ bytes: new TextEncoder().encode(s), offset: i, firstLine: 1 })) };
    return tokenizeBlocks(task);
  } finally {
    asciiPath.enabled = true;
  }
}

function same(t: { same(a: unknown, b: unknown, m: string): void; equal(a: unknown, b: unknown, m: string): void }, a: EncodedBlock, b: EncodedBlock, what: string): void {
  for (const k of ['ids', 'sentEnds', 'sentDoc', 'sentSplit', 'docSplit', 'typeBytes', 'typeEnds', 'typeHashes', 'counts', 'tableIds'] as const)
    t.same(Array.from(a[k]), Array.from(b[k]), `${what}: ${k}`);
  t.equal(a.table, b.table, `${what}: the same worker table`);
}

t.test('hand-made blocks: every ASCII separator, blank lines, CR LF, a lone CR, no final newline', async (t) => {
  const texts = [
    'the cat\tsat\r\non  the mat\n\n\nend\rnext\vline\fsame\x7fword\x01x \r\n',
    '   \n \t \n',
    '',
    'last line without a newline',
    '<unk> a <s> b\n',
  ];
  const general = run(texts, false);
  const fast = run(texts, true);
  same(t, fast, general, 'hand-made');
  t.equal(general.sentEnds.length - 1, 6, 'sentences: 4 in the first block (LF and a lone CR end them), none in blank blocks, 1 in each of the last two');
});

t.test('random ASCII text', async (t) => {
  let seed = 11;
  const rand = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const seps = [' ', ' ', ' ', '\n', '\t', '\r\n', '\r', '\x0b', '\x0c', '\x00', '\x1f', '\x7f', '  '];
  const blocks: string[] = [];
  for (let b = 0; b < 5; b++) {
    let s = '';
    for (let i = 0; i < 3000; i++) {
      const len = 1 + Math.floor(rand() * rand() * 8);
      for (let k = 0; k < len; k++) s += String.fromCharCode(0x21 + Math.floor(rand() * rand() * 94));
      s += seps[Math.floor(rand() * seps.length)];
    }
    blocks.push(s);
  }
  same(t, run(blocks, true), run(blocks, false), 'random');
});

t.test('a block with one non-ASCII byte takes the general path, and both share one table', async (t) => {
  const a = run(['caf\u00e9 au lait\nau lait\n'], true);
  const b = run(['au lait caf\u00e9\n'], true);
  t.equal(a.table, b.table);
  const idOf = (r: EncodedBlock, w: string): number => {
    const words = new TextDecoder().decode(r.typeBytes).split('\n');
    return r.tableIds[words.indexOf(w)]!;
  };
  t.equal(idOf(b, 'lait'), idOf(a, 'lait'), 'an ASCII type keeps its id across the two paths');
  t.equal(idOf(b, 'caf\u00e9'), idOf(a, 'caf\u00e9'));
});
