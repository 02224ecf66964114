// Pure evaluation functions: Spearman with ties, similarity-file parsing,
// analogy scoring (3CosAdd = word2vec compute-accuracy, 3CosMul) against brute force.
import t from 'tap';
import { averageRanks, spearman } from '../lib/embeddings/spearman.js';
import { evaluateSimilarity, parseSimilarity } from '../lib/embeddings/wordsim.js';
import { bestAnswersInRange, evaluateAnalogies, mergeBest, parseAnalogies, planAnalogies } from '../lib/embeddings/analogy.js';
import { indexTokens, normalizeRows } from '../lib/formats/vectors.js';
import { mulberry32 } from '../lib/random/mulberry32.js';

t.test('Spearman: ties get average ranks (scipy.stats.spearmanr values)', async (t) => {
  t.same(Array.from(averageRanks([10, 20, 20, 30, 20])), [1, 3, 3, 5, 3]);
  t.equal(spearman([1, 2, 2, 3], [1, 3, 2, 4]).toFixed(12), (0.9486832980505138).toFixed(12));
  t.equal(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]).toFixed(12), (0.8207826816681233).toFixed(12));
  t.equal(spearman([1, 2, 3], [3, 2, 1]), -1);
  t.ok(Number.isNaN(spearman([1], [2])));
});

t.test('similarity files: CRLF, no final newline, bad line named', async (t) => {
  const pairs = parseSimilarity('Tiger\tcat\t7.35\r\nbook\tpaper\t7.46\r\nking\tcabbage\t0.23', 'ws.txt');
  t.same(pairs, [
    { a: 'Tiger', b: 'cat', score: 7.35 },
    { a: 'book', b: 'paper', score: 7.46 },
    { a: 'king', b: 'cabbage', score: 0.23 },
  ]);
  t.throws(() => parseSimilarity('a\tb\t1\nc\td\n', 'bad.txt'), { name: 'UsageError', message: /bad\.txt: line 2 is not/ });
});

t.test('evaluateSimilarity: lower-cases, skips missing pairs, reports coverage', async (t) => {
  const tokens = ['tiger', 'cat', 'book', 'paper', 'king'];
  // 2-d vectors chosen so cosines order as the gold scores.
  const vectors = Float32Array.from([1, 0, 1, 0.1, 0, 1, 0.2, 1, -1, 0.3]);
  const emb = { unit: normalizeRows(vectors, 2), dim: 2, index: indexTokens(tokens) };
  const pairs = parseSimilarity('Tiger\tcat\t9\nbook\tpaper\t8\nking\tcat\t1\nking\tcabbage\t0\n', 'x');
  const r = evaluateSimilarity(emb, pairs);
  t.equal(r.found, 3);
  t.equal(r.pairs, 4);
  t.equal(r.rho, 1);
});



t.test('analogy: hand-worked king - man + woman = queen', async (t) => {
  const tokens = ['man', 'woman', 'king', 'queen', 'apple'];
  const v = Float32Array.from([1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0.9, 0.1, 0.1]);
  const emb = { tokens, unit: normalizeRows(v, 3), dim: 3 };
  const sections = parseAnalogies(': family\nMan Woman King Queen\nman woman king apple\n: gram-x\nman king woman queen\nman woman nothere queen\n', 'q.txt');
  const r = evaluateAnalogies(emb, sections, 30000);
  t.equal(r.overall.total, 4);
  t.equal(r.overall.seen, 3);
  t.equal(r.sections[0]!.correctAdd, 1, 'queen found; apple is not the answer');
  t.equal(r.semantic.seen, 2);
  t.equal(r.syntactic.correctAdd, 1);
  // restrict to the 3 most frequent rows: queen (row 3) is out, so no question is seen
  t.equal(evaluateAnalogies(emb, sections, 3).overall.seen, 0);
  t.throws(() => parseAnalogies(': s\na b c\n', 'q.txt'), { message: /q\.txt: line 2 is neither/ });
});

t.test('analogy: blocked search equals brute force, and ranges merge', async (t) => {
  const rand = mulberry32(7);
  const n = 2500; // spans two blocks
  const dim = 16;
  const vec = new Float32Array(n * dim).map(() => rand() * 2 - 1);
  const unit = normalizeRows(vec, dim);
  const q = 40;
  const abc = new Int32Array(3 * q).map(() => Math.floor(rand() * n));
  const cos = (i: number, j: number): number => {
    let s = 0;
    for (let k = 0; k < dim; k++) s += unit[i * dim + k]! * unit[j * dim + k]!;
    return s;
  };
  const whole = bestAnswersInRange(unit, dim, abc, 0, n);
  const merged = mergeBest([bestAnswersInRange(unit, dim, abc, 0, 1000), bestAnswersInRange(unit, dim, abc, 1000, n)]);
  for (let i = 0; i < q; i++) {
    const [a, b, c] = [abc[3 * i]!, abc[3 * i + 1]!, abc[3 * i + 2]!];
    // 3CosAdd as compute-accuracy: dot of (b - a + c) with each candidate
    let bestAdd = -1;
    let bestAddScore = -Infinity;
    let bestMul = -1;
    let bestMulScore = -Infinity;
    for (let d = 0; d < n; d++) {
      if (d === a || d === b || d === c) continue;
      let dot = 0;
      for (let k = 0; k < dim; k++) dot += (unit[b * dim + k]! - unit[a * dim + k]! + unit[c * dim + k]!) * unit[d * dim + k]!;
      if (dot > bestAddScore + 1e-9) {
        bestAddScore = dot;
        bestAdd = d;
      }
      const m = ((1 + cos(d, b)) / 2) * ((1 + cos(d, c)) / 2) / ((1 + cos(d, a)) / 2 + 0.001);
      if (m > bestMulScore) {
        bestMulScore = m;
        bestMul = d;
      }
    }
    t.equal(whole.addRow[i], bestAdd, `3CosAdd question ${i}`);
    t.equal(whole.mulRow[i], bestMul, `3CosMul question ${i}`);
    t.equal(merged.addRow[i], whole.addRow[i]);
    t.equal(merged.mulRow[i], whole.mulRow[i]);
  }
  const plan = planAnalogies(['A', 'b', 'a'], [{ name: 's', semantic: true, questions: [['a', 'B', 'A', 'b']] }], 10);
  t.same(Array.from(plan.abc), [0, 1, 0], 'case-folded lookup picks the most frequent row');
});
