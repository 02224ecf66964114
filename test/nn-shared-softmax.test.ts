// The full softmax on the shared memory (lib/nn/backend/shared-softmax.ts, its
// row passes split over two threads by row-helper.ts) against the loss written
// out in float64 with central differences for h, W and b; against the fused loss
// on the tfjs heap that it replaces; the same bytes with and without the helper
// thread; and nothing held once a gradient is taken or not.

import t from 'tap';
import { selectBackend, tf } from '../lib/nn/backend/index.js';
import { nativeGemmNote, nativeSgemm } from '../lib/nn/backend/native-gemm.js';
import { rowHelper } from '../lib/nn/backend/row-helper.js';
import { sharedLabelLogProbs, sharedSoftmaxAvailable, sharedSoftmaxLoss } from '../lib/nn/backend/shared-softmax.js';
import { kernelSwitches } from '../lib/nn/backend/switches.js';
import { softmaxRowStats } from '../lib/nn/backend/wasm-softmax-xent.js';
import { labelLogProbsWithBias, softmaxCrossEntropyWithBias } from '../lib/nn/loss.js';
import { centralDifferences, relativeDifference, uniformValues } from '../testkit/finite-differences.js';

/** Σ_i w_i·[(1 − ε)(ln Z_i − x_i,y_i) + ε(ln Z_i − mean_v x_iv)] / max(Σ w, 1) with x = h·W + b (W [H, V], or [V, H] used transposed), in float64. */
function lossDefinition(h: ArrayLike<number>, W: ArrayLike<number>, b: ArrayLike<number>, N: number, H: number, V: number, tied: boolean, labels: Int32Array, w: Float32Array, eps: number): number {
  let total = 0;
  let wsum = 0;
  const x = new Float64Array(V);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < V; j++) {
      let s = b[j]!;
      for (let k = 0; k < H; k++) s += h[i * H + k]! * (tied ? W[j * H + k]! : W[k * V + j]!);
      x[j] = s;
    }
    const m = Math.max(...x);
    let s = 0;
    let xs = 0;
    for (let j = 0; j < V; j++) {
      s += Math.exp(x[j]! - m);
      xs += x[j]!;
    }
    const logZ = m + Math.log(s);
    total += w[i]! * ((1 - eps) * (logZ - x[labels[i]!]!) + eps * (logZ - xs / V));
    wsum += w[i]!;
  }
  return total / Math.max(wsum, 1);
}

function withSwitches<T>(shared: boolean, thread: boolean, f: () => T): T {
  const was = [kernelSwitches.sharedSoftmax, kernelSwitches.rowHelperThread];
  kernelSwitches.sharedSoftmax = shared;
  kernelSwitches.rowHelperThread = thread;
  try {
    return f();
  } finally {
    [kernelSwitches.sharedSoftmax, kernelSwitches.rowHelperThread] = was as [boolean, boolean];
  }
}

/** Loss ×2 (so that the incoming gradient is not 1) and its gradients, on the shared path or (shared false) the fused loss over a tfjs matMul. */
function lossAndGrads(shared: boolean, thread: boolean, h: tf.Variable, W: tf.Variable, b: tf.Variable, tied: boolean, labels: Int32Array, w: Float32Array, eps: number) {
  return withSwitches(shared, thread, () => {
    const f = (): tf.Scalar => {
      const loss = shared
        ? sharedSoftmaxLoss(h as tf.Tensor2D, { w: W as tf.Tensor2D, transposed: tied }, b as tf.Tensor1D, labels, w, eps)
        : softmaxCrossEntropyWithBias(tf.matMul(h as tf.Tensor2D, W as tf.Tensor2D, false, tied), b as tf.Tensor1D, labels, w, eps);
      return tf.mul(loss, 2) as tf.Scalar;
    };
    const { value, grads } = tf.variableGrads(f, [h, W, b]);
    const out = { loss: value.dataSync()[0]! / 2, gh: grads[h.name]!.dataSync().slice(), gW: grads[W.name]!.dataSync().slice(), gb: grads[b.name]!.dataSync().slice() };
    tf.dispose([value, ...Object.values(grads)]);
    return out;
  });
}

t.before(async () => {
  await selectBackend('wasm');
});

const skip = nativeSgemm() ? false : nativeGemmNote();

t.test('the row helper: both threads give the bytes of one, and of the kernel on the tfjs heap', { skip }, async (t) => {
  const helper = rowHelper()!;
  // Every split through the helper thread here, however small.
  const threshold = helper.minThreadedFloats;
  helper.minThreadedFloats = 0;
  t.teardown(() => void (helper.minThreadedFloats = threshold));
  for (const [N, V] of [[37, 1003], [1, 9], [2, 16]] as const) {
    const zv = uniformValues(N * V, 5 + V, -8, 8);
    const bv = uniformValues(V, 6 + V, -1, 1);
    const stats = (thread: boolean): Float32Array =>
      withSwitches(true, thread, () => {
        const base = helper.alloc(N * V * 4 + V * 4 + N * 12);
        helper.f32(base, N * V).set(zv);
        helper.f32(base + N * V * 4, V).set(bv);
        helper.split('rowStats', N, V, (from, count) => [base + from * V * 4, base + N * V * 4, count, V, base + N * V * 4 + V * 4 + from * 12, 0]);
        const out = helper.f32(base + N * V * 4 + V * 4, 3 * N).slice();
        helper.free(base);
        return out;
      });
    const z = tf.tensor2d(zv, [N, V]);
    const b = tf.tensor1d(bv);
    const backend = tf.backend() as unknown as { typedArrayFromHeap(t: tf.TensorInfo): Float32Array; disposeData(id: object): void };
    const { stats: info } = softmaxRowStats(backend, z, b);
    const heap = backend.typedArrayFromHeap(info).slice();
    backend.disposeData(info.dataId);
    tf.dispose([z, b]);
    t.same(stats(true), heap, `N ${N}, V ${V}: two threads`);
    t.same(stats(false), heap, `N ${N}, V ${V}: one thread`);
  }
  t.equal(helper.heldBytes(), 0, 'every region freed');
});

t.test('the row helper: many tiny splits in a row hand over and back without a lost wake-up', { skip }, async (t) => {
  const helper = rowHelper()!;
  const threshold = helper.minThreadedFloats;
  helper.minThreadedFloats = 0;
  t.teardown(() => void (helper.minThreadedFloats = threshold));
  const [N, V] = [2, 16];
  const base = helper.alloc(N * V * 4 + V * 4 + N * 12);
  helper.f32(base, N * V + V).fill(0);
  for (let r = 0; r < 20000; r++) helper.split('rowStats', N, V, (from, count) => [base + from * V * 4, base + N * V * 4, count, V, base + N * V * 4 + V * 4 + from * 12, 0]);
  // max 0, Σ exp(0) = V, Σ x = 0 in each row.
  t.same([...helper.f32(base + N * V * 4 + V * 4, 3 * N)], [0, V, 0, 0, V, 0]);
  helper.free(base);
});

// V = 13 leaves a tail of 1 after whole vectors; tied weights; smoothing; a padded row.
for (const [N, H, V, tied, eps] of [
  [5, 6, 13, false, 0],
  [5, 6, 13, true, 0.1],
  [4, 8, 16, false, 0.2],
] as const) {
  t.test(`N ${N}, H ${H}, V ${V}${tied ? ', tied' : ''}, smoothing ${eps}: value and gradients match the float64 definition`, { skip }, async (t) => {
    t.ok(sharedSoftmaxAvailable(), 'the shared path runs here');
    const hv = uniformValues(N * H, 31 + V, -1, 1);
    const Wv = uniformValues(H * V, 32 + V, -1, 1);
    const bv = uniformValues(V, 33 + V, -0.5, 0.5);
    const labels = Int32Array.from({ length: N }, (_, i) => (i * 5 + 2) % V);
    const w = Float32Array.from({ length: N }, (_, i) => (i === 1 ? 0 : 1));
    const h = tf.variable(tf.tensor2d(hv, [N, H]));
    const W = tf.variable(tf.tensor2d(Wv, tied ? [V, H] : [H, V]));
    const b = tf.variable(tf.tensor1d(bv));
    const def = (hh: ArrayLike<number>, WW: ArrayLike<number>, bb: ArrayLike<number>): number => lossDefinition(hh, WW, bb, N, H, V, tied, labels, w, eps);
    const want = def(hv, Wv, bv);
    const got = lossAndGrads(true, true, h, W, b, tied, labels, w, eps);
    t.ok(Math.abs(got.loss - want) <= 1e-6 * want, `loss ${got.loss} vs ${want}`);
    const gh = centralDifferences((x) => def(x, Wv, bv), hv).map((g) => 2 * g);
    const gW = centralDifferences((x) => def(hv, x, bv), Wv).map((g) => 2 * g);
    const gb = centralDifferences((x) => def(hv, Wv, x), bv).map((g) => 2 * g);
    t.ok(relativeDifference(got.gh, gh) <= 1e-5, `dh: ${relativeDifference(got.gh, gh)}`);
    t.ok(relativeDifference(got.gW, gW) <= 1e-5, `dW: ${relativeDifference(got.gW, gW)}`);
    t.ok(relativeDifference(got.gb, gb) <= 1e-5, `db: ${relativeDifference(got.gb, gb)}`);
    t.ok(got.gh.subarray(H, 2 * H).every((g) => g === 0), 'the padded row has no gradient');
    tf.dispose([h, W, b]);
  });
}

t.test('a batch of the LM bench: the fused loss on the tfjs heap, the same bytes with or without the helper thread, nothing held', { skip }, async (t) => {
  const [N, H, V] = [70, 40, 10002];
  const h = tf.variable(tf.tensor2d(uniformValues(N * H, 41, -1, 1), [N, H]));
  const W = tf.variable(tf.tensor2d(uniformValues(H * V, 42, -0.3, 0.3), [H, V]));
  const b = tf.variable(tf.tensor1d(uniformValues(V, 43, -0.2, 0.2)));
  const labels = Int32Array.from({ length: N }, (_, i) => (i * 7919) % V);
  const w = new Float32Array(N).fill(1);
  const heap = lossAndGrads(false, false, h, W, b, false, labels, w, 0.1);
  const two = lossAndGrads(true, true, h, W, b, false, labels, w, 0.1);
  const one = lossAndGrads(true, false, h, W, b, false, labels, w, 0.1);
  t.ok(Math.abs(two.loss - heap.loss) <= 1e-6 * heap.loss, `loss ${two.loss} vs ${heap.loss}`);
  for (const k of ['gh', 'gW', 'gb'] as const) {
    t.ok(relativeDifference(two[k], heap[k]) <= 1e-5, `${k}: ${relativeDifference(two[k], heap[k])}`);
    t.same(two[k], one[k], `${k}: one thread gives the same bytes`);
  }
  t.equal(two.loss, one.loss, 'and the same loss');
  const lp = withSwitches(true, true, () => sharedLabelLogProbs(h as tf.Tensor2D, { w: W as tf.Tensor2D, transposed: false }, b as tf.Tensor1D, labels));
  const lpHeap = withSwitches(false, false, () => tf.tidy(() => labelLogProbsWithBias(tf.matMul(h as tf.Tensor2D, W as tf.Tensor2D), b as tf.Tensor1D, labels)));
  t.ok(relativeDifference(lp, lpHeap) <= 1e-6, `label log-probabilities: ${relativeDifference(lp, lpHeap)}`);

  const helper = rowHelper()!;
  t.equal(helper.heldBytes(), 0, 'no region held after a gradient');
  const before = tf.memory().numTensors;
  const value = withSwitches(true, true, () => tf.tidy(() => sharedSoftmaxLoss(h as tf.Tensor2D, { w: W as tf.Tensor2D, transposed: false }, b as tf.Tensor1D, labels).dataSync()[0]!));
  t.ok(Math.abs(value - heap.loss) < 0.1, `the loss without a gradient: ${value}`);
  t.equal(helper.heldBytes(), 0, 'nor after a loss taken without one');
  t.equal(tf.memory().numTensors, before, 'and no tensor left');
  tf.dispose([h, W, b]);
});
