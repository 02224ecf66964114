// Adam on wasm as one SIMD pass per parameter (lib/nn/backend/wasm-adam.ts):
// the same parameters and moments as the tfjs-ops path after several steps
// (sizes with a remainder after whole vectors included), and the update of
// Kingma & Ba's Algorithm 1 computed in float64.

import t from 'tap';
import { selectBackend, tf } from '../lib/nn/backend/index.js';
import { kernelSwitches } from '../lib/nn/backend/switches.js';
import { Optimizer } from '../lib/nn/optimizer.js';
import { relativeDifference, uniformValues } from '../testkit/finite-differences.js';

const shapes = [[3, 5], [10002], [8, 4], [1]];

function run(fused: boolean, steps: number): { params: Float32Array[]; slots: Float32Array[] } {
  kernelSwitches.fusedAdam = fused;
  const params = shapes.map((s, k) => tf.variable(tf.tensor(uniformValues(s.reduce((a, b) => a * b, 1), 1 + k), s)));
  const o = new Optimizer('adam', params);
  for (let step = 0; step < steps; step++) {
    const grads = shapes.map((s, k) => tf.tensor(uniformValues(s.reduce((a, b) => a * b, 1), 100 * step + k, -2, 2), s));
    o.apply(grads, 0.01);
    tf.dispose(grads);
  }
  kernelSwitches.fusedAdam = true;
  const out = { params: params.map((p) => p.dataSync().slice() as Float32Array), slots: o.getState().slots };
  o.dispose();
  params.forEach((p) => p.dispose());
  return out;
}

t.test('5 steps: the same parameters and moments as the tfjs ops, and as float64', async (t) => {
  await selectBackend('wasm');
  const fused = run(true, 5);
  const ops = run(false, 5);
  fused.params.forEach((p, i) => t.ok(relativeDifference(p, ops.params[i]!) <= 1e-6, `param ${shapes[i]}: ${relativeDifference(p, ops.params[i]!)}`));
  fused.slots.forEach((s, i) => t.ok(relativeDifference(s, ops.slots[i]!) <= 1e-6, `slot ${i}: ${relativeDifference(s, ops.slots[i]!)}`));
  // Algorithm 1 in float64 for the parameter of shape [3, 5].
  const n = 15;
  const p = Float64Array.from(uniformValues(n, 1));
  const m = new Float64Array(n);
  const v = new Float64Array(n);
  const [b1, b2, eps, lr] = [0.9, 0.999, 1e-8, 0.01];
  for (let step = 1; step <= 5; step++) {
    const g = uniformValues(n, 100 * (step - 1), -2, 2);
    for (let i = 0; i < n; i++) {
      m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
      v[i] = b2 * v[i]! + (1 - b2) * g[i]! ** 2;
      p[i]! -= (lr * (m[i]! / (1 - b1 ** step))) / (Math.sqrt(v[i]! / (1 - b2 ** step)) + eps);
    }
  }
  t.ok(relativeDifference(fused.params[0]!, p) <= 1e-5, `float64 Algorithm 1: ${relativeDifference(fused.params[0]!, p)}`);
});
