// How a translation model cuts text: word tokens, and BPE learned on the training
// pairs (joint over both sides, or one table per side). Checked by hand on a corpus
// small enough to follow the merges, and by the round-trip property that BLEU on
// detokenized text relies on.

import t from 'tap';
import { detokenize } from '../lib/seq2seq/pieces.js';
import { segmenterFromSpec, trainBpeSegmenter } from '../lib/seq2seq/segmenter.js';
import { SPECIALS } from '../lib/formats/tokens.js';

t.test('BPE by hand: the most frequent pair merges first, every word starts with ▁', async (t) => {
  // Word counts: "low" 3, "lower" 1, "lowest" 1 (joint: source and target together).
  // Alphabet: ▁ e l o r s t w. Pair counts: (▁,l) 5, (l,o) 5, (o,w) 5, (w,e) 2, ...; ties
  // go to the pair whose texts sort first, and "▁" (U+2581) sorts after letters: so
  // lo (5), then low (5, beating (▁,lo) 5 again), then ▁low.
  const seg = trainBpeSegmenter(['low low', 'lower'], ['low lowest'], SPECIALS.length + 8 + 3, true);
  if (seg.spec.kind !== 'bpe') throw new Error('not bpe');
  t.same(seg.spec.source.merges, [['l', 'o'], ['lo', 'w'], ['▁', 'low']]);
  t.same(seg.source('low lower'), ['▁low', '▁low', 'e', 'r']);
  t.same(seg.target('lowest'), ['▁low', 'e', 's', 't'], 'joint: the target side uses the same table');
  // A character never seen in training is <unk>, as an unknown word is with word tokens.
  t.same(seg.source('lox'), ['▁', 'lo', '<unk>']);
});

t.test('one table per side learns from that side only', async (t) => {
  const seg = trainBpeSegmenter(['aa aa aa'], ['bb bb'], SPECIALS.length + 3 + 2, false);
  if (seg.spec.kind !== 'bpe') throw new Error('not bpe');
  // (▁,a) and (a,a) tie at 3; "a" sorts before "▁".
  t.same(seg.spec.source.merges, [['a', 'a'], ['▁', 'aa']]);
  t.same(seg.spec.target.merges, [['b', 'b'], ['▁', 'bb']]);
  t.same(seg.source('aa'), ['▁aa']);
  t.same(seg.target('bb'), ['▁bb']);
});

t.test('pieces join back into the text (up to runs of whitespace), for BPE as for word tokens', async (t) => {
  const train = ['Ein Mann, der auf einer Bank sitzt.', 'Zwei Hunde spielen im Schnee!', 'Eine Frau (mit Hut) liest "Die Zeit".'];
  const other = ['A man sitting on a bench.', 'Two dogs play in the snow!', 'A woman (in a hat) reads "The Times".'];
  const bpe = trainBpeSegmenter(other, train, 60, true);
  const words = segmenterFromSpec({ kind: 'words' });
  for (const s of [...train, ...other, '  Ein   Hund  spielt. ']) {
    const want = s.trim().replace(/\s+/g, ' ');
    t.equal(detokenize(bpe.target(s)), want, `bpe: ${s}`);
    t.equal(detokenize(words.target(s)), want, `words: ${s}`);
  }
  // A saved spec (JSON) cuts text exactly as the trained one.
  const again = segmenterFromSpec(JSON.parse(JSON.stringify(bpe.spec)));
  for (const s of train) t.same(again.target(s), bpe.target(s));
});
