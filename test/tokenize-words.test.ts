// Tokenization per script: hand-written expected tokens for nine languages,
// the word rules one by one, and properties over the UDHR translations when
// $LEXFLOW_DATA is set.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { tokenizeText } from '../stages/tokenize/text.js';
import { tokenizeBlock, type BlockTask } from '../stages/tokenize/block.js';
import { blockTypes } from '../stages/tokenize/encode.js';
import { parseSplitFractions } from '../datasets/split.js';

// Fixtures live in the source tree (test/fixtures), next to dist/test at run time.
const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.resolve(here, '../../test/fixtures/tokenize');

const words = (text: string, opts = {}): string[] => tokenizeText(text, opts).flat();

t.test('each language fixture gives the hand-written sentences and tokens', async (t) => {
  const langs = ['en', 'it', 'pt', 'he', 'el', 'ru', 'ar', 'hi', 'zh'];
  for (const lang of langs) {
    const text = fs.readFileSync(path.join(fixtures, `${lang}.txt`), 'utf8');
    const expected = fs
      .readFileSync(path.join(fixtures, `${lang}.expected`), 'utf8')
      .normalize('NFC')
      .trim()
      .split('\n')
      .map((l) => l.split(' '));
    t.same(tokenizeText(text), expected, lang);
  }
});

t.test('word rules', async (t) => {
  t.same(words("don't can’t l'uomo"), ["don't", 'can’t', "l'uomo"], 'apostrophes inside words');
  t.same(words("'quoted' dogs'"), ["'", 'quoted', "'", 'dogs', "'"], 'apostrophes at word edges are punctuation');
  t.same(words('well-known кто-то -x x- a--b'), ['well-known', 'кто-то', '-', 'x', 'x', '-', 'a', '--', 'b'], 'hyphens inside words only');
  t.same(words('3.14 1,000 1.000,50 2. ,5'), ['3.14', '1,000', '1.000,50', '2', '.', ',', '5'], 'number separators only between digits');
  t.same(words('U.S. e.g. A.B'), ['U.S.', 'e.g.', 'A', '.', 'B'], 'dotted initials');
  t.same(words('Wait... what?!'), ['Wait', '...', 'what', '?', '!'], 'ellipsis is one token');
  t.same(words('צה"ל ג׳ וכו\' "שלום"'), ['צה"ל', 'ג׳', "וכו'", '"', 'שלום', '"'], 'geresh and gershayim inside Hebrew words');
  t.same(words('東京タワーは2024年にできた'), ['東', '京', 'タ', 'ワ', 'ー', 'は', '2024', '年', 'に', 'で', 'き', 'た'], 'Han, Katakana, Hiragana: one per character');
  t.same(words('𠀀𠀁 𝐀𝐁'), ['𠀀', '𠀁', '𝐀𝐁'], 'astral Han one per token, astral letters form words');
  t.same(words('a<unk>b <unk> <s>'), ['a', '<unk>', 'b', '<unk>', '<', 's', '>'], 'a literal <unk> stays whole');
  t.same(words('hi 👩‍💻 👍🏽 🇮🇹!'), ['hi', '👩‍💻', '👍🏽', '🇮🇹', '!'], 'emoji sequences stay whole');
  t.same(words('tab\there\u00a0nbsp\u200bzwsp\u0000nul'), ['tab', 'here', 'nbsp', 'zwsp', 'nul'], 'whitespace and control characters separate');
  // Combining marks stay with their base, even when the text is not normalized.
  t.same(words('cafe\u0301 n\u0303', { normalize: 'none' }), ['cafe\u0301', 'n\u0303']);
  t.same(words('cafe\u0301', { normalize: 'nfc' }), ['café'], 'NFC composes');
  t.same(words('ﬁne １２３', { normalize: 'nfkc' }), ['fine', '123'], 'NFKC folds compatibility characters');
  t.same(words('Straße İstanbul ÉCOLE', { lowercase: true }), ['straße', 'i̇stanbul', 'école'], 'lowercase, also when lengths change');
});

t.test('whitespace tokenizer keeps pre-tokenized text token for token', async (t) => {
  const ptb = " the <unk> company 's shares rose N N to $ N.N a-share \n";
  t.same(tokenizeText(ptb, { tokenizer: 'whitespace', sentences: 'line' }), [['the', '<unk>', 'company', "'s", 'shares', 'rose', 'N', 'N', 'to', '$', 'N.N', 'a-share']]);
  const wt2 = ' = Valkyria Chronicles III = \n \n Senjō no Valkyria 3 : @-@ 1 @,@ 000\n';
  t.same(
    tokenizeText(wt2, { tokenizer: 'whitespace', sentences: 'line' }),
    [['=', 'Valkyria', 'Chronicles', 'III', '='], ['Senjō', 'no', 'Valkyria', '3', ':', '@-@', '1', '@,@', '000']],
  );
});

t.test('brown-tagged blocks: tags cut at the last slash, one sentence per line', async (t) => {
  const text = '\n\n\tThe/at jury/nn said/vbd ``/`` 1/2/cd ./.\n\n\tIt/pps ran/vbd ./.\n';
  const task: BlockTask = {
    bytes: new TextEncoder().encode(text),
    offset: 0,
    firstLine: 1,
    path: 'ca01',
    fileId: 'ca01',
    format: 'brown-tagged',
    split: 0,
    fractions: parseSplitFractions([0.9, 0.05, 0.05]),
    textField: 'text',
    options: { normalize: 'nfc', lowercase: false, tokenizer: 'words', sentences: 'punct', onInvalid: 'error' },
  };
  const r = tokenizeBlock(task);
  const types = blockTypes(r);
  const sents = [];
  for (let s = 0; s + 1 < r.sentEnds.length; s++) sents.push(Array.from(r.ids.subarray(r.sentEnds[s], r.sentEnds[s + 1]), (i) => types[i]));
  t.same(sents, [['The', 'jury', 'said', '``', '1/2', '.'], ['It', 'ran', '.']]);
  // Counts per local type as [train, valid, test]: the block is all train.
  t.same(Array.from(r.counts), [1, 1, 1, 1, 1, 2, 1, 1].flatMap((c) => [c, 0, 0]), 'counts per local type and split');
});

const data = process.env.LEXFLOW_DATA;
t.test('UDHR translations: tokenization properties', { skip: data ? false : 'LEXFLOW_DATA is not set' }, async (t) => {
  const dir = path.join(data!, 'multilingual/udhr');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.txt'));
  t.ok(files.length >= 9, 'the UDHR files are there');
  for (const f of files) {
    const raw = fs.readFileSync(path.join(dir, f), 'utf8');
    const text = raw.normalize('NFC');
    const sentences = tokenizeText(raw);
    const tokens = sentences.flat();
    t.ok(sentences.length >= 30, `${f}: ${sentences.length} sentences`);
    t.equal(tokens.filter((w) => /\s/u.test(w) || w === '').length, 0, `${f}: no token is empty or contains whitespace`);
    // Joining the tokens gives back every character that is not a space: nothing dropped, nothing invented.
    t.equal(tokens.join(''), text.replace(/[\s\p{Cc}\u200b\u2060\ufeff]/gu, ''), `${f}: tokens cover the non-space text exactly`);
    t.equal(tokens.filter((w) => /^\p{M}/u.test(w)).length, 0, `${f}: no token starts with a combining mark (marks stay with their letters)`);
    const han = tokens.filter((w) => /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}]/u.test(w));
    t.equal(han.filter((w) => [...w.replace(/\p{M}/gu, '')].length !== 1).length, 0, `${f}: Han/kana tokens are single characters`);
    if (!/^(cmn|jpn)/.test(f)) t.ok(tokens.length / sentences.length > 8, `${f}: words per sentence plausible`);
  }
});
