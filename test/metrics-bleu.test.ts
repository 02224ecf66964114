// BLEU and chrF against hand-worked values and against sacreBLEU's own scores
// on hand-written sentences (test/fixtures/bleu/cases.json, see its SOURCE.md).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { corpusBleu, fixed, formatBleu, segmentStats, sentenceBleu } from '../lib/metrics/bleu.js';
import { corpusChrf } from '../lib/metrics/chrf.js';
import { tokenize13a } from '../lib/metrics/tokenize-13a.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// Fixtures stay in the source tree (dist/test -> test).
const fixture = path.join(here, '..', '..', 'test', 'fixtures', 'bleu', 'cases.json');

t.test('hand-worked: precisions, brevity penalty, geometric mean', async (t) => {
  // hyp a b c d e vs ref a b c d f g: matches 4/5, 3/4, 2/3, 1/2; BP = exp(1 − 6/5).
  const b = corpusBleu(['a b c d e'], [['a b c d f g']]);
  t.same(b.correct, [4, 3, 2, 1]);
  t.same(b.total, [5, 4, 3, 2]);
  const want = 100 * Math.exp(1 - 6 / 5) * Math.pow((4 / 5) * (3 / 4) * (2 / 3) * (1 / 2), 1 / 4);
  t.ok(Math.abs(b.score - want) < 1e-9, `${b.score} = ${want}`);
});

t.test('hand-worked: clipping by the reference count', async (t) => {
  // Papineni's example: 7 × "the" against a reference with two "the": unigram precision 2/7.
  const b = corpusBleu(['the the the the the the the'], [['the cat is on the mat']]);
  t.equal(b.correct[0], 2);
  t.equal(b.total[0], 7);
  t.equal(b.precisions[0], (100 * 2) / 7);
});

t.test('hand-worked: exp smoothing for orders without a match', async (t) => {
  // a b c x d e / a b c y d e: 5/6, 3/5, 1/4, and 0 of 3 four-grams -> 100 / (2 · 3).
  const b = corpusBleu(['a b c x d e'], [['a b c y d e']]);
  t.same(b.correct, [5, 3, 1, 0]);
  const p = [(100 * 5) / 6, (100 * 3) / 5, (100 * 1) / 4, 100 / (2 * 3)];
  t.same(b.precisions, p);
  t.ok(Math.abs(b.score - Math.exp(p.reduce((s, x) => s + Math.log(x), 0) / 4)) < 1e-9);
  // Two orders without a match: the second gets 1/(4·total).
  const c = corpusBleu(['a b x c d y e'], [['a b z c d w e']]);
  t.same(c.correct, [5, 2, 0, 0]);
  t.equal(c.precisions[2], 100 / (2 * 5));
  t.equal(c.precisions[3], 100 / (4 * 4));
});

t.test('hand-worked: multiple references clip by the maximum count and take the closest length', async (t) => {
  const st = segmentStats('the the cat', ['the cat', 'the the dog sat down']);
  t.equal(st.correct[0], 3); // "the" ×2 allowed by ref 2, "cat" by ref 1
  t.equal(st.refLen, 2); // |3−2| = 1 < |3−5|
  t.equal(segmentStats('a b c d e f', ['a b c d e', 'a b c d e f g']).refLen, 5); // tie: the shorter
});

t.test('13a tokenizer', async (t) => {
  t.equal(tokenize13a('He said &quot;hi&quot; &amp; left.'), 'He said " hi " & left .');
  t.equal(tokenize13a('It cost $3.50, or 1,000 yen (10-20 min).'), 'It cost $ 3.50 , or 1,000 yen ( 10 - 20 min ) .');
  t.equal(tokenize13a('e.g. U.S. a-b'), 'e . g . U . S . a-b'); // a period between letters splits; a dash between letters does not
});

t.test('Python-style rounding of ties', async (t) => {
  t.equal(fixed(0.0625, 3), '0.062');
  t.equal(fixed(0.1875, 3), '0.188');
  t.equal(fixed(23.50540321304655, 2), '23.51');
});

t.test('equals sacreBLEU on hand-written cases', async (t) => {
  const { cases } = JSON.parse(fs.readFileSync(fixture, 'utf8')) as {
    cases: { name: string; hyps: string[]; refs: string[][]; bleu: number; counts: number[]; totals: number[]; sys_len: number; ref_len: number; bleu_text: string; signature: string; chrf: number; sentence_bleu: number[] }[];
  };
  t.ok(cases.length >= 10);
  for (const c of cases) {
    const b = corpusBleu(c.hyps, c.refs);
    t.ok(Math.abs(b.score - c.bleu) < 1e-9, `${c.name}: BLEU ${b.score} vs sacreBLEU ${c.bleu}`);
    t.same([b.correct, b.total, b.sysLen, b.refLen], [c.counts, c.totals, c.sys_len, c.ref_len], `${c.name}: statistics`);
    t.equal(formatBleu(b), c.bleu_text, `${c.name}: printed line`);
    t.equal(b.signature, c.signature, `${c.name}: signature`);
    const ch = corpusChrf(c.hyps, c.refs);
    t.ok(Math.abs(ch.score - c.chrf) < 1e-9, `${c.name}: chrF ${ch.score} vs ${c.chrf}`);
    c.hyps.forEach((h, i) => {
      const s = sentenceBleu(h, c.refs.map((r) => r[i]!));
      t.ok(Math.abs(s.score - c.sentence_bleu[i]!) < 1e-9, `${c.name}: sentence ${i} BLEU ${s.score} vs ${c.sentence_bleu[i]}`);
    });
  }
});
