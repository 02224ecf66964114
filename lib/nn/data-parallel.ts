// Data-parallel training over the worker pool: each step the main thread
// publishes the weights in one SharedArrayBuffer and splits the batch into
// shards, one per pool thread; each worker computes the gradients of its shard
// and returns them as one transferred Float32Array (loss appended), and the
// main thread averages them, each shard weighted by its share of the batch's
// loss (rows, or target tokens), before its optimizer step. Only for models
// without state carried across batches.

import { Piscina } from 'piscina';
import type { Pool } from '../../pipeline/pool.js';
import { selectBackend, tf, type BackendChoice } from './backend/index.js';
import { assignArrays } from './params.js';
import { mixSeed } from './random.js';
import type { TrainableModel } from './train-loop.js';

/** One shard of a batch, as a worker receives it. */
export interface GradientShard<C, B> {
  config: C;
  backend: BackendChoice;
  weights: SharedArrayBuffer;
  batch: B;
  seed: number;
}

/** A batch cut into `parts` shards; `weight` is each shard's share of the batch's mean loss (Σ = 1). */
export type ShardSplitter<B> = (batch: B, parts: number) => { batch: B; weight: number }[];

/**
 * Worker side: a task function computing one shard's gradients, flattened in
 * parameter order, with the loss appended. The worker keeps one replica per
 * configuration and loads the published weights into it each step.
 */
export function shardGradientsWith<C, B>(create: (config: C) => TrainableModel<B>): (task: GradientShard<C, B>) => Promise<Float32Array> {
  let replica: { key: string; model: TrainableModel<B> } | undefined;
  return async (task) => {
    await selectBackend(task.backend);
    const key = JSON.stringify(task.config);
    if (replica?.key !== key) replica = { key, model: create(task.config) };
    const { model } = replica;
    const all = new Float32Array(task.weights);
    let off = 0;
    assignArrays(
      model.params,
      model.params.map((p) => all.subarray(off, (off += p.size))),
    );
    const { value, grads } = tf.variableGrads(() => model.trainLoss(task.batch, task.seed), model.params);
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
  };
}

/** Main side: a `gradients` function for lib/nn's train loop that spreads each batch over the pool's task `taskUrl`. */
export function dataParallelGradientsWith<C, B>(
  pool: Pool,
  model: TrainableModel<B> & { readonly config: C },
  backend: BackendChoice,
  taskUrl: string,
  split: ShardSplitter<B>,
): (batch: B, seed: number) => Promise<{ loss: number; grads: tf.Tensor[] }> {
  const total = model.params.reduce((s, p) => s + p.size, 0);
  const shared = new SharedArrayBuffer(total * 4);
  const view = new Float32Array(shared);
  return async (batch, seed) => {
    let off = 0;
    for (const p of model.params) {
      view.set(p.dataSync() as Float32Array, off);
      off += p.size;
    }
    const shards = split(batch, pool.threads);
    const results = await Promise.all(
      shards.map((s, k) => {
        const task: GradientShard<C, B> = { config: model.config, backend, weights: shared, batch: s.batch, seed: mixSeed(seed, k) };
        return pool.run<Float32Array>(taskUrl, task).then((g) => ({ grads: g, loss: g[total]!, weight: s.weight }));
      }),
    );
    // The batch's mean loss is the weighted mean of the shards' means; so are its gradients.
    const sum = new Float32Array(total);
    let loss = 0;
    for (const r of results) {
      loss += r.weight * r.loss;
      for (let i = 0; i < total; i++) sum[i]! += r.weight * r.grads[i]!;
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
