// The RNN encoder's two directions on the heap (lib/seq2seq/rnn.ts, with
// lib/nn/backend/wasm-lstm-sequence.ts) against its per-step ops on a padded
// batch: the training loss and every gradient, the scores, the encoder's memory
// at real positions and the decoder's start state, all to 1e-5; and a padded
// batch still scoring each row as the row alone.

import t from 'tap';
import { tf, selectBackend } from '../lib/nn/backend/index.js';
import { kernelSwitches } from '../lib/nn/backend/switches.js';
import { nativeGemmNote, nativeSgemm } from '../lib/nn/backend/native-gemm.js';
import { makeBatch } from '../lib/seq2seq/data.js';
import { createRnnSeq2Seq, disposeEncoded, disposeState } from '../lib/seq2seq/rnn.js';
import type { Seq2SeqModel } from '../lib/seq2seq/model.js';
import { mulberry32 } from '../lib/random/mulberry32.js';
import { relativeDifference } from '../testkit/finite-differences.js';

t.before(async () => {
  await selectBackend('wasm');
});

const skip = nativeSgemm() ? false : nativeGemmNote();

const randn = (n: number, seed: number, scale = 1): Float32Array => {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
};

/** Rows of lengths 6, 2, 1 and 4: the batch pads every row but the first. */
const rows = [
  { src: Int32Array.of(4, 5, 6, 7, 8, 9), tgt: Int32Array.of(4, 5, 6, 7) },
  { src: Int32Array.of(10, 11), tgt: Int32Array.of(8) },
  { src: Int32Array.of(12), tgt: Int32Array.of(9, 10) },
  { src: Int32Array.of(13, 5, 12, 4), tgt: Int32Array.of(10, 4, 5) },
];

function model(dropout: number): Seq2SeqModel {
  const m = createRnnSeq2Seq({ arch: 'rnn', srcVocab: 14, tgtVocab: 11, embed: 6, hidden: 8, attention: 'general', dropout, seed: 3 });
  m.params.forEach((p, i) => p.assign(tf.tensor(randn(p.size, 40 + i, 0.6), p.shape)));
  return m;
}

function withHeap<T>(on: boolean, f: () => T): T {
  kernelSwitches.lstmSequence = on;
  try {
    return f();
  } finally {
    kernelSwitches.lstmSequence = true;
  }
}

t.test('training: the loss and every gradient equal the per-step ops', { skip }, async (t) => {
  // Dropout on: its masks are seeded, so the two paths draw the same ones.
  const m = model(0.3);
  const batch = makeBatch(rows.map((r) => r.src), rows.map((r) => r.tgt));
  const run = (on: boolean) =>
    withHeap(on, () => {
      const before = tf.memory().numTensors;
      const { value, grads } = tf.variableGrads(() => m.trainLoss(batch, 7), m.params);
      const out = { loss: value.dataSync()[0]!, grads: m.params.map((p) => grads[p.name]!.dataSync().slice() as Float32Array) };
      tf.dispose([value, ...Object.values(grads)]);
      return { ...out, leaked: tf.memory().numTensors - before };
    });
  const heap = run(true);
  const ops = run(false);
  t.equal(heap.leaked, 0, 'no tensor left behind');
  t.ok(Math.abs(heap.loss - ops.loss) <= 1e-5 * Math.abs(ops.loss), `loss ${heap.loss} vs ${ops.loss}`);
  m.paramNames.forEach((name, i) => {
    const d = relativeDifference(heap.grads[i]!, ops.grads[i]!);
    t.ok(d <= 1e-5, `gradient of ${name}: relative difference ${d.toExponential(2)}`);
  });
  // The encoder's weights do get a gradient (the heap path is not cut off from the loss).
  const fwdWh = m.paramNames.indexOf('enc_bwd_wh');
  t.ok(heap.grads[fwdWh]!.some((g) => g !== 0), 'the backward direction\'s recurrent weights get a gradient');
  tf.dispose(m.params);
});

t.test('inference: scores, memory at real positions and the start state equal the per-step ops; padding changes nothing', { skip }, async (t) => {
  const m = model(0);
  const batch = makeBatch(rows.map((r) => r.src), rows.map((r) => r.tgt));
  const encoded = (on: boolean) =>
    withHeap(on, () => {
      const { enc, state } = m.encode(batch.src, batch.srcLen, batch.B, batch.S);
      const e = enc as unknown as { memory: tf.Tensor3D };
      const st = state as unknown as { h: tf.Tensor2D };
      const memory = e.memory.dataSync().slice() as Float32Array;
      const h0 = st.h.dataSync().slice() as Float32Array;
      disposeEncoded(enc);
      disposeState(state);
      return { memory, h0, score: m.score(batch), positions: m.positionLogProbs(batch) };
    });
  const heap = encoded(true);
  const ops = encoded(false);
  const kernels = async (on: boolean): Promise<number> => {
    kernelSwitches.lstmSequence = on;
    const n = (await tf.profile(() => {
      const { enc, state } = m.encode(batch.src, batch.srcLen, batch.B, batch.S);
      disposeEncoded(enc);
      disposeState(state);
    })).kernels.length;
    kernelSwitches.lstmSequence = true;
    return n;
  };
  const [kHeap, kOps] = [await kernels(true), await kernels(false)];
  t.ok(kHeap < kOps / 2, `the heap path ran (${kHeap} kernels to encode, against ${kOps} with per-step ops)`);
  t.ok(relativeDifference(heap.positions, ops.positions) <= 1e-5, 'per-position log-probabilities');
  t.ok(Math.abs(heap.score.logProb - ops.score.logProb) <= 1e-5 * Math.abs(ops.score.logProb), `log-prob ${heap.score.logProb} vs ${ops.score.logProb}`);
  t.ok(relativeDifference(heap.h0, ops.h0) <= 1e-5, 'the decoder starts from the same state (the forward direction picked at each row\'s last real token)');
  const H = 8;
  const real: number[][] = [[], []];
  batch.srcLen.forEach((n, b) => {
    for (let s = 0; s < n; s++)
      for (let k = 0; k < H; k++) {
        const i = (b * batch.S + s) * H + k;
        real[0]!.push(heap.memory[i]!);
        real[1]!.push(ops.memory[i]!);
      }
  });
  t.ok(relativeDifference(real[0]!, real[1]!) <= 1e-5, 'the attention memory at every real source position');
  withHeap(true, () => {
    const alone = rows.map((r) => m.score(makeBatch([r.src], [r.tgt])));
    const sum = alone.reduce((s, a) => s + a.logProb, 0);
    t.ok(Math.abs(heap.score.logProb - sum) <= 1e-4, `the padded batch scores ${heap.score.logProb}, its rows alone ${sum}`);
  });
  tf.dispose(m.params);
});
