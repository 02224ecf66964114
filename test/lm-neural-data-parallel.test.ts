// --data-parallel: gradients averaged over the pool's shards equal the
// gradients of the whole batch computed in one thread.

import t from 'tap';
import { tf, selectBackend } from '../lib/nn/backend/index.js';
import { createModel } from '../stages/lm-neural/create.js';
import { dataParallelGradients } from '../stages/lm-neural/data-parallel.js';
import { disposeModel, type Batch, type ModelConfig } from '../stages/lm-neural/model.js';
import { createPool } from '../pipeline/pool.js';
import { largestGradientDifference } from '../testkit/gradients.js';

const pool = createPool(2);
t.teardown(() => pool.destroy());

for (const arch of ['window', 'transformer'] as const) {
  t.test(`${arch}: data-parallel gradients match one thread within 1e-5`, async (t) => {
    await selectBackend('wasm');
    const cfg: ModelConfig = { arch, vocab: 17, embed: 8, hidden: 16, layers: 1, heads: 2, context: arch === 'window' ? 3 : 6, dropout: 0, tie: false, seed: 4 };
    const model = createModel(cfg);
    const B = 5;
    const T = cfg.context;
    const batch: Batch = {
      inputs: Int32Array.from({ length: B * T }, (_, i) => (i * 7 + 1) % 17),
      targets: Int32Array.from({ length: arch === 'window' ? B : B * T }, (_, i) => (i * 5 + 2) % 17),
      B,
      T,
    };
    const { value, grads } = tf.variableGrads(() => model.trainLoss(batch, 1), model.params);
    const dp = await dataParallelGradients(pool, model, 'wasm')(batch, 1);
    t.ok(Math.abs(value.dataSync()[0]! - dp.loss) < 1e-5, `loss ${value.dataSync()[0]} vs ${dp.loss}`);
    const worst = largestGradientDifference(model.params, grads, dp.grads);
    t.ok(worst < 1e-5, `largest difference ${worst}`);
    tf.dispose([value, ...Object.values(grads), ...dp.grads]);
    disposeModel(model);
  });
}
