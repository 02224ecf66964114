// BPE: merges worked out by hand, the incremental trainer against a naive
// recount, encoding, and decode(encode(text)) === text over six scripts.

import t from 'tap';
import { learnMerges } from '../lib/subword/learn-merges.js';
import { splitWords, WORD_START } from '../lib/subword/pieces.js';
import { tokenizerFromSpec } from '../lib/subword/tokenizer.js';
import { trainSubword } from '../lib/subword/train.js';
import { countWords, fixtureLines, FIXTURES, naiveMerges, rng } from '../testkit/subword/helpers.js';

const bpe = (vocabSize: number, extra: Partial<Parameters<typeof trainSubword>[2]> = {}) => ({
  kind: 'bpe' as const,
  vocabSize,
  byteFallback: false,
  characterCoverage: 1,
  maxChars: 100,
  ...extra,
});

t.test('five-word corpus: the first merges, by hand', async (t) => {
  // low×5 lower×2 newest×6 widest×3 wider×1, spelled "▁ l o w" etc.
  // Pair counts: (▁,l)=7 (l,o)=7 (o,w)=7 (w,e)=2+6=8 (e,r)=2+1=3 (▁,n)=6 (n,e)=6 (e,w)=6
  //              (e,s)=6+3=9 (s,t)=6+3=9 (▁,w)=4 (w,i)=4 (i,d)=4 (d,e)=3+1=4.
  // 1. (e,s)=9 ties (s,t)=9; "e" < "s" -> "es". Then (es,t)=9, (s,t)=0, (w,e)=2, (d,e)=1.
  // 2. (es,t)=9 -> "est".
  // 3. (▁,l)=(l,o)=(o,w)=7; code units "l" < "o" < "▁" (U+2581) -> "lo"; now (▁,lo)=7 (lo,w)=7.
  // 4. "lo" < "▁" -> (lo,w) -> "low".
  // 5. (▁,low)=7 -> "▁low".
  // 6. 6s: (▁,n) (n,e) (e,w) (w,est); "e" first -> (e,w) -> "ew".
  const words = ['low', 'lower', 'newest', 'widest', 'wider'];
  const counts = [5, 2, 6, 3, 1];
  const alphabet = new Set(words.join('')).size; // l o w e r n s t i d = 10
  t.equal(alphabet, 10);
  const spec = trainSubword(words, counts, bpe(4 + 1 + alphabet + 6));
  t.same(spec.merges, [
    ['e', 's'],
    ['es', 't'],
    ['l', 'o'],
    ['lo', 'w'],
    [WORD_START, 'low'],
    ['e', 'w'],
  ]);
  t.same(spec.pieces.slice(-6), ['es', 'est', 'lo', 'low', '▁low', 'ew']);
  t.same(spec.pieces.slice(0, 5), ['<unk>', '<s>', '</s>', '<pad>', '▁']);

  const tok = tokenizerFromSpec(spec);
  const pieces = (text: string) => tok.encode(text).map((id) => tok.pieces[id]);
  // lowest: ▁ l o w e s t -> (e,s) -> (es,t) -> (l,o) -> (lo,w) -> (▁,low): "▁low" "est".
  t.same(pieces('lowest'), ['▁low', 'est']);
  // newer: ▁ n e w e r: (e,w) is the only learned pair (rank 5) -> ▁ n ew e r.
  t.same(pieces('newer'), ['▁', 'n', 'ew', 'e', 'r']);
  t.equal(tok.decode(tok.encode('lowest newer low')), 'lowest newer low');
  // Unknown characters without byte fallback: <unk> (id 0), never a crash.
  t.same(tok.encode('lox'), [...tok.encode('lo'), 0]);
  t.equal(tok.decode([0, ...tok.encode('low'), 0]), '<unk> low <unk>', '<unk> (a word the tokenize stage left out) decodes as a word');
});

t.test('the incremental trainer makes the same merges as a full recount', async (t) => {
  const r = rng(7);
  // Many ties and runs of one letter ("aaaa") exercise the overlapping-pair updates.
  const words: string[] = [];
  for (let i = 0; i < 300; i++) {
    let w = '';
    const len = 1 + Math.floor(r() * 9);
    for (let k = 0; k < len; k++) w += 'aabbcde'[Math.floor(r() * 7)];
    words.push(w);
  }
  for (const f of FIXTURES) words.push(...countWords(fixtureLines(f)).words);
  const counts = words.map(() => 1 + Math.floor(r() * 5));
  for (const score of ['frequency', 'likelihood'] as const) {
    const spelledText = words.map((w) => [WORD_START, ...Array.from(w)]);
    const alphabet = [...new Set(spelledText.flat())].sort();
    const idOf = new Map(alphabet.map((s, i) => [s, i]));
    const flat = spelledText.flat().map((s) => idOf.get(s)!);
    const starts = new Int32Array(words.length);
    const lens = new Int32Array(words.length);
    let pos = 0;
    spelledText.forEach((w, i) => {
      starts[i] = pos;
      lens[i] = w.length;
      pos += w.length;
    });
    const n = 150;
    const fast = learnMerges({
      symbols: alphabet,
      syms: Int32Array.from(flat),
      starts,
      lens,
      counts,
      score,
      join: (l, r) => l + r,
      isReserved: () => false,
      maxSymbols: alphabet.length + n,
    });
    const got = fast.merges.map(([a, b]) => [fast.symbols[a], fast.symbols[b]]);
    t.same(got, naiveMerges(spelledText, counts, score, (l, r) => l + r, got.length), `${score}: ${got.length} merges agree`);
    t.ok(got.length >= n, `${score}: at least ${n} merges`);
  }
});

t.test('round trip over six scripts, with byte fallback for rare characters', async (t) => {
  const lines = FIXTURES.flatMap((f) => fixtureLines(f));
  const { words, counts } = countWords(lines);
  const spec = trainSubword(words, counts, bpe(900, { byteFallback: true, characterCoverage: 0.98 }));
  t.equal(spec.pieces.length, 900);
  const tok = tokenizerFromSpec(spec);
  const bytePieces = new Set(spec.pieces.filter((p) => /^<0x[0-9A-F]{2}>$/.test(p)).map((p) => spec.pieces.indexOf(p)));
  t.equal(bytePieces.size, 256);
  let usedBytes = 0;
  for (const f of FIXTURES)
    for (const line of fixtureLines(f)) {
      const ids = tok.encode(line);
      t.notOk(ids.includes(0), `${f}: nothing unknown`);
      usedBytes += ids.filter((id) => bytePieces.has(id)).length;
      t.equal(tok.decode(ids), splitWords(line).join(' '), `${f}: decode(encode(line)) restores it`);
    }
  t.ok(usedBytes > 0, 'coverage 0.98 left some characters to byte pieces');
  // A literal "▁" in a word is spelled with bytes, so it survives decoding.
  t.equal(tok.decode(tok.encode('a▁b ▁')), 'a▁b ▁');
});

t.test('byte fallback on a script the training data never saw', async (t) => {
  const { words, counts } = countWords([...fixtureLines('ell'), ...fixtureLines('rus')]);
  const withBytes = tokenizerFromSpec(trainSubword(words, counts, bpe(500, { byteFallback: true })));
  for (const line of [...fixtureLines('cmn'), ...fixtureLines('hin')]) {
    const ids = withBytes.encode(line);
    t.notOk(ids.includes(0), 'no <unk>');
    t.equal(withBytes.decode(ids), splitWords(line).join(' '));
  }
  // 世 is E4 B8 96 in UTF-8: three byte pieces after the word start.
  t.same(withBytes.encode('世').map((id) => withBytes.pieces[id]), ['▁', '<0xE4>', '<0xB8>', '<0x96>']);
  const noBytes = tokenizerFromSpec(trainSubword(words, counts, bpe(300)));
  const ids = noBytes.encode('世界');
  t.same(ids.slice(1), [0, 0], 'without byte fallback: one <unk> per unseen character');
});

t.test('vocab-size smaller than the alphabet is a usage error (exit 2)', async (t) => {
  const { words, counts } = countWords(fixtureLines('rus'));
  const alphabet = new Set(words.join('')).size;
  t.throws(() => trainSubword(words, counts, bpe(4 + alphabet)), { exitCode: 2, message: new RegExp(`at least ${4 + 1 + alphabet}`) });
  t.throws(() => trainSubword(words, counts, bpe(260 + alphabet, { byteFallback: true })), { exitCode: 2, message: /256 byte pieces/ });
  t.doesNotThrow(() => trainSubword(words, counts, bpe(5 + alphabet)));
});

t.test('$LEXFLOW_DATA: round trip over every UDHR translation', { skip: !process.env.LEXFLOW_DATA && 'LEXFLOW_DATA is not set' }, async (t) => {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const dir = path.join(process.env.LEXFLOW_DATA!, 'multilingual/udhr');
  const texts = fs.readdirSync(dir).filter((f) => f.endsWith('.txt')).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8').split('\n')] as const);
  const train = texts.filter(([f]) => f !== 'jpn.txt').flatMap(([, l]) => l);
  const { words, counts } = countWords(train);
  const tok = tokenizerFromSpec(trainSubword(words, counts, bpe(4000, { byteFallback: true, characterCoverage: 0.9995 })));
  for (const [f, lines] of texts) {
    let bad = 0;
    for (const line of lines) {
      const ids = tok.encode(line);
      if (ids.includes(0) || tok.decode(ids) !== splitWords(line).join(' ')) bad++;
    }
    t.equal(bad, 0, `${f}${f === 'jpn.txt' ? ' (unseen in training)' : ''}: every line round-trips`);
  }
});

t.test('word types encoded in ranges (as the pool does) join into the one-pass table', async (t) => {
  const { encodeWordTable, encodePackedRange, joinRanges, packWords } = await import('../stages/subword/piece-table.js');
  const lines = FIXTURES.flatMap((f) => fixtureLines(f));
  const { words, counts } = countWords(lines);
  const tok = tokenizerFromSpec(trainSubword(words, counts, bpe(700, { byteFallback: true })));
  const all = ['<unk>', '<s>', '</s>', '<pad>', ...words, '', 'x▁y'];
  const whole = encodeWordTable(tok, all);
  const packed = packWords(all);
  const ranges = [];
  for (let from = 0; from < all.length; from += 37) {
    const to = Math.min(all.length, from + 37);
    ranges.push({ from, to, data: encodePackedRange(tok, packed, from, to) });
  }
  const joined = joinRanges(ranges);
  t.same(Array.from(joined.offsets), Array.from(whole.offsets));
  t.same(Array.from(joined.pieces), Array.from(whole.pieces));
  t.same(Array.from(whole.pieces.subarray(0, 4)), [0, 1, 2, 3], 'specials map to themselves');
});
