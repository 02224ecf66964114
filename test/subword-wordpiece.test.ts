// WordPiece: likelihood-gain merges worked out by hand, greedy longest-match-first
// encoding with ## continuations, [UNK] (id 0) for long or unspellable words.

import t from 'tap';
import { splitWords } from '../lib/subword/pieces.js';
import { tokenizerFromSpec } from '../lib/subword/tokenizer.js';
import { trainSubword } from '../lib/subword/train.js';
import { countWords, fixtureLines, FIXTURES } from '../testkit/subword/helpers.js';

const wp = (vocabSize: number, maxChars = 100) => ({ kind: 'wordpiece' as const, vocabSize, byteFallback: false, characterCoverage: 1, maxChars });

t.test('likelihood-gain merges, by hand', async (t) => {
  // hug×10 pug×5 pun×12 bun×4 hugs×5, spelled h ##u ##g, p ##u ##g, ...
  // Symbol counts: h 15, p 17, b 4, ##u 36, ##g 20, ##n 16, ##s 5.
  // score = count(ab) / (count(a) count(b)):
  //   (h,##u) 15/(15·36) = (p,##u) 17/(17·36) = (b,##u) 4/(4·36) = (##u,##g) 20/(36·20)
  //   = (##u,##n) 16/(36·16) = 1/36;  (##g,##s) 5/(20·5) = 1/20  -> 1. "##gs".
  // Now ##g 15, ##s 0, ##gs 5; (##u,##g) 15/(36·15) = (##u,##gs) 5/(36·5) = 1/36, as all others:
  //   a six-way tie; left "##u" sorts first ("#" < letters), then right "##g" -> 2. "##ug".
  // Now ##u 21, ##ug 15: (h,##u) 5/(15·21), (h,##ug) 10/(15·15) = 0.0444, (p,##u) 12/(17·21),
  //   (p,##ug) 5/(17·15), (##u,##n) 16/(21·16) = (b,##u) 4/(4·21) = (##u,##gs) 5/(21·5) = 1/21 = 0.0476
  //   -> tie on 1/21; "##u" before "b", right "##gs" before "##n" -> 3. "##ugs".
  const words = ['hug', 'pug', 'pun', 'bun', 'hugs'];
  const counts = [10, 5, 12, 4, 5];
  const spec = trainSubword(words, counts, wp(4 + 7 + 3));
  t.same(spec.pieces.slice(4), ['h', '##u', '##g', 'p', '##n', 'b', '##s', '##gs', '##ug', '##ugs']);
  t.equal(spec.merges, undefined, 'wordpiece saves pieces only');

  const tok = tokenizerFromSpec(spec);
  const pieces = (text: string) => tok.encode(text).map((id) => tok.pieces[id]);
  // Longest match first: "hugs" -> h + ##ugs (not h ##ug ##s).
  t.same(pieces('hugs'), ['h', '##ugs']);
  t.same(pieces('bug pun'), ['b', '##ug', 'p', '##u', '##n']);
  // m is no piece: the whole word is [UNK], id 0.
  t.same(tok.encode('mug hug'), [0, ...tok.encode('hug')]);
  // A position with no piece ("##h") also makes the whole word [UNK].
  t.same(tok.encode('uh'), [0]);
  t.equal(tok.decode(tok.encode('hugs bug pun')), 'hugs bug pun');

  const short = tokenizerFromSpec(trainSubword(words, counts, wp(14, 3)));
  t.same(short.encode('hug hugs'), [...short.encode('hug'), 0], 'a word longer than --max-chars is [UNK]');
});

t.test('round trip over six scripts', async (t) => {
  const lines = FIXTURES.flatMap((f) => fixtureLines(f));
  const { words, counts } = countWords(lines);
  const spec = trainSubword(words, counts, wp(1500));
  const tok = tokenizerFromSpec(spec);
  t.ok(spec.pieces.some((p) => p.startsWith('##') && p.length > 3), 'learned continuation pieces');
  for (const f of FIXTURES)
    for (const line of fixtureLines(f)) {
      const ids = tok.encode(line);
      t.notOk(ids.includes(0), `${f}: nothing unknown`);
      t.equal(tok.decode(ids), splitWords(line).join(' '), `${f}: decode(encode(line)) restores it`);
    }
  // Unseen script: [UNK] per word, never a crash.
  t.same(tokenizerFromSpec(spec).encode('ᚠᚢᚦ ᚨᚱ'), [0, 0]);
});
