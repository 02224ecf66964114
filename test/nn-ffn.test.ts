// GELU (lib/nn/ffn.ts; Hendrycks & Gimpel 2016, tanh approximation) and its
// gradient against the formula in float64 and its central differences: on wasm
// with the SIMD kernel (lib/nn/backend/wasm-gelu.ts) and with tfjs's ops, and on cpu.

import t from 'tap';
import { selectBackend, tf } from '../lib/nn/backend/index.js';
import { kernelSwitches } from '../lib/nn/backend/switches.js';
import { gelu } from '../lib/nn/ffn.js';
import { centralDifferences, relativeDifference, uniformValues } from '../testkit/finite-differences.js';

const geluDefinition = (x: number): number => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));

for (const [backend, fused] of [
  ['wasm', true],
  ['wasm', false],
  ['cpu', false],
] as const)
  t.test(`${backend}${backend === 'wasm' ? (fused ? ', SIMD kernel' : ', tfjs ops') : ''}: values and gradient match the float64 formula`, async (t) => {
    await selectBackend(backend);
    kernelSwitches.fusedGelu = fused;
    t.teardown(() => void (kernelSwitches.fusedGelu = true));
    const xs = uniformValues(64, 9, -6, 6);
    const r = uniformValues(64, 10);
    const x = tf.variable(tf.tensor1d(xs));
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(gelu(x), tf.tensor1d(r))) as tf.Scalar, [x]);
    const y = tf.tidy(() => gelu(x)).dataSync();
    t.ok(relativeDifference(y, Array.from(xs, geluDefinition)) <= 1e-6, `values: ${relativeDifference(y, Array.from(xs, geluDefinition))}`);
    const fd = centralDifferences((v) => v.reduce((s, xi, i) => s + r[i]! * geluDefinition(xi), 0), xs);
    t.ok(relativeDifference(grads[x.name]!.dataSync(), fd) <= 1e-5, `gradient: ${relativeDifference(grads[x.name]!.dataSync(), fd)}`);
    tf.dispose([value, ...Object.values(grads), x]);
  });
