// The output layer's loss (lib/nn/loss.ts softmaxCrossEntropyWithBias, on wasm the
// SIMD kernels of lib/nn/backend/wasm-softmax-xent.ts) against its definition
// written in float64: the value, the label log-probabilities, and the gradients
// by central differences; and against the tfjs-ops path it replaces.

import t from 'tap';
import { selectBackend, tf } from '../lib/nn/backend/index.js';
import { kernelSwitches } from '../lib/nn/backend/switches.js';
import { labelLogProbsWithBias, softmaxCrossEntropyWithBias } from '../lib/nn/loss.js';
import { centralDifferences, relativeDifference, uniformValues } from '../testkit/finite-differences.js';

/** The definition: Σ_i w_i·[(1 − ε)(ln Z_i − x_i,y_i) + ε(ln Z_i − mean_v x_iv)] / max(Σ w, 1), x = z + b, in float64. */
function lossDefinition(z: ArrayLike<number>, b: ArrayLike<number>, N: number, V: number, labels: Int32Array, w: Float32Array, eps: number): number {
  let total = 0;
  let wsum = 0;
  for (let i = 0; i < N; i++) {
    let m = -Infinity;
    for (let j = 0; j < V; j++) m = Math.max(m, z[i * V + j]! + b[j]!);
    let s = 0;
    let xs = 0;
    for (let j = 0; j < V; j++) {
      s += Math.exp(z[i * V + j]! + b[j]! - m);
      xs += z[i * V + j]! + b[j]!;
    }
    const logZ = m + Math.log(s);
    const nll = logZ - (z[i * V + labels[i]!]! + b[labels[i]!]!);
    total += w[i]! * ((1 - eps) * nll + eps * (logZ - xs / V));
    wsum += w[i]!;
  }
  return total / Math.max(wsum, 1);
}

function withFused<T>(on: boolean, f: () => T): T {
  const was = kernelSwitches.fusedSoftmaxXent;
  kernelSwitches.fusedSoftmaxXent = on;
  try {
    return f();
  } finally {
    kernelSwitches.fusedSoftmaxXent = was;
  }
}

/** Loss ×2 (so that the incoming gradient is not 1) and its gradients in z and b. */
function lossAndGrads(on: boolean, z: tf.Variable, b: tf.Variable, labels: Int32Array, w: Float32Array, eps: number) {
  return withFused(on, () => {
    const { value, grads } = tf.variableGrads(() => tf.mul(softmaxCrossEntropyWithBias(z as tf.Tensor2D, b as tf.Tensor1D, labels, w, eps), 2) as tf.Scalar, [z, b]);
    const out = { loss: value.dataSync()[0]! / 2, gz: grads[z.name]!.dataSync().slice(), gb: grads[b.name]!.dataSync().slice() };
    tf.dispose([value, ...Object.values(grads)]);
    return out;
  });
}

t.before(async () => {
  await selectBackend('wasm');
});

// V = 13 leaves a tail of 1 after whole vectors; V = 16 none; smoothing on and off; weights with a padded row.
for (const [N, V, eps] of [
  [4, 13, 0],
  [4, 13, 0.1],
  [3, 16, 0],
  [5, 7, 0.2],
] as const) {
  t.test(`N ${N}, V ${V}, smoothing ${eps}: value and gradients match the float64 definition`, async (t) => {
    const zv = uniformValues(N * V, 11 + V, -4, 4);
    const bv = uniformValues(V, 12 + V, -1, 1);
    const labels = Int32Array.from({ length: N }, (_, i) => (i * 5 + 2) % V);
    const w = Float32Array.from({ length: N }, (_, i) => (i === 1 ? 0 : 1));
    const z = tf.variable(tf.tensor2d(zv, [N, V]));
    const b = tf.variable(tf.tensor1d(bv));
    const want = lossDefinition(zv, bv, N, V, labels, w, eps);
    const wantGz = centralDifferences((x) => lossDefinition(x, bv, N, V, labels, w, eps), zv).map((g) => 2 * g);
    const wantGb = centralDifferences((x) => lossDefinition(zv, x, N, V, labels, w, eps), bv).map((g) => 2 * g);
    const fused = lossAndGrads(true, z, b, labels, w, eps);
    const ops = lossAndGrads(false, z, b, labels, w, eps);
    t.ok(Math.abs(fused.loss - want) <= 1e-6 * want, `loss ${fused.loss} vs ${want}`);
    t.ok(relativeDifference(fused.gz, wantGz) <= 1e-5, `dz: ${relativeDifference(fused.gz, wantGz)}`);
    t.ok(relativeDifference(fused.gb, wantGb) <= 1e-5, `db: ${relativeDifference(fused.gb, wantGb)}`);
    t.ok(fused.gz.subarray(V, 2 * V).every((g) => g === 0), 'the padded row has no gradient');
    t.ok(Math.abs(fused.loss - ops.loss) <= 1e-5 * ops.loss, `vs the tfjs ops: loss ${fused.loss} vs ${ops.loss}`);
    t.ok(relativeDifference(fused.gz, ops.gz) <= 1e-5, `vs the tfjs ops: dz ${relativeDifference(fused.gz, ops.gz)}`);
    t.ok(relativeDifference(fused.gb, ops.gb) <= 1e-5, `vs the tfjs ops: db ${relativeDifference(fused.gb, ops.gb)}`);
    tf.dispose([z, b]);
  });
}

t.test('a vocabulary-sized row: value, gradient and label log-probabilities match float64', async (t) => {
  const [N, V] = [6, 10001];
  const zv = uniformValues(N * V, 21, -6, 6);
  const bv = uniformValues(V, 22, -2, 2);
  const labels = Int32Array.from([0, 10000, 17, 4096, 9999, 3]);
  const w = new Float32Array(N).fill(1);
  const z = tf.variable(tf.tensor2d(zv, [N, V]));
  const b = tf.variable(tf.tensor1d(bv));
  const fused = lossAndGrads(true, z, b, labels, w, 0);
  const want = lossDefinition(zv, bv, N, V, labels, w, 0);
  t.ok(Math.abs(fused.loss - want) <= 1e-6 * want, `loss ${fused.loss} vs ${want}`);
  // The analytic gradient in float64: (softmax − onehot)·2/N.
  const gz = new Float64Array(N * V);
  const lp = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let m = -Infinity;
    for (let j = 0; j < V; j++) m = Math.max(m, zv[i * V + j]! + bv[j]!);
    let s = 0;
    for (let j = 0; j < V; j++) s += Math.exp(zv[i * V + j]! + bv[j]! - m);
    const logZ = m + Math.log(s);
    for (let j = 0; j < V; j++) gz[i * V + j] = (2 / N) * (Math.exp(zv[i * V + j]! + bv[j]! - logZ) - (j === labels[i] ? 1 : 0));
    lp[i] = zv[i * V + labels[i]!]! + bv[labels[i]!]! - logZ;
  }
  t.ok(relativeDifference(fused.gz, gz) <= 1e-5, `dz: ${relativeDifference(fused.gz, gz)}`);
  const got = withFused(true, () => labelLogProbsWithBias(z as tf.Tensor2D, b as tf.Tensor1D, labels));
  t.ok(relativeDifference(got, lp) <= 1e-6, `label log-probabilities: ${relativeDifference(got, lp)}`);
  tf.dispose([z, b]);
});

t.test('extreme scores: a masked entry gets probability 0 and nothing is NaN', async (t) => {
  const V = 9;
  const zv = Float32Array.from([80, -80, 0, 3, -1e9, 2, 1, 0, 50]);
  const bv = new Float32Array(V);
  const labels = Int32Array.from([8]);
  const w = Float32Array.from([1]);
  const z = tf.variable(tf.tensor2d(zv, [1, V]));
  const b = tf.variable(tf.tensor1d(bv));
  const fused = lossAndGrads(true, z, b, labels, w, 0);
  const want = lossDefinition(zv, bv, 1, V, labels, w, 0);
  t.ok(Math.abs(fused.loss - want) <= 1e-5 * want, `loss ${fused.loss} vs ${want}`);
  t.ok([...fused.gz, ...fused.gb].every(Number.isFinite), 'all gradients finite');
  t.ok(Math.abs(fused.gz[4]!) < 1e-30, `masked entry's gradient ${fused.gz[4]}`);
  t.ok(Math.abs(fused.gz[0]! - 2) < 1e-5 && Math.abs(fused.gz[8]! + 2) < 1e-5, `the dominant entry takes the gradient: ${fused.gz[0]}, label ${fused.gz[8]}`);
  tf.dispose([z, b]);
});

t.test('the fused kernels leave no tensors behind', async (t) => {
  const z = tf.variable(tf.tensor2d(uniformValues(40, 3), [4, 10]));
  const b = tf.variable(tf.tensor1d(uniformValues(10, 4)));
  const labels = Int32Array.from([1, 2, 3, 4]);
  lossAndGrads(true, z, b, labels, new Float32Array(4).fill(1), 0);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) lossAndGrads(true, z, b, labels, new Float32Array(4).fill(1), 0.1);
  withFused(true, () => labelLogProbsWithBias(z as tf.Tensor2D, b as tf.Tensor1D, labels));
  t.equal(tf.memory().numTensors, before);
  // The loss alone, no gradient taken: the exp(x − max) it keeps for one goes with the scope.
  const bytes = tf.memory().numBytes;
  const value = withFused(true, () => tf.tidy(() => softmaxCrossEntropyWithBias(z as tf.Tensor2D, b as tf.Tensor1D, labels).dataSync()[0]!));
  t.ok(Number.isFinite(value), `loss without a gradient: ${value}`);
  t.equal(tf.memory().numTensors, before, 'no tensor left without a gradient');
  t.equal(tf.memory().numBytes, bytes, 'nor any bytes');
  tf.dispose([z, b]);
});
