// Layer normalization's gradients (lib/nn/layer-norm.ts; Ba, Kiros & Hinton
// 2016) against central differences of its definition in float64.

import t from 'tap';
import { selectBackend, tf } from '../lib/nn/backend/index.js';
import { layerNorm } from '../lib/nn/layer-norm.js';
import { centralDifferences, relativeDifference, uniformValues } from '../testkit/finite-differences.js';

const [N, D] = [3, 5];

/** Σ r ⊙ (g·(x − μ)/√(σ² + 1e−5) + b), μ and σ² (biased) over each row, in float64. */
function normLoss(x: ArrayLike<number>, g: ArrayLike<number>, b: ArrayLike<number>, r: Float32Array): number {
  let loss = 0;
  for (let i = 0; i < N; i++) {
    let mu = 0;
    for (let j = 0; j < D; j++) mu += x[i * D + j]! / D;
    let v = 0;
    for (let j = 0; j < D; j++) v += (x[i * D + j]! - mu) ** 2 / D;
    for (let j = 0; j < D; j++) loss += r[i * D + j]! * (g[j]! * ((x[i * D + j]! - mu) / Math.sqrt(v + 1e-5)) + b[j]!);
  }
  return loss;
}

for (const backend of ['wasm', 'cpu'] as const)
  t.test(`${backend}: d/dx, d/dgain, d/dbias match central differences of the float64 definition`, async (t) => {
    await selectBackend(backend);
    const x = uniformValues(N * D, 1, -2, 2);
    const g = uniformValues(D, 2, 0.5, 1.5);
    const b = uniformValues(D, 3);
    const r = uniformValues(N * D, 4);
    const vars = [tf.variable(tf.tensor2d(x, [N, D])), tf.variable(tf.tensor1d(g)), tf.variable(tf.tensor1d(b))];
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(layerNorm(vars[0] as tf.Tensor2D, vars[1]!, vars[2]!), tf.tensor2d(r, [N, D]))) as tf.Scalar, vars);
    const want = normLoss(x, g, b, r);
    t.ok(Math.abs(value.dataSync()[0]! - want) <= 1e-5 * Math.max(1, Math.abs(want)), `value ${value.dataSync()[0]} vs ${want}`);
    const fd = [centralDifferences((v) => normLoss(v, g, b, r), x), centralDifferences((v) => normLoss(x, v, b, r), g), centralDifferences((v) => normLoss(x, g, v, r), b)];
    ['x', 'gain', 'bias'].forEach((name, i) => {
      const d = relativeDifference(grads[vars[i]!.name]!.dataSync(), fd[i]!);
      t.ok(d <= 2e-5, `d/d${name}: relative difference ${d}`);
    });
    tf.dispose([value, ...Object.values(grads), ...vars]);
  });
