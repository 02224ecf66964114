// Data-parallel training over the worker pool (--data-parallel): each step the
// main thread publishes the weights in one SharedArrayBuffer, splits the batch
// rows across the pool's threads, each worker computes the gradients of its
// rows and returns them as one transferred Float32Array, and the main thread
// averages them (weighted by rows) before its optimizer step. Only for models
// without carried state (window, transformer).

import { Piscina } from 'piscina';
import type { Pool } from '../../pipeline/pool.js';
import { selectBackend, tf, type BackendChoice } from './backend/index.js';
import { createModel } from './create.js';
import type { Batch, ModelConfig, NeuralLM } from './model.js';
import { mixSeed } from './random.js';
import { TASKS } from './tasks.js';

export interface ShardTask {
  config: ModelConfig;
  backend: BackendChoice;
  weights: SharedArrayBuffer;
  inputs: Int32Array;
  targets: Int32Array;
  B: number;
  T: number;
  seed: number;
}

let replica: { key: string; model: NeuralLM } | undefined;

/** Worker side: gradients of one shard of a batch, flattened in parameter order, with the loss appended (one transferred array). */
export async function shardGradients(task: ShardTask): Promise<Float32Array> {
  await selectBackend(task.backend);
  const key = JSON.stringify(task.config);
  if (replica?.key !== key) replica = { key, model: createModel(task.config) };
  const { model } = replica;
  const all = new Float32Array(task.weights);
  let off = 0;
  for (const p of model.params) {
    p.assign(tf.tensor(all.subarray(off, off + p.size), p.shape));
    off += p.size;
  }
  const { value, grads } = tf.variableGrads(() => model.trainLoss({ inputs: task.inputs, targets: task.targets, B: task.B, T: task.T }, task.seed), model.params);
  const loss = value.dataSync()[0]!;
  const flat = new Float32Array(off + 1);
  off = 0;
  for (const p of model.params) {
    flat.set(grads[p.name]!.dataSync() as Float32Array, off);
    off += p.size;
  }
  flat[off] = loss;
  tf.dispose([value, ...Object.values(grads)]);
  return Piscina.move(flat) as unknown as Float32Array;
}

/** Main side: a `gradients` function for train() that spreads each batch over the pool. */
export function dataParallelGradients(pool: Pool, model: NeuralLM, backend: BackendChoice): (batch: Batch, seed: number) => Promise<{ loss: number; grads: tf.Tensor[] }> {
  if (model.config.arch === 'lstm') throw new Error('data-parallel training needs a model without carried state');
  const total = model.params.reduce((s, p) => s + p.size, 0);
  const shared = new SharedArrayBuffer(total * 4);
  const view = new Float32Array(shared);
  return async (batch, seed) => {
    let off = 0;
    for (const p of model.params) {
      view.set(p.dataSync() as Float32Array, off);
      off += p.size;
    }
    const parts = Math.min(pool.threads, batch.B);
    // Window batches are [B, n−1] contexts with B targets; sequence batches are [B, T] both.
    const targetWidth = model.config.arch === 'window' ? 1 : batch.T;
    const tasks = Array.from({ length: parts }, (_, k) => {
      const r0 = Math.floor((k * batch.B) / parts);
      const r1 = Math.floor(((k + 1) * batch.B) / parts);
      const task: ShardTask = {
        config: model.config,
        backend,
        weights: shared,
        inputs: batch.inputs.slice(r0 * batch.T, r1 * batch.T),
        targets: batch.targets.slice(r0 * targetWidth, r1 * targetWidth),
        B: r1 - r0,
        T: batch.T,
        seed: mixSeed(seed, k),
      };
      return pool.run<Float32Array>(TASKS.grad, task).then((g) => ({ grads: g, loss: g[total]!, rows: r1 - r0 }));
    });
    const results = await Promise.all(tasks);
    // Every row has the same number of targets, so the batch mean is the row-weighted mean of shard means.
    const sum = new Float32Array(total);
    let loss = 0;
    for (const r of results) {
      const w = r.rows / batch.B;
      loss += w * r.loss;
      for (let i = 0; i < total; i++) sum[i]! += w * r.grads[i]!;
    }
    off = 0;
    const grads = model.params.map((p) => {
      const g = tf.tensor(sum.subarray(off, off + p.size), p.shape);
      off += p.size;
      return g;
    });
    return { loss, grads };
  };
}
