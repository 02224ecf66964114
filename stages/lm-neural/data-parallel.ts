// Data-parallel training over the worker pool (--data-parallel, lib/nn/data-parallel.ts):
// the batch rows are split across the pool's threads, each shard's mean loss
// weighted by its share of the rows. The LSTM's carried state is split by the
// same rows (lib/nn/data-parallel.ts hands each shard its rows and stitches them back).

import type { Pool } from '../../pipeline/pool.js';
import type { BackendChoice, tf } from '../../lib/nn/backend/index.js';
import { dataParallelGradientsWith, shardGradientsWith, type GradientShard } from '../../lib/nn/data-parallel.js';
import { createModel } from './create.js';
import type { Batch, ModelConfig, NeuralLM } from './model.js';
import { TASKS } from './tasks.js';

export type ShardTask = GradientShard<ModelConfig, Batch>;

/** Worker side: gradients of one shard of a batch (grad.task.ts). */
export const shardGradients = shardGradientsWith<ModelConfig, Batch>(createModel);

/** Main side: a `gradients` function for train() that spreads each batch over the pool. */
export function dataParallelGradients(pool: Pool, model: NeuralLM, backend: BackendChoice): (batch: Batch, seed: number) => Promise<{ loss: number; grads: tf.Tensor[] }> {
  // Window batches are [B, n−1] contexts with B targets; sequence batches are [B, T] both.
  const targetWidth = model.config.arch === 'window' ? 1 : undefined;
  return dataParallelGradientsWith(pool, model, backend, TASKS.grad, (batch, threads) => {
    const parts = Math.min(threads, batch.B);
    const w = targetWidth ?? batch.T;
    return Array.from({ length: parts }, (_, k) => {
      const r0 = Math.floor((k * batch.B) / parts);
      const r1 = Math.floor(((k + 1) * batch.B) / parts);
      // Every row has the same number of targets, so the batch mean is the row-weighted mean of shard means.
      return { batch: { inputs: batch.inputs.slice(r0 * batch.T, r1 * batch.T), targets: batch.targets.slice(r0 * w, r1 * w), B: r1 - r0, T: batch.T }, weight: (r1 - r0) / batch.B, rows: [r0, r1] as [number, number] };
    });
  });
}
