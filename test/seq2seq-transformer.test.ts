// The Transformer encoder–decoder (lib/seq2seq/transformer.ts), with values
// computed independently: shapes; a padded batch scoring exactly as its rows
// alone; padded source positions getting attention weight exactly 0; the
// causal mask (a later target token never changes an earlier log-probability);
// incremental decoding equal to the teacher-forced pass; label smoothing equal
// to the hand-computed smoothed cross-entropy with perplexity left the true
// NLL, and its gradient against finite differences; a reversal task learned;
// checkpoint and exact resume.

import t from 'tap';
import { tf, selectBackend } from '../lib/nn/backend/index.js';
import { makeBatch, BucketBatches } from '../lib/seq2seq/data.js';
import { beamTranslate, beamTranslateBatch, greedyTranslate, translateMany } from '../lib/seq2seq/decode.js';
import { createRnnSeq2Seq } from '../lib/seq2seq/rnn.js';
import { disposeEncoded, disposeState, validateConfig, type Seq2SeqConfig, type Seq2SeqModel } from '../lib/seq2seq/model.js';
import { createTransformerSeq2Seq } from '../lib/seq2seq/transformer.js';
import { trainLoop } from '../lib/nn/train-loop.js';
import { createLogger } from '../pipeline/log.js';
import { createProgress } from '../pipeline/progress.js';
import { tmpDir } from '../testkit/tmp.js';
import { BOS, EOS } from '../lib/formats/tokens.js';

await selectBackend('wasm');

const cfg = (extra: Partial<Seq2SeqConfig> = {}): Seq2SeqConfig => ({
  arch: 'transformer', srcVocab: 12, tgtVocab: 11, embed: 0, hidden: 0, attention: 'dot', dropout: 0, seed: 3,
  dModel: 8, heads: 2, layers: 2, ffn: 16, positions: 'sinusoidal', softmax: 'full', ...extra,
});

const rows = [
  { src: Int32Array.of(4, 5, 6, 7, 8, 9), tgt: Int32Array.of(4, 5, 6, 7) },
  { src: Int32Array.of(10, 11), tgt: Int32Array.of(8) },
];

/** Log-probabilities of every step of the incremental decoder fed the teacher-forced inputs of a one-row batch: T × V. */
function stepwise(m: Seq2SeqModel, src: Int32Array, tgt: Int32Array): number[][] {
  const { enc, state } = m.encode(src, Int32Array.of(src.length), 1, src.length);
  let st = state;
  const out: number[][] = [];
  for (const prev of [BOS, ...tgt]) {
    const r = m.step(enc, st, Int32Array.of(prev));
    out.push((r.logProbs.arraySync() as number[][])[0]!);
    tf.dispose([r.logProbs, r.attention]);
    disposeState(st);
    st = r.state;
  }
  disposeState(st);
  disposeEncoded(enc);
  return out;
}

t.test('shapes of encode, step and the scored positions', async (t) => {
  const m = createTransformerSeq2Seq(cfg({ layers: 3, heads: 4 }));
  t.same(m.attentionMaps, { layers: 3, heads: 4 });
  const { enc, state } = m.encode(Int32Array.of(4, 5, 6, 3, 7, 8, 3, 3), Int32Array.of(3, 2), 2, 4);
  t.equal(enc.B, 2);
  t.equal(enc.S, 4);
  const r1 = m.step(enc, state, Int32Array.of(BOS, BOS));
  t.same(r1.logProbs.shape, [2, 11], 'log-probabilities (B, V)');
  t.same(r1.attention.shape, [2, 3 * 4 * 4], 'cross-attention (B, layers·heads·S)');
  const r2 = m.step(enc, r1.state, Int32Array.of(5, 6));
  t.equal(r2.state.t, 2, 'two tokens cached');
  t.same((r2.state.k as tf.Tensor[]).map((k) => k.shape), [[2, 4, 2, 2], [2, 4, 2, 2], [2, 4, 2, 2]], 'per layer (B, heads, t, d_k)');
  const sums = tf.tidy(() => tf.sum(tf.exp(r2.logProbs), 1).arraySync() as number[]);
  t.ok(sums.every((s) => Math.abs(s - 1) < 1e-5), 'each row is a distribution');
  const b = makeBatch(rows.map((r) => r.src), rows.map((r) => r.tgt));
  t.equal(m.positionLogProbs(b).length, b.B * b.T);
  for (const x of [r1, r2]) tf.dispose([x.logProbs, x.attention]), disposeState(x.state);
  disposeState(state), disposeEncoded(enc);
  tf.dispose(m.params);
});

t.test('a padded batch scores each row exactly as the row alone', async (t) => {
  for (const extra of [{}, { positions: 'learned' as const }, { softmax: 'class' as const }, { shareEmbeddings: true }]) {
    const m = createTransformerSeq2Seq(cfg(extra));
    const batch = makeBatch(rows.map((r) => r.src), rows.map((r) => r.tgt));
    const both = m.score(batch);
    const alone = rows.map((r) => m.score(makeBatch([r.src], [r.tgt])));
    const name = JSON.stringify(extra);
    t.equal(both.tokens, alone[0]!.tokens + alone[1]!.tokens, `${name}: padding is not counted`);
    t.ok(Math.abs(both.logProb - (alone[0]!.logProb + alone[1]!.logProb)) < 1e-4, `${name}: ${both.logProb} = ${alone[0]!.logProb} + ${alone[1]!.logProb}`);
    const loss = tf.tidy(() => m.trainLoss(batch, 0).dataSync()[0]!);
    t.ok(Math.abs(loss - -(alone[0]!.logProb + alone[1]!.logProb) / both.tokens) < 1e-4, `${name}: the loss is the mean over real tokens`);
    tf.dispose(m.params);
  }
});

t.test('padded source positions get cross-attention weight exactly 0 in every layer and head', async (t) => {
  const m = createTransformerSeq2Seq(cfg());
  const src = new Int32Array(10).fill(3);
  src.set([4, 5, 6, 7, 8], 0);
  src.set([9, 10], 5);
  const a = m.encode(src, Int32Array.of(5, 2), 2, 5);
  const s = m.step(a.enc, a.state, Int32Array.of(BOS, BOS));
  const w = s.attention.arraySync() as number[][]; // (2, L·NH·5)
  const b = m.encode(Int32Array.of(9, 10), Int32Array.of(2), 1, 2);
  const s1 = m.step(b.enc, b.state, Int32Array.of(BOS));
  const w1 = (s1.attention.arraySync() as number[][])[0]!; // (L·NH·2)
  for (let map = 0; map < 4; map++) {
    const row = w[1]!.slice(map * 5, map * 5 + 5);
    t.same(row.slice(2), [0, 0, 0], `map ${map}: padding gets 0`);
    t.ok(Math.abs(row[0]! + row[1]! - 1) < 1e-6, `map ${map}: the real positions sum to 1`);
    t.ok(Math.abs(row[0]! - w1[map * 2]!) < 1e-6 && Math.abs(row[1]! - w1[map * 2 + 1]!) < 1e-6, `map ${map}: as the unpadded row`);
  }
  const lpA = (s.logProbs.arraySync() as number[][])[1]!;
  const lpB = (s1.logProbs.arraySync() as number[][])[0]!;
  t.ok(lpA.every((x, i) => Math.abs(x - lpB[i]!) < 1e-5), 'the next-token distribution too');
  for (const x of [a, b]) disposeEncoded(x.enc), disposeState(x.state);
  for (const x of [s, s1]) tf.dispose([x.logProbs, x.attention]), disposeState(x.state);
  tf.dispose(m.params);
});

t.test('causal mask: changing a later target token leaves the earlier log-probabilities unchanged', async (t) => {
  const m = createTransformerSeq2Seq(cfg());
  const src = Int32Array.of(4, 5, 6);
  const a = m.positionLogProbs(makeBatch([src], [Int32Array.of(4, 5, 6, 7)]));
  const b = m.positionLogProbs(makeBatch([src], [Int32Array.of(4, 5, 9, 7)]));
  // Position t predicts tgtOut[t] from tgtIn[0..t] = <s> y1..yt: changing y3 (index 2) changes the inputs of positions 3 and 4.
  for (let i = 0; i < 2; i++) t.ok(Math.abs(a[i]! - b[i]!) < 1e-6, `position ${i}: ${a[i]} = ${b[i]}`);
  t.ok(Math.abs(a[3]! - b[3]!) > 1e-6, 'a later position does see the change');
  tf.dispose(m.params);
});

t.test('incremental decoding gives the teacher-forced log-probabilities (to 1e-5)', async (t) => {
  for (const extra of [{}, { positions: 'learned' as const, layers: 1 }, { softmax: 'class' as const }]) {
    const m = createTransformerSeq2Seq(cfg(extra));
    const src = Int32Array.of(4, 9, 6, 7, 5);
    const tgt = Int32Array.of(8, 5, 6, 10, 4, 7);
    const full = m.positionLogProbs(makeBatch([src], [tgt]));
    const steps = stepwise(m, src, tgt);
    const want = [...tgt, EOS];
    let worst = 0;
    want.forEach((y, i) => (worst = Math.max(worst, Math.abs(steps[i]![y]! - full[i]!))));
    t.ok(worst < 1e-5, `${JSON.stringify(extra)}: largest difference ${worst.toExponential(2)}`);
    tf.dispose(m.params);
  }
});

t.test('label smoothing: the loss is (1−ε)·NLL + ε·mean_v(−ln p_v); perplexity stays the true NLL', async (t) => {
  const eps = 0.1;
  const m0 = createTransformerSeq2Seq(cfg());
  const m1 = createTransformerSeq2Seq(cfg({ labelSmoothing: eps }));
  const src = Int32Array.of(4, 9, 6);
  const tgt = Int32Array.of(8, 5);
  const batch = makeBatch([src], [tgt]);
  const dist = stepwise(m1, src, tgt); // same seed: same weights
  const want = [...tgt, EOS];
  let expected = 0;
  want.forEach((y, i) => {
    const lp = dist[i]!;
    expected += (1 - eps) * -lp[y]! + eps * -(lp.reduce((a, b) => a + b, 0) / lp.length);
  });
  expected /= want.length;
  const smoothed = tf.tidy(() => m1.trainLoss(batch, 0).dataSync()[0]!);
  const plain = tf.tidy(() => m0.trainLoss(batch, 0).dataSync()[0]!);
  t.ok(Math.abs(smoothed - expected) < 1e-5, `smoothed loss ${smoothed} = hand-computed ${expected}`);
  t.ok(Math.abs(smoothed - plain) > 1e-3, 'and differs from the plain loss');
  t.ok(Math.abs(m1.score(batch).logProb - m0.score(batch).logProb) < 1e-6, 'score (perplexity) is the unsmoothed log-likelihood');
  // The fused loss's hand-written gradient (softmax − q) against central differences.
  const { grads } = tf.variableGrads(() => m1.trainLoss(batch, 0), m1.params);
  let checked = 0;
  for (const name of ['output_b', 'dec1_ffn_b2', 'enc0_self_wv']) {
    const i = m1.paramNames.indexOf(name);
    const p = m1.params[i]!;
    const g = grads[p.name]!.dataSync();
    const v = p.dataSync().slice() as Float32Array;
    for (const j of [0, 3, 5]) {
      const at = (x: number): number => {
        const w = v.slice();
        w[j] = x;
        p.assign(tf.tensor(w, p.shape));
        return tf.tidy(() => m1.trainLoss(batch, 0).dataSync()[0]!);
      };
      const h = 1e-2;
      const fd = (at(v[j]! + h) - at(v[j]! - h)) / (2 * h);
      p.assign(tf.tensor(v, p.shape));
      if (Math.abs(fd) < 3e-5 && Math.abs(g[j]!) < 3e-5) continue;
      t.ok(Math.abs(fd - g[j]!) <= 1e-4 + 0.05 * Math.abs(fd), `${name}[${j}]: analytic ${g[j]} vs numeric ${fd}`);
      checked++;
    }
  }
  t.ok(checked >= 5, `${checked} entries checked`);
  tf.dispose(Object.values(grads));
  tf.dispose([...m0.params, ...m1.params]);
});

t.test('shared embeddings: the decoder input embedding is the output projection', async (t) => {
  const m = createTransformerSeq2Seq(cfg({ shareEmbeddings: true }));
  t.notOk(m.paramNames.includes('output_w'), 'no separate output matrix');
  t.ok(m.paramNames.includes('tgt_embedding') && m.paramNames.includes('output_b'));
  t.equal(validateConfig(cfg({ shareEmbeddings: true, softmax: 'class' })), '--share-embeddings needs --softmax full (the class softmax has no (V, d-model) matrix to share)');
  t.match(validateConfig(cfg({ dModel: 10, heads: 4 }))!, /^--heads 4 does not divide --d-model 10/);
  t.match(validateConfig(cfg({ labelSmoothing: 0.1, softmax: 'class' }))!, /--label-smoothing 0\.1 needs --softmax full/);
  tf.dispose(m.params);
});

t.test('beam search over several sentences at once gives each sentence its search alone', async (t) => {
  const sources = [Int32Array.of(4, 5, 6, 7, 8, 9, 10), Int32Array.of(11), Int32Array.of(6, 4), Int32Array.of(9, 8, 7, 6), Int32Array.of(5, 5, 5)];
  for (const [name, m] of [['transformer', createTransformerSeq2Seq(cfg())], ['rnn', createRnnSeq2Seq({ ...cfg(), arch: 'rnn', embed: 6, hidden: 5, attention: 'general' })]] as const) {
    const before = tf.memory().numTensors;
    const together = beamTranslateBatch(m, sources, 3, 0.6, true);
    t.equal(tf.memory().numTensors, before, `${name}: no tensor left behind`);
    sources.forEach((src, i) => {
      const alone = beamTranslate(m, src, 3, 0.6, true);
      t.same(together[i]!.map((h) => h.ids), alone.map((h) => h.ids), `${name} sentence ${i}: the same hypotheses, in order`);
      t.ok(together[i]!.every((h, j) => Math.abs(h.logProb - alone[j]!.logProb) < 1e-4), `${name} sentence ${i}: the same log-probabilities`);
      t.ok(together[i]![0]!.attention!.every((row, p) => row.every((w, q) => Math.abs(w - alone[0]!.attention![p]![q]!) < 1e-5)), `${name} sentence ${i}: the same attention`);
    });
    const many = translateMany(m, sources, 3, 0.6, 6); // two sentences per call, sorted by length
    t.same(many.map((h) => h.ids), together.map((h) => h[0]!.ids), `${name}: translateMany keeps the input order`);
    tf.dispose(m.params);
  }
});

/** Reverse a sequence of 2..5 distinct symbols (ids 4..11): the model must attend by position, not by content. */
function reversal(n: number, seed: number): { src: Int32Array[]; tgt: Int32Array[] } {
  let s = seed;
  const r = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const src: Int32Array[] = [];
  const tgt: Int32Array[] = [];
  for (let i = 0; i < n; i++) {
    const pool = [4, 5, 6, 7, 8, 9, 10, 11];
    const x = Int32Array.from({ length: 2 + Math.floor(r() * 4) }, () => pool.splice(Math.floor(r() * pool.length), 1)[0]!);
    src.push(x);
    tgt.push(x.slice().reverse());
  }
  return { src, tgt };
}

const log = createLogger('quiet');
const progress = createProgress({ mode: 'quiet' } as never);
const loopOptions = (ck: string, extra: Record<string, unknown> = {}) => ({
  name: 'seq2seq', optimizer: 'adam' as const, lr: 0.01, warmup: 2, decay: 'none' as const, lrDecay: 0.5, decayStart: 4, clip: 1,
  epochs: 2, maxMinutes: 10, patience: 5, checkpointEvery: 2, logEvery: 2, seed: 7, checkpointDir: ck, tokensIn: () => 1, ...extra,
});

t.test('a tiny Transformer learns to reverse sequences', async (t) => {
  const train = reversal(600, 1);
  const test = reversal(50, 2);
  const c = cfg({ srcVocab: 12, tgtVocab: 12, dModel: 32, heads: 4, layers: 1, ffn: 64 });
  const m = createTransformerSeq2Seq(c);
  const r = await trainLoop(m, new BucketBatches(train, 400, 64, 1), undefined, loopOptions(tmpDir(t), { epochs: 20, patience: 1000, lr: 0.01, warmup: 20, decay: 'rsqrt', clip: 1, checkpointEvery: 100000, logEvery: 100000 }), log, progress);
  const hyps = greedyTranslate(m, test.src);
  const exact = hyps.filter((h, i) => h.ids.join() === Array.from(test.tgt[i]!).join()).length;
  t.ok(exact >= 45, `${exact}/50 test sequences reversed exactly after ${r.globalStep} steps`);
  const b1 = beamTranslate(m, test.src[0]!, 1, 0)[0]!;
  t.same(b1.ids, hyps[0]!.ids, 'beam width 1 is greedy');
  t.ok(Math.abs(b1.logProb - hyps[0]!.logProb) < 1e-4);
  tf.dispose(m.params);
});

t.test('training killed after a checkpoint and resumed ends with the same weights as an uninterrupted run', async (t) => {
  const dir = tmpDir(t);
  const { src, tgt } = reversal(24, 5);
  const c = cfg({ tgtVocab: 12, dropout: 0.3, labelSmoothing: 0.1, positions: 'learned' });
  const run = async (ck: string, extra?: Record<string, unknown>) => {
    const m = createTransformerSeq2Seq(c);
    try {
      await trainLoop(m, new BucketBatches({ src, tgt }, 20, 6, 7), undefined, loopOptions(ck, extra), log, progress);
    } catch (e) {
      tf.dispose(m.params);
      throw e;
    }
    const w = m.params.map((p) => Array.from(p.dataSync()));
    tf.dispose(m.params);
    return w;
  };
  const whole = await run(`${dir}/a`);
  await t.rejects(run(`${dir}/b`, { haltAfterSteps: 5 }), { message: /halted after/ });
  const resumed = await run(`${dir}/b`);
  t.same(resumed, whole, 'bit-identical weights');
});
