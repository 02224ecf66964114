// The wasm backend with lexflow's kernels (scatter-add, transpose-first
// matMul) must compute the same gradients as the stock cpu backend.

import t from 'tap';
import { tf, selectBackend, patchKernels } from '../lib/nn/backend/index.js';
import { scatterAdd } from '../lib/nn/backend/scatter-add.js';
import { createModel } from '../stages/lm-neural/create.js';
import { disposeModel, type Arch, type Batch, type ModelConfig } from '../stages/lm-neural/model.js';

function config(arch: Arch): ModelConfig {
  return { arch, vocab: 23, embed: 8, hidden: arch === 'transformer' ? 16 : 8, layers: 2, heads: 2, context: arch === 'window' ? 3 : 6, dropout: 0, tie: arch === 'lstm', seed: 5 };
}

function batch(arch: Arch): Batch {
  const B = 3;
  const T = arch === 'window' ? 3 : 6;
  const inputs = Int32Array.from({ length: B * T }, (_, i) => (i * 7 + 3) % 23);
  const targets = Int32Array.from({ length: arch === 'window' ? B : B * T }, (_, i) => (i * 5 + 1) % 23);
  return { inputs, targets, B, T };
}

async function gradients(backend: 'cpu' | 'wasm', arch: Arch): Promise<{ loss: number; grads: Float32Array[] }> {
  await selectBackend(backend);
  const model = createModel(config(arch));
  const { value, grads } = tf.variableGrads(() => model.trainLoss(batch(arch), 1), model.params);
  const out = { loss: value.dataSync()[0]!, grads: model.params.map((p) => grads[p.name]!.dataSync().slice() as Float32Array) };
  value.dispose();
  Object.values(grads).forEach((g) => g.dispose());
  disposeModel(model);
  return out;
}

t.test('scatter-add sums rows into their segments and drops out-of-range ids', async (t) => {
  const out = new Float32Array(6);
  scatterAdd(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), Int32Array.from([2, 0, 2, 9]), 3, out);
  t.same([...out], [3, 4, 0, 0, 6, 8]);
});

t.test('scatter-add kernel gives the gradient of gather on both backends', async (t) => {
  patchKernels();
  for (const b of ['cpu', 'wasm'] as const) {
    await selectBackend(b);
    const table = tf.variable(tf.tensor2d([[1, 2], [3, 4], [5, 6]]));
    const g = tf.variableGrads(() => tf.sum(tf.mul(tf.gather(table, tf.tensor1d([2, 0, 2], 'int32')), tf.tensor2d([[1, 10], [100, 1000], [2, 20]]))), [table]);
    t.same([...g.grads[table.name]!.dataSync()], [100, 1000, 0, 0, 3, 30], `${b}: d/dtable`);
    table.dispose();
  }
});

t.test('transpose-first matMul on wasm equals the plain product', async (t) => {
  await selectBackend('wasm');
  const a = tf.tensor2d([[1, 2, 3], [4, 5, 6]]); // (2, 3)
  const b = tf.tensor2d([[1, 0], [2, 1], [0, 3]]); // (3, 2)
  t.same([...tf.matMul(a, b).dataSync()], [5, 11, 14, 23]);
  t.same([...tf.matMul(a.transpose(), b.transpose(), true, true).dataSync()], [5, 11, 14, 23], 'both transposed');
  t.same([...tf.matMul(a, b.transpose(), false, true).dataSync()], [5, 11, 14, 23], 'b transposed');
  t.same([...tf.matMul(a.transpose(), b, true, false).dataSync()], [5, 11, 14, 23], 'a transposed');
});

for (const arch of ['window', 'lstm', 'transformer'] as const) {
  t.test(`${arch}: wasm gradients match cpu within 1e-5`, async (t) => {
    const cpu = await gradients('cpu', arch);
    const wasm = await gradients('wasm', arch);
    t.ok(Math.abs(cpu.loss - wasm.loss) < 1e-5, `loss ${cpu.loss} vs ${wasm.loss}`);
    t.ok(Math.abs(cpu.loss - Math.log(23)) < 0.5, 'an untrained model is near uniform');
    let worst = 0;
    let nonzero = 0;
    cpu.grads.forEach((g, i) => {
      for (let j = 0; j < g.length; j++) {
        worst = Math.max(worst, Math.abs(g[j]! - wasm.grads[i]![j]!));
        if (g[j] !== 0) nonzero++;
      }
    });
    t.ok(worst < 1e-5, `largest difference ${worst}`);
    t.ok(nonzero > 100, `gradients are not trivially zero (${nonzero} nonzero)`);
  });
}
