// The retrieval bot's arithmetic against values worked out by hand: TF-IDF and
// BM25 on three documents, SIF weights with the first principal component
// removed, cosine top-k on hand-made vectors, the decayed multi-turn context,
// and Recall@k / MRR on a hand-made ranking with ties.

import t from 'tap';
import { bm25Encoder, countWords, firstPrincipalComponent, removeComponent, sifAverage, sifEncoder, sifWeight, tfidfEncoder, type SifModel } from '../lib/retrieval/encoders.js';
import { dot, matrixOf, rowOf, scoreRows, topK, type DenseVec, type SparseVec } from '../lib/retrieval/vectors.js';
import { rankStats, rankStatsOf } from '../lib/retrieval/ranking.js';
import { words } from '../lib/retrieval/words.js';
import { encodeContext, retrieve, RetrievalBot, DONT_KNOW } from '../lib/chat/retrieval.js';
import { buildIndex } from '../lib/chat/build.js';
import { candidatesOf, echoes, meanFigures, pairsOf, rankQueries, candidateQuery, similarityMatrix } from '../lib/chat/evaluate.js';
import { ChatSession, MAX_MESSAGE_CHARS } from '../lib/chat/session.js';

const close = (t: { ok(v: boolean, m: string): unknown }, a: number, b: number, msg: string, eps = 1e-5): void => {
  t.ok(Math.abs(a - b) < eps, `${msg}: ${a} vs ${b}`);
};

// d1 "cat sat", d2 "cat cat ran", d3 "dog ran": N = 3; df cat 2, sat 1, ran 2, dog 1.
const DOCS = [['cat', 'sat'], ['cat', 'cat', 'ran'], ['dog', 'ran']];
const counts = countWords(DOCS);

t.test('words: lowercased letter runs, apostrophes kept inside a word, punctuation dropped', async (t) => {
  t.same(words("What's AI?  Don’t know—maybe 3.14!"), ["what's", 'ai', "don't", 'know', 'maybe', '3', '14']);
  t.same(words('   '), []);
});

t.test('TF-IDF: idf ln((1+N)/(1+df))+1, L2-normalized rows, cosine with the query', async (t) => {
  const enc = tfidfEncoder(counts);
  // idf(cat) = ln(4/3) + 1 = 1.287682, idf(sat) = ln(2) + 1 = 1.693147.
  // d2 = (cat 2 * 1.287682, ran 1.287682) / 2.879352 = (0.894427, 0.447214).
  const d2 = enc.doc(DOCS[1]!) as SparseVec;
  close(t, d2.val[counts.index.get('cat')! === d2.idx[0] ? 0 : 1]!, 0.894427, 'd2 cat weight');
  const q = enc.query(['cat', 'ran']);
  // q = (0.707107, 0.707107): cos(q, d2) = 0.948683; d1 = (cat 1.287682, sat 1.693147)/2.127171 -> cos 0.428046; d3 alike.
  const m = matrixOf(DOCS.map((d) => enc.doc(d)), enc.dim);
  const s = scoreRows(m, q, new Float64Array(3));
  close(t, s[0]!, 0.428046, 'cos(q, d1)');
  close(t, s[1]!, 0.948683, 'cos(q, d2)');
  close(t, s[2]!, 0.428046, 'cos(q, d3)');
  t.same(enc.query(['zebra']).kind === 'sparse' && (enc.query(['zebra']) as SparseVec).idx.length, 0, 'unknown words are dropped');
});

t.test('BM25 (k1 1.2, b 0.75): idf ln(1 + (N-df+0.5)/(df+0.5)), saturating tf, length-normalized', async (t) => {
  const enc = bm25Encoder(counts, { k1: 1.2, b: 0.75 });
  // avgdl 7/3. idf(cat) = ln(1.6) = 0.470004. d2 (|d| 3): K = 1.2 (0.25 + 0.75 * 3 / (7/3)) = 1.457143;
  // cat: 0.470004 * 2 * 2.2 / (2 + K) = 0.598187; ran: 0.470004 * 2.2 / (1 + K) = 0.420817; sum 1.019004.
  // d1 (|d| 2): K = 1.2 (0.25 + 0.75 * 2 / (7/3)) = 1.071429; cat: 0.470004 * 2.2 / 2.071429 = 0.499176.
  const m = matrixOf(DOCS.map((d) => enc.doc(d)), enc.dim);
  const s = scoreRows(m, enc.query(['cat', 'ran', 'cat']), new Float64Array(3));
  close(t, s[0]!, 0.499176, 'bm25(q, d1)');
  close(t, s[1]!, 1.019004, 'bm25(q, d2)');
  close(t, s[2]!, 0.499176, 'bm25(q, d3): ran has the idf of cat');
  // The confidence divides by the query's score against a copy of itself: 0.998353 here, so d2 is capped at 1.
  const ix = buildIndex(enc, DOCS.map((d, i) => ({ id: `d${i + 1}`, context: [d.join(' ')], reply: `r${i + 1}` })), { turns: 1, decay: 0.5 }, 0.3);
  const r = retrieve(ix, ['cat ran'], 3);
  t.same(r.hits.map((h) => h.row), [1, 0, 2], 'd2 first, ties in row order');
  close(t, r.confidence[0]!, 1, 'capped at 1');
  close(t, r.confidence[1]!, 0.499176 / 0.998353, 'd1 relative to a perfect match');
});

t.test('SIF: weights a/(a+p(w)), the average, minus its projection on the first principal component', async (t) => {
  t.equal(sifWeight(1e-3, 1e-3), 0.5);
  // Words u = (1, 0) with p 0.5 and v = (0, 1) with p 0; a = 0.5: weights 0.5 and 1.
  const m: SifModel = { words: ['u', 'v'], index: new Map([['u', 0], ['v', 1]]), dim: 2, vectors: Float32Array.from([1, 0, 0, 1]), p: Float64Array.from([0.5, 0]), a: 0.5, pc: null };
  const s1 = sifAverage(m, ['u', 'v', 'unknown']);
  close(t, s1[0]!, 0.25, '"u v": (0.5 u + 1 v) / 2, x');
  close(t, s1[1]!, 0.5, 'y (words without a vector do not count)');
  const s2 = sifAverage(m, ['u']);
  // X = [[0.25, 0.5], [0.5, 0]]: X^T X = [[0.3125, 0.125], [0.125, 0.25]], largest eigenvalue 0.410097,
  // eigenvector (1, 0.780776) / 1.268701 = (0.788205, 0.615412).
  const X = Float32Array.from([...s1, ...s2]);
  const pc = firstPrincipalComponent(X, 2, 2);
  close(t, pc[0]!, 0.788205, 'pc x');
  close(t, pc[1]!, 0.615412, 'pc y');
  // u . s1 = 0.504757: s1 - 0.504757 pc = (-0.147852, 0.189366).
  const r = removeComponent(Float32Array.from(s1), pc);
  close(t, r[0]!, -0.147852, 'removed x');
  close(t, r[1]!, 0.189366, 'removed y');
  const enc = sifEncoder({ ...m, pc });
  const v = enc.doc(['u', 'v']) as DenseVec;
  const n = Math.hypot(-0.147852, 0.189366);
  close(t, v.v[0]!, -0.147852 / n, 'encoder: unit length');
  t.equal(enc.known(['u', 'w', 'v']), 2);
});

t.test('cosine top-k on hand-made unit vectors; a sparse matrix scores as its dense twin', async (t) => {
  const rows = [
    [1, 0, 0],
    [0.6, 0.8, 0],
    [0, 0.6, 0.8],
    [0, 0, 1],
  ];
  const dense = matrixOf(rows.map((r) => ({ kind: 'dense', v: Float32Array.from(r) }) as DenseVec), 3);
  const q: DenseVec = { kind: 'dense', v: Float32Array.from([0.8, 0.6, 0]) };
  const s = scoreRows(dense, q, new Float64Array(4));
  // 0.8, 0.48 + 0.48 = 0.96, 0.36, 0.
  t.same(topK(s, 2).map((h) => h.row), [1, 0]);
  close(t, topK(s, 2)[0]!.score, 0.96, 'best cosine');
  const sparse = matrixOf(
    rows.map((r) => {
      const idx = r.map((x, i) => (x ? i : -1)).filter((i) => i >= 0);
      return { kind: 'sparse', idx: Int32Array.from(idx), val: Float32Array.from(idx, (i) => r[i]!) } as SparseVec;
    }),
    3,
  );
  const sq: SparseVec = { kind: 'sparse', idx: Int32Array.from([0, 1]), val: Float32Array.from([0.8, 0.6]) };
  const ss = scoreRows(sparse, sq, new Float64Array(4), new Float32Array(3));
  for (let i = 0; i < 4; i++) close(t, ss[i]!, s[i]!, `row ${i}`);
  close(t, dot(rowOf(sparse, 2), sq), 0.36, 'sparse dot');
});

t.test('multi-turn: the decayed sum of unit turn vectors, unit again', async (t) => {
  const enc = tfidfEncoder(counts);
  const last = enc.doc(['dog', 'ran']) as SparseVec; // (dog 0.795968, ran 0.605349)
  const prev = enc.doc(['cat', 'sat']) as SparseVec; // (cat 0.605349, sat 0.795968)
  const v = encodeContext(enc, ['cat sat', 'dog ran'], { turns: 2, decay: 0.5 }, 'doc') as SparseVec;
  // last + 0.5 prev has squared norm 1 + 0.25 = 1.25 (disjoint words): each weight / 1.118034.
  const w = (vec: SparseVec, word: string): number => vec.val[Array.from(vec.idx).indexOf(counts.index.get(word)!)]!;
  close(t, w(v, 'dog'), w(last, 'dog') / Math.sqrt(1.25), 'dog');
  close(t, w(v, 'cat'), (0.5 * w(prev, 'cat')) / Math.sqrt(1.25), 'cat');
  const one = encodeContext(enc, ['cat sat', 'dog ran'], { turns: 1, decay: 0.5 }, 'doc') as SparseVec;
  t.same(Array.from(one.idx).sort(), Array.from(last.idx).sort(), 'turns 1 reads the last message only');
});

t.test('Recall@k and reciprocal rank on a hand-made ranking, ties broken at random', async (t) => {
  const scores = [0.9, 0.5, 0.5, 0.1];
  // Target 1: one above, one tie: rank 2 or 3 -> R@1 0, R@2 1/2, R@5 1, RR (1/2 + 1/3) / 2.
  const s = rankStats(scores, 1, [1, 2, 5]);
  t.same(s.recall, [0, 0.5, 1]);
  close(t, s.reciprocalRank, 5 / 12, 'RR');
  t.same(rankStats(scores, 0, [1]).recall, [1]);
  close(t, rankStats(scores, 3, [1]).reciprocalRank, 0.25, 'last of four');
  close(t, rankStatsOf(0, 3, [1]).recall[0]!, 0.25, 'four-way tie at the top');
  close(t, meanFigures(Float64Array.from([1, 1, 1, 0, 0.5, 0.25]), [0, 1]).mrr, 0.625, 'mean of two queries');
});

const CONVS = [
  { id: 'a#0', turns: ['What is AI?', 'AI is the science of making machines think.'] },
  { id: 'a#1', turns: ['Do you like football?', 'I am not really into football.'] },
  { id: 'a#2', turns: ['Hello', 'Hi', 'How are you?', 'I am fine, thank you.'] },
  { id: 'a#3', turns: ['Good morning', 'Morning!', 'How are you?', 'Tired today.'] },
];

t.test('the bot: answers the best row, says it does not know below the threshold or with no known word', async (t) => {
  const turns = CONVS.flatMap((c) => c.turns);
  const enc = tfidfEncoder(countWords(turns.map(words)));
  const ix = buildIndex(enc, pairsOf(CONVS), { turns: 1, decay: 0.5 }, 0.5);
  const bot = new RetrievalBot(ix);
  const r = bot.answer(['what is ai'], 2);
  t.equal(r.text, 'AI is the science of making machines think.');
  t.ok(r.known);
  close(t, r.confidence, 1, 'same words, same vector');
  t.equal(r.candidates.length, 2, 'k candidates');
  t.ok(r.candidates[0]!.score >= r.candidates[1]!.score);
  // "football is what" shares "is what" with "What is AI?" (cosine 0.702 by hand, over "Do you like
  // football?" at 0.262): answered at the threshold 0.5, not at 0.9.
  t.equal(bot.answer(['football is what'], 1).text, 'AI is the science of making machines think.');
  const strict = new RetrievalBot({ ...ix, threshold: 0.9 });
  const low = strict.answer(['football is what'], 1);
  t.notOk(low.known, `low confidence ${low.confidence}`);
  close(t, low.confidence, 0.702011, 'its confidence');
  t.equal(low.text, DONT_KNOW);
  t.match(low.reason, /below the threshold 0.9/);
  t.equal(low.candidates[0]!.text, 'AI is the science of making machines think.', 'the candidate is still shown');
  const foreign = bot.answer(['Привет, как дела?'], 3);
  t.notOk(foreign.known);
  t.match(foreign.reason, /no word of the message/);
  // Multi-turn: "How are you?" is in two conversations; the earlier turn decides.
  const multi = new RetrievalBot(buildIndex(enc, pairsOf(CONVS), { turns: 3, decay: 0.5 }, 0));
  t.equal(multi.answer(['Good morning', 'Morning!', 'How are you?'], 1).text, 'Tired today.');
  t.equal(multi.answer(['Hello', 'Hi', 'How are you?'], 1).text, 'I am fine, thank you.');
  // BM25's confidence is out of the last message's own score: changing the subject costs nothing.
  const bm = new RetrievalBot(buildIndex(bm25Encoder(countWords(turns.map(words)), { k1: 1.2, b: 0.75 }), pairsOf(CONVS), { turns: 3, decay: 0.5 }, 0.9));
  const hi = bm.answer(['What is AI?', 'AI is the science of making machines think.', 'Hello'], 1);
  t.equal(hi.text, 'Hi');
  close(t, hi.confidence, 1, 'an exact match of the message');
});

t.test('evaluation: a held-out reply is ranked by the reply vector; an echo of the context is not a candidate', async (t) => {
  const enc = tfidfEncoder(countWords(CONVS.flatMap((c) => c.turns).map(words)));
  const train = pairsOf(CONVS);
  const ix = buildIndex(enc, train, { turns: 1, decay: 0.5 }, 0);
  const held = pairsOf([{ id: 'h#0', turns: ['What is AI?', 'The science of thinking machines.', 'Football?', 'Not really into football.'] }]);
  const cands = candidatesOf(held);
  t.same(cands.texts, ['The science of thinking machines.', 'Football?', 'Not really into football.']);
  const ex = echoes(held, cands);
  t.same(Array.from(ex[2]!), [0, 1], 'the third pair does not get its own context turns as candidates');
  const stats = rankQueries({
    rows: ix.rows,
    replyVecs: similarityMatrix(enc, ix.replies),
    candidates: similarityMatrix(enc, cands.texts),
    queries: held.map((p) => candidateQuery(enc, p.context, ix.context)),
    target: cands.target,
    exclude: ex,
    k: 1,
    queryWeight: 0,
  });
  t.equal(stats[0], 1, 'what is AI -> the science reply first');
  t.equal(stats[6], 1, 'football -> the football reply first');
});

t.test('session: empty and oversized messages get a plain answer; /mode generative without a model says so', async (t) => {
  const enc = tfidfEncoder(countWords(CONVS.flatMap((c) => c.turns).map(words)));
  const s = new ChatSession({ retrieval: new RetrievalBot(buildIndex(enc, pairsOf(CONVS), { turns: 2, decay: 0.5 }, 0)) });
  t.match(s.say('   ').text, /Say something/);
  t.match(s.say('x'.repeat(MAX_MESSAGE_CHARS + 1)).text, /too long/);
  t.same(s.history, [], 'neither enters the conversation');
  s.say('Hello');
  t.same(s.history, ['Hello', 'Hi']);
  t.match(s.unavailable('generative'), /no generative part/);
  s.reset();
  t.same(s.history, []);
});
