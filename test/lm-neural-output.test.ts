// The class-factored softmax (stages/lm-neural/output.ts) against a hand-worked
// example and against its own full distribution, its gradients against those of
// the full distribution's loss, the LSTM's restart at <s>, and the LSTM's inference
// on the heap (wasm-lstm-sequence.ts) against its per-step ops.

import t from 'tap';
import { tf, selectBackend } from '../lib/nn/backend/index.js';
import { classLayout, createOutputLayer } from '../lib/nn/output.js';
import { createModel } from '../stages/lm-neural/create.js';
import { disposeModel } from '../stages/lm-neural/model.js';
import { mulberry32 } from '../lib/random/mulberry32.js';
import { BOS, EOS } from '../lib/formats/tokens.js';
import { kernelSwitches } from '../lib/nn/backend/switches.js';
import { nativeGemmNote, nativeSgemm } from '../lib/nn/backend/native-gemm.js';
import { relativeDifference } from '../testkit/finite-differences.js';

t.before(async () => {
  await selectBackend('wasm');
});

const randn = (n: number, seed: number, scale = 1): Float32Array => {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
};

t.test('class layout: C classes of S slots cover V with less than one class to spare', async (t) => {
  t.same(classLayout(10000, 0), { C: 100, S: 100 });
  t.same(classLayout(10, 0), { C: 4, S: 3 }); // ⌈√10⌉ = 4 classes wanted, 3 slots each
  t.same(classLayout(7, 3), { C: 3, S: 3 });
  for (const [v, c] of [[10, 0], [7, 3], [9999, 0], [5, 5], [50, 7]] as const) {
    const { C, S } = classLayout(v, c);
    t.ok(C * S >= v && (C - 1) * S < v, `V ${v}: ${C} × ${S}`);
  }
});

t.test('class softmax, hand-worked: p(w) = p(class) · p(w | class)', async (t) => {
  // V 4, 2 classes of 2, H 1, h = 1. Class logits (0, ln 3): p(c0) = 1/4, p(c1) = 3/4.
  // Class 0 word logits (0, ln 2): 1/3, 2/3; class 1 (0, 0): 1/2, 1/2.
  const layer = createOutputLayer({ kind: 'class', vocab: 4, hidden: 1, classes: 2, init: (_n, count) => new Float32Array(count) });
  const [cw, , ww] = layer.params;
  cw!.assign(tf.tensor2d([[0, Math.log(3)]]));
  ww!.assign(tf.tensor3d([[[0, Math.log(2)]], [[0, 0]]]));
  const h = tf.tensor2d([[1], [1], [1], [1]]);
  const lp = layer.labelLogProbs(h, Int32Array.from([0, 1, 2, 3]));
  const want = [1 / 12, 2 / 12, 3 / 8, 3 / 8];
  for (let i = 0; i < 4; i++) t.ok(Math.abs(Math.exp(lp[i]!) - want[i]!) < 1e-6, `p(w${i}) = ${Math.exp(lp[i]!)}, want ${want[i]}`);
  const full = tf.tidy(() => tf.exp(layer.logits(h.slice([0, 0], [1, 1])))).dataSync();
  t.same(Array.from(full, (x) => Math.round(x * 1e6) / 1e6), want.map((x) => Math.round(x * 1e6) / 1e6));
  // Weighted mean loss: rows 0 and 2 counted.
  const loss = layer.loss(h, Int32Array.from([0, 1, 2, 3]), Float32Array.from([1, 0, 1, 0])).dataSync()[0]!;
  t.ok(Math.abs(loss - -(Math.log(1 / 12) + Math.log(3 / 8)) / 2) < 1e-5, `loss ${loss}`);
  h.dispose();
  tf.dispose(layer.params);
});

t.test('class softmax with padded slots: a distribution over exactly V types; scores agree with it', async (t) => {
  const V = 23; // 5 classes of 5: two padded slots
  const H = 6;
  const N = 40;
  let k = 0;
  const layer = createOutputLayer({ kind: 'class', vocab: V, hidden: H, classes: 0, init: (_n, count) => randn(count, 100 + k++, 0.8) });
  layer.params[1]!.assign(tf.tensor1d(randn(5, 7)));
  layer.params[3]!.assign(tf.tensor2d(randn(25, 8), [5, 5]));
  const h = tf.tensor2d(randn(N * H, 9), [N, H]);
  const targets = Int32Array.from({ length: N }, (_, i) => (i * 7) % V);
  const full = tf.tidy(() => layer.logits(h));
  t.same(full.shape, [N, V]);
  const rows = full.arraySync() as number[][];
  for (const row of rows) t.ok(Math.abs(row.reduce((s, x) => s + Math.exp(x), 0) - 1) < 1e-5, 'row sums to 1');
  const lp = layer.labelLogProbs(h, targets);
  let worst = 0;
  for (let i = 0; i < N; i++) worst = Math.max(worst, Math.abs(lp[i]! - rows[i]![targets[i]!]!));
  t.ok(worst < 1e-5, `label log-probs match the full distribution (max diff ${worst})`);
  full.dispose();

  // Gradients: the grouped-by-class loss against −mean log p read off the full distribution.
  const viaLoss = tf.variableGrads(() => layer.loss(h, targets), layer.params as tf.Variable[]);
  const idx = tf.tensor1d(Int32Array.from(targets, (w, i) => i * V + w), 'int32');
  const viaFull = tf.variableGrads(() => tf.neg(tf.mean(tf.gather(tf.reshape(layer.logits(h), [-1]), idx))) as tf.Scalar, layer.params as tf.Variable[]);
  t.ok(Math.abs(viaLoss.value.dataSync()[0]! - viaFull.value.dataSync()[0]!) < 1e-5, 'same loss');
  for (const p of layer.params) {
    const a = viaLoss.grads[p.name]!.dataSync();
    const b = viaFull.grads[p.name]!.dataSync();
    let d = 0;
    for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
    t.ok(d < 1e-5, `gradient of ${p.name.split('_').slice(1, 3).join('_')}: max diff ${d}`);
  }
  tf.dispose([h, idx, viaLoss.value, viaFull.value, ...Object.values(viaLoss.grads), ...Object.values(viaFull.grads)]);
  tf.dispose(layer.params);
});

t.test('lstm: a sentence in the middle of a row scores as it does alone (the state restarts at <s>)', async (t) => {
  const m = createModel({ arch: 'lstm', vocab: 12, embed: 8, hidden: 8, layers: 2, heads: 1, context: 8, dropout: 0, tie: false, softmax: 'class', seed: 4 });
  m.params.forEach((p, i) => p.assign(tf.tensor(randn(p.size, 50 + i, 1.5), p.shape))); // large weights: outputs depend on the history
  const s1 = [5, 6, 7, 8];
  const s2 = [9, 10, 4];
  const inputs = Int32Array.from([BOS, ...s1, BOS, ...s2]);
  const targets = Int32Array.from([...s1, EOS, ...s2, EOS]);
  const both = m.scoreSequences(inputs, 1, inputs.length, targets);
  const alone = m.scoreSequences(Int32Array.from([BOS, ...s2]), 1, s2.length + 1, Int32Array.from([...s2, EOS]));
  t.ok(Math.abs(both[1]! - both[2]!) > 1e-3, 'scores vary with the history');
  for (let i = 0; i < alone.length; i++) t.ok(Math.abs(both[s1.length + 1 + i]! - alone[i]!) < 1e-6, `position ${i}: ${both[s1.length + 1 + i]} vs ${alone[i]}`);
  const other = m.scoreSequences(Int32Array.from([BOS, 9, 9, 9, 9, BOS, ...s2]), 1, inputs.length, targets);
  t.ok(Math.abs(other[s1.length + 1]! - both[s1.length + 1]!) < 1e-6, 'a different first sentence changes nothing after <s>');
  disposeModel(m);
});

/** A small 2-layer LSTM LM with random weights, and a [3, 7] batch with <s> at different steps in each row (the state restarts there) and one row without. */
function heapLstmCase(softmax: 'full' | 'class', dropout: number, seed: number, scale: number) {
  const m = createModel({ arch: 'lstm', vocab: 14, embed: 8, hidden: 12, layers: 2, heads: 1, context: 8, dropout, tie: false, softmax, seed });
  m.params.forEach((p, i) => p.assign(tf.tensor(randn(p.size, 10 * seed + 20 + i, scale), p.shape)));
  const B = 3;
  const T = 7;
  const inputs = Int32Array.from([BOS, 5, 6, BOS, 7, 8, 9, 4, 5, 6, 7, 8, 9, 10, 11, 12, BOS, 4, 4, BOS, 13]);
  const targets = Int32Array.from({ length: B * T }, (_, i) => 4 + ((i * seed) % 10));
  return { m, B, T, inputs, targets };
}

t.test('lstm inference over the whole sequence on the heap equals the per-step ops', { skip: nativeSgemm() ? false : nativeGemmNote() }, async (t) => {
  const { m, B, T, inputs, targets } = heapLstmCase('full', 0, 5, 1.2);
  const run = async (on: boolean) => {
    kernelSwitches.lstmSequence = on;
    const scores = m.scoreSequences(inputs, B, T, targets);
    const lg = m.logits(inputs, B, T);
    const logits = lg.dataSync().slice();
    lg.dispose();
    const kernels = (await tf.profile(() => void tf.dispose(m.logits(inputs, B, T)))).kernels.length;
    kernelSwitches.lstmSequence = true;
    return { scores, logits, kernels };
  };
  const heap = await run(true);
  const ops = await run(false);
  t.ok(relativeDifference(heap.scores, ops.scores) <= 1e-5, 'scoreSequences');
  t.ok(relativeDifference(heap.logits, ops.logits) <= 1e-5, 'logits');
  t.ok(heap.kernels < ops.kernels / 4, `the heap path ran (${heap.kernels} kernels, against ${ops.kernels} with per-step ops)`);
  disposeModel(m);
});

t.test('lstm training over the whole sequence on the heap: the loss and every gradient equal the per-step ops', { skip: nativeSgemm() ? false : nativeGemmNote() }, async (t) => {
  // Dropout on: its masks between the layers are seeded, so the two paths draw the same ones.
  const { m, B, T, inputs, targets } = heapLstmCase('class', 0.3, 3, 0.8);
  const run = (on: boolean) => {
    kernelSwitches.lstmSequence = on;
    m.resetState?.();
    const before = tf.memory().numTensors;
    const out: { loss: number; grads: Float32Array[] }[] = [];
    // Two batches: the second starts from the state the first carried over.
    for (let k = 0; k < 2; k++) {
      const { value, grads } = tf.variableGrads(() => m.trainLoss({ inputs, targets, B, T }, k), m.params);
      out.push({ loss: value.dataSync()[0]!, grads: m.params.map((p) => grads[p.name]!.dataSync().slice() as Float32Array) });
      tf.dispose([value, ...Object.values(grads)]);
      m.commitState?.();
    }
    m.resetState?.();
    kernelSwitches.lstmSequence = true;
    return { out, leaked: tf.memory().numTensors - before };
  };
  const heap = run(true);
  const ops = run(false);
  t.equal(heap.leaked, 0, 'no tensor left behind');
  for (let k = 0; k < 2; k++) {
    t.ok(Math.abs(heap.out[k]!.loss - ops.out[k]!.loss) <= 1e-5 * Math.abs(ops.out[k]!.loss), `batch ${k}: loss ${heap.out[k]!.loss} vs ${ops.out[k]!.loss}`);
    m.paramNames.forEach((name, i) => t.ok(relativeDifference(heap.out[k]!.grads[i]!, ops.out[k]!.grads[i]!) <= 1e-5, `batch ${k}: gradient of ${name}`));
  }
  disposeModel(m);
});

t.test('class softmax: the grouped product on the heap gives the per-class matMuls\' loss and gradients', { skip: nativeSgemm() ? false : nativeGemmNote() }, async (t) => {
  const V = 47; // 7 classes of 7, two padded slots; a batch touching some classes, not all
  const H = 9;
  const N = 30;
  const layer = createOutputLayer({ kind: 'class', vocab: V, hidden: H, classes: 0, init: (n, count) => randn(count, n.length + count, 0.7) });
  const h = tf.tensor2d(randn(N * H, 31, 1), [N, H]);
  const targets = Int32Array.from({ length: N }, (_, i) => (i * 17) % 40); // ids below 40: the last class is never a target
  const weights = Float32Array.from({ length: N }, (_, i) => (i % 5 === 4 ? 0 : 1));
  const run = (on: boolean) => {
    kernelSwitches.groupedMatMul = on;
    const { value, grads } = tf.variableGrads(() => layer.loss(h, targets, weights), layer.params);
    const dh = tf.grad((x: tf.Tensor) => layer.loss(x as tf.Tensor2D, targets, weights))(h);
    const lp = layer.labelLogProbs(h, targets);
    const out = { loss: value.dataSync()[0]!, grads: layer.params.map((p) => grads[p.name]!.dataSync().slice()), dh: dh.dataSync().slice(), lp };
    tf.dispose([value, dh, ...Object.values(grads)]);
    kernelSwitches.groupedMatMul = true;
    return out;
  };
  const heap = run(true);
  const ops = run(false);
  t.ok(Math.abs(heap.loss - ops.loss) <= 1e-6 * Math.abs(ops.loss), `loss ${heap.loss} vs ${ops.loss}`);
  t.ok(relativeDifference(heap.dh, ops.dh) <= 1e-5, 'gradient of h');
  ['class_w', 'class_b', 'word_w', 'word_b'].forEach((name, i) => t.ok(relativeDifference(heap.grads[i]!, ops.grads[i]!) <= 1e-5, `gradient of ${name}`));
  t.ok(heap.grads[2]!.subarray(6 * H * 7).every((g) => g === 0), 'the class no target is in gets no word-weight gradient');
  t.ok(relativeDifference(heap.lp, ops.lp) <= 1e-6, 'labelLogProbs');
  h.dispose();
  tf.dispose(layer.params);
});
