// The seq2seq model's pieces, with values computed independently: the
// reversible tokenizer, a padded batch scoring exactly as its rows alone,
// attention that gives padded source positions weight 0, gradients against
// finite differences, beam width 1 = greedy, and the GNMT length penalty.

import t from 'tap';
import { tf, selectBackend } from '../lib/nn/backend/index.js';
import { makeBatch } from '../lib/seq2seq/data.js';
import { beamTranslate, greedyTranslate, lengthPenalty } from '../lib/seq2seq/decode.js';
import type { AttentionScore, Seq2SeqConfig } from '../lib/seq2seq/model.js';
import { detokenize, tokenize } from '../lib/seq2seq/pieces.js';
import { createRnnSeq2Seq, disposeEncoded, disposeState } from '../lib/seq2seq/rnn.js';

await selectBackend('cpu');

const cfg = (attention: AttentionScore): Seq2SeqConfig => ({ arch: 'rnn', srcVocab: 12, tgtVocab: 11, embed: 6, hidden: 5, attention, dropout: 0, seed: 3 });

t.test('tokenize/detokenize round-trips text', async (t) => {
  for (const s of ['A man is riding a bike.', 'Zwei Männer, die "Fußball" spielen!', '私は猫が好きです。', 'x-ray 3.5 km'])
    t.equal(detokenize(tokenize(s)), s.normalize('NFC'));
  t.same(tokenize('a man.'), ['\u2581a', '\u2581man', '.']);
});

t.test('a padded batch scores each row exactly as the row alone', async (t) => {
  for (const [att, softmax] of [['additive', 'full'], ['dot', 'full'], ['general', 'full'], ['general', 'class']] as [AttentionScore, 'full' | 'class'][]) {
    const m = createRnnSeq2Seq({ ...cfg(att), softmax });
    const rows = [
      { src: Int32Array.of(4, 5, 6, 7, 8, 9), tgt: Int32Array.of(4, 5, 6, 7) },
      { src: Int32Array.of(10, 11), tgt: Int32Array.of(8) },
    ];
    const both = m.score(makeBatch(rows.map((r) => r.src), rows.map((r) => r.tgt)));
    const alone = rows.map((r) => m.score(makeBatch([r.src], [r.tgt])));
    t.equal(both.tokens, alone[0]!.tokens + alone[1]!.tokens, `${att}: padding is not counted`);
    t.ok(Math.abs(both.logProb - (alone[0]!.logProb + alone[1]!.logProb)) < 1e-4, `${att}: ${both.logProb} = ${alone[0]!.logProb} + ${alone[1]!.logProb}`);
    // The training loss too: the weighted mean over real tokens.
    const lossBoth = tf.tidy(() => m.trainLoss(makeBatch(rows.map((r) => r.src), rows.map((r) => r.tgt)), 0).dataSync()[0]!);
    t.ok(Math.abs(lossBoth - -(alone[0]!.logProb + alone[1]!.logProb) / both.tokens) < 1e-4, `${att}: loss ignores padding`);
    tf.dispose(m.params);
  }
});

t.test('attention: padded source positions get weight exactly 0; real ones match the unpadded row', async (t) => {
  const m = createRnnSeq2Seq(cfg('general'));
  const long = Int32Array.of(4, 5, 6, 7, 8);
  const short = Int32Array.of(9, 10);
  const src = new Int32Array(10).fill(3);
  src.set(long, 0);
  src.set(short, 5);
  const a = m.encode(src, Int32Array.of(5, 2), 2, 5);
  const s = m.step(a.enc, a.state, Int32Array.of(1, 1));
  const w = s.attention.arraySync() as number[][];
  t.same(w[1]!.slice(2), [0, 0, 0], 'padding gets 0');
  t.ok(Math.abs(w[1]![0]! + w[1]![1]! - 1) < 1e-6, 'the real positions sum to 1');
  const b = m.encode(short, Int32Array.of(2), 1, 2);
  const s1 = m.step(b.enc, b.state, Int32Array.of(1));
  const w1 = s1.attention.arraySync() as number[][];
  t.ok(Math.abs(w1[0]![0]! - w[1]![0]!) < 1e-6 && Math.abs(w1[0]![1]! - w[1]![1]!) < 1e-6, `${w1[0]} = ${w[1]!.slice(0, 2)}`);
  const lpA = (s.logProbs.arraySync() as number[][])[1]!;
  const lpB = (s1.logProbs.arraySync() as number[][])[0]!;
  t.ok(lpA.every((x, i) => Math.abs(x - lpB[i]!) < 1e-5), 'the next-token distribution too');
  for (const x of [a, b]) disposeEncoded(x.enc), disposeState(x.state);
  for (const x of [s, s1]) tf.dispose([x.logProbs, x.attention]), disposeState(x.state);
  tf.dispose(m.params);
});

t.test('gradients equal finite differences', async (t) => {
  for (const att of ['additive', 'general'] as AttentionScore[]) {
    const m = createRnnSeq2Seq(cfg(att));
    const batch = makeBatch([Int32Array.of(4, 5, 6), Int32Array.of(7)], [Int32Array.of(4, 5), Int32Array.of(6, 7, 8)]);
    const lossOf = (): number => tf.tidy(() => m.trainLoss(batch, 0).dataSync()[0]!);
    const { grads } = tf.variableGrads(() => m.trainLoss(batch, 0), m.params);
    let checked = 0;
    for (const [pi, p] of m.params.entries()) {
      const g = grads[p.name]!.dataSync();
      const v = p.dataSync().slice() as Float32Array;
      for (const j of Array.from({ length: 6 }, (_, q) => Math.floor((q * (v.length - 1)) / 5))) {
        const eps = 5e-2; // central differences: O(eps²) error, and float32 rounding ~1e-7/eps
        const at = (x: number): number => {
          const w = v.slice();
          w[j] = x;
          p.assign(tf.tensor(w, p.shape));
          return lossOf();
        };
        const fd = (at(v[j]! + eps) - at(v[j]! - eps)) / (2 * eps);
        p.assign(tf.tensor(v, p.shape));
        // float32 losses: differences below ~3e-5 are rounding noise.
        if (Math.abs(fd) < 3e-5 && Math.abs(g[j]!) < 3e-5) continue;
        t.ok(Math.abs(fd - g[j]!) <= 1e-5 + 0.05 * Math.abs(fd), `${att} ${m.paramNames[pi]}[${j}]: analytic ${g[j]} vs numeric ${fd}`);
        checked++;
      }
    }
    t.ok(checked >= 15, `${checked} entries checked`);
    tf.dispose(Object.values(grads));
    tf.dispose(m.params);
  }
});

t.test('beam search of width 1 is greedy; wider beams score at least as well', async (t) => {
  const m = createRnnSeq2Seq(cfg('dot'));
  const src = Int32Array.of(4, 6, 8);
  const g = greedyTranslate(m, [src])[0]!;
  const b1 = beamTranslate(m, src, 1, 0)[0]!;
  t.same(b1.ids, g.ids);
  t.ok(Math.abs(b1.logProb - g.logProb) < 1e-4);
  const b4 = beamTranslate(m, src, 4, 0);
  t.ok(b4[0]!.logProb >= g.logProb - 1e-6, `beam 4 ${b4[0]!.logProb} ≥ greedy ${g.logProb}`);
  tf.dispose(m.params);
});

t.test('GNMT length penalty', async (t) => {
  t.equal(lengthPenalty(7, 0), 1);
  t.ok(Math.abs(lengthPenalty(7, 0.6) - Math.pow(12 / 6, 0.6)) < 1e-12);
  t.equal(lengthPenalty(1, 1), 1);
});

t.test('training killed after a checkpoint and resumed ends with the same weights as an uninterrupted run', async (t) => {
  const { trainLoop } = await import('../lib/nn/train-loop.js');
  const { BucketBatches } = await import('../lib/seq2seq/data.js');
  const { createLogger } = await import('../pipeline/log.js');
  const { createProgress } = await import('../pipeline/progress.js');
  const { tmpDir } = await import('../testkit/tmp.js');
  const fs = await import('node:fs');
  const path = await import('node:path');
  const dir = tmpDir(t);
  const src: Int32Array[] = [];
  const tgt: Int32Array[] = [];
  for (let i = 0; i < 24; i++) {
    const n = 1 + (i % 4);
    src.push(Int32Array.from({ length: n }, (_, j) => 4 + ((i + j) % 8)));
    tgt.push(Int32Array.from({ length: n }, (_, j) => 4 + ((i + 2 * j) % 7)));
  }
  const log = createLogger('quiet');
  const progress = createProgress({ mode: 'quiet' } as never);
  const opts = (ck: string, extra: Record<string, unknown> = {}) => ({
    name: 'seq2seq', optimizer: 'adam' as const, lr: 0.01, warmup: 2, decay: 'none' as const, lrDecay: 0.5, decayStart: 4, clip: 1,
    epochs: 2, maxMinutes: 10, patience: 5, checkpointEvery: 2, logEvery: 2, seed: 7, checkpointDir: ck, tokensIn: () => 1, ...extra,
  });
  const c = { ...cfg('additive'), dropout: 0.3 };
  const run = async (ck: string, extra?: Record<string, unknown>) => {
    const m = createRnnSeq2Seq(c);
    const b = new BucketBatches({ src, tgt }, 20, 6, 7);
    try {
      await trainLoop(m, b, undefined, opts(ck, extra), log, progress);
    } catch (e) {
      tf.dispose(m.params);
      throw e;
    }
    const w = m.params.map((p) => Array.from(p.dataSync()));
    tf.dispose(m.params);
    return w;
  };
  const whole = await run(path.join(dir, 'a'));
  const ck = path.join(dir, 'b');
  await t.rejects(run(ck, { haltAfterSteps: 5 }), { message: /halted after/ });
  t.ok(fs.existsSync(path.join(ck, 'checkpoint.json')), 'a checkpoint was left');
  const resumed = await run(ck);
  t.same(resumed, whole, 'bit-identical weights (dropout masks and batch order are functions of seed and step)');
});
