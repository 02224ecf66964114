// Layer normalization's gradients (lib/nn/layer-norm.ts; Ba, Kiros & Hinton
// 2016) against central differences of its definition in float64, and on wasm its
// heap path against the tfjs ops it replaces.

import t from 'tap';
import { selectBackend, tf } from '../lib/nn/backend/index.js';
import { layerNorm } from '../lib/nn/layer-norm.js';
import { kernelSwitches } from '../lib/nn/backend/switches.js';
import { centralDifferences, relativeDifference, uniformValues } from '../testkit/finite-differences.js';

/** Σ r ⊙ (g·(x − μ)/√(σ² + 1e−5) + b), μ and σ² (biased) over each row, in float64. */
function normLoss(x: ArrayLike<number>, g: ArrayLike<number>, b: ArrayLike<number>, r: Float32Array, N: number, D: number): number {
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

// D 8: on wasm the SIMD kernels (wasm-layer-norm.ts); D 5: the JS loops they fall back to.
for (const [backend, N, D] of [['wasm', 3, 8], ['wasm', 3, 5], ['cpu', 3, 5]] as const)
  t.test(`${backend}, rows of ${D}: d/dx, d/dgain, d/dbias match central differences of the float64 definition`, async (t) => {
    await selectBackend(backend);
    const x = uniformValues(N * D, 1, -2, 2);
    const g = uniformValues(D, 2, 0.5, 1.5);
    const b = uniformValues(D, 3);
    const r = uniformValues(N * D, 4);
    const vars = [tf.variable(tf.tensor2d(x, [N, D])), tf.variable(tf.tensor1d(g)), tf.variable(tf.tensor1d(b))];
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(layerNorm(vars[0] as tf.Tensor2D, vars[1]!, vars[2]!), tf.tensor2d(r, [N, D]))) as tf.Scalar, vars);
    const want = normLoss(x, g, b, r, N, D);
    t.ok(Math.abs(value.dataSync()[0]! - want) <= 1e-5 * Math.max(1, Math.abs(want)), `value ${value.dataSync()[0]} vs ${want}`);
    const fd = [centralDifferences((v) => normLoss(v, g, b, r, N, D), x), centralDifferences((v) => normLoss(x, v, b, r, N, D), g), centralDifferences((v) => normLoss(x, g, v, r, N, D), b)];
    ['x', 'gain', 'bias'].forEach((name, i) => {
      const d = relativeDifference(grads[vars[i]!.name]!.dataSync(), fd[i]!);
      t.ok(d <= 2e-5, `d/d${name}: relative difference ${d}`);
    });
    tf.dispose([value, ...Object.values(grads), ...vars]);
  });

for (const d of [24, 23])
  t.test(`wasm, rows of ${d}: the heap path (backend/heap-layer-norm.ts) gives the tfjs ops' value and gradients, leaving no tensor behind`, async (t) => {
    await selectBackend('wasm');
    const n = 37;
    const vars = [tf.variable(tf.tensor2d(uniformValues(n * d, 5, -3, 3), [n, d])), tf.variable(tf.tensor1d(uniformValues(d, 6, 0.5, 1.5))), tf.variable(tf.tensor1d(uniformValues(d, 7)))];
    const r = tf.tensor2d(uniformValues(n * d, 8), [n, d]);
    const run = (on: boolean) => {
      kernelSwitches.fusedLayerNorm = on;
      const before = tf.memory().numTensors;
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(layerNorm(vars[0] as tf.Tensor2D, vars[1]!, vars[2]!), r)) as tf.Scalar, vars);
      const out = { value: value.dataSync()[0]!, grads: vars.map((v) => grads[v.name]!.dataSync().slice()) };
      tf.dispose([value, ...Object.values(grads)]);
      kernelSwitches.fusedLayerNorm = true;
      return { ...out, leaked: tf.memory().numTensors - before };
    };
    const heap = run(true);
    const ops = run(false);
    t.equal(heap.leaked, 0, 'no tensor left behind');
    t.ok(Math.abs(heap.value - ops.value) <= 1e-5 * Math.abs(ops.value), `value ${heap.value} vs ${ops.value}`);
    ['x', 'gain', 'bias'].forEach((name, i) => {
      const diff = relativeDifference(heap.grads[i]!, ops.grads[i]!);
      t.ok(diff <= 1e-5, `d/d${name}: relative difference ${diff}`);
    });
    const count = async (on: boolean): Promise<number> => {
      kernelSwitches.fusedLayerNorm = on;
      const k = (await tf.profile(() => void tf.dispose(layerNorm(vars[0] as tf.Tensor2D, vars[1]!, vars[2]!)))).kernels.length;
      kernelSwitches.fusedLayerNorm = true;
      return k;
    };
    const [kHeap, kOps] = [await count(true), await count(false)];
    t.ok(kHeap < kOps, `the heap path ran (${kHeap} tfjs kernels forward, against ${kOps})`);
    tf.dispose([...vars, r]);
  });
