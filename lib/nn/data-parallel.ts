// Data-parallel training over the worker pool: each step the main thread
// publishes the weights in one SharedArrayBuffer and splits the batch into
// shards, one per pool thread; each worker computes the gradients of its shard
// and returns them as one transferred Float32Array (loss appended), and the
// main thread averages them, each shard weighted by its share of the batch's
// loss (rows, or target tokens), before its optimizer step.
//
// A model that carries state across batches (the LSTM's truncated BPTT) has it
// split by batch rows: each shard takes its rows of the state in with the task
// and hands back its final state after the gradient pass, and the main thread
// stitches the rows together again. A row's recurrence never looks at another
// row, so this is the state one thread would carry.

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
  /**
   * For a model with carried state: this shard's rows of each state array
   * (empty: start from zero state). Absent for a model without state.
   */
  state?: Float32Array[];
}

/**
 * A batch cut into `parts` shards; `weight` is each shard's share of the batch's
 * mean loss (Σ = 1); `rows` its batch rows [r0, r1), needed for a model with carried state.
 */
export type ShardSplitter<B> = (batch: B, parts: number) => { batch: B; weight: number; rows?: [number, number] }[];

/**
 * A worker's reply, one Float32Array so that it is transferred, not cloned:
 * gradients in parameter order, the loss, then (for a model with state) the
 * number of state arrays, their lengths, and their values.
 */
function packReply(grads: Float32Array[], total: number, loss: number, state: Float32Array[] | undefined): Float32Array {
  const stateLen = state ? 1 + state.length + state.reduce((s, a) => s + a.length, 0) : 0;
  const flat = new Float32Array(total + 1 + stateLen);
  let off = 0;
  for (const g of grads) flat.set(g, (off += g.length) - g.length);
  flat[off++] = loss;
  if (state) {
    flat[off++] = state.length;
    for (const a of state) flat[off++] = a.length;
    for (const a of state) flat.set(a, (off += a.length) - a.length);
  }
  return flat;
}

/** The state arrays of a reply packed by packReply (views into it). */
function unpackState(reply: Float32Array, total: number): Float32Array[] {
  let off = total + 1;
  if (off >= reply.length) return [];
  const n = reply[off++]!;
  const lengths = Array.from({ length: n }, () => reply[off++]!);
  return lengths.map((len) => reply.subarray(off, (off += len)));
}

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
    // The replica serves every shard in turn: its state is always the task's.
    if (task.state) {
      if (task.state.length) model.setState!(task.state);
      else model.resetState!();
    }
    const { value, grads } = tf.variableGrads(() => model.trainLoss(task.batch, task.seed), model.params);
    const loss = value.dataSync()[0]!;
    let state: Float32Array[] | undefined;
    if (task.state) {
      model.commitState!();
      state = model.getState!();
    }
    const flat = packReply(
      model.params.map((p) => grads[p.name]!.dataSync() as Float32Array),
      off,
      loss,
      state,
    );
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
  const stateful = !!(model.commitState && model.getState && model.setState && model.resetState);
  let stateRows = 0; // the batch rows the model's carried state was stitched from
  return async (batch, seed) => {
    let off = 0;
    for (const p of model.params) {
      view.set(p.dataSync() as Float32Array, off);
      off += p.size;
    }
    const shards = split(batch, pool.threads);
    const rowsOf = (s: (typeof shards)[number]): [number, number] => {
      if (!s.rows) throw new Error('data-parallel: a model with carried state needs the shards\' batch rows');
      return s.rows;
    };
    const batchRows = stateful ? rowsOf(shards.at(-1)!)[1] : 0;
    // As in one thread, a state carried from a batch of another size is not used. A
    // state this function did not stitch (restored from a checkpoint) is taken to be
    // of this batch's rows if each array divides into them.
    const carried = stateful ? model.getState!() : [];
    const fits = stateRows === batchRows || (stateRows === 0 && carried.every((a) => a.length % batchRows === 0));
    const state = carried.length && fits ? carried : [];
    const results = await Promise.all(
      shards.map((s, k) => {
        const task: GradientShard<C, B> = { config: model.config, backend, weights: shared, batch: s.batch, seed: mixSeed(seed, k) };
        if (stateful) {
          const [r0, r1] = rowsOf(s);
          task.state = state.map((a) => {
            const width = a.length / batchRows;
            return a.slice(r0 * width, r1 * width);
          });
        }
        const moved = task.state?.map((a) => a.buffer as ArrayBuffer);
        return pool.run<Float32Array>(taskUrl, task, moved).then((g) => ({ grads: g, loss: g[total]!, weight: s.weight }));
      }),
    );
    if (stateful) {
      // The model's next state: each array is the shards' rows in order. The
      // train loop's commitState() after the step then has nothing pending.
      const parts = results.map((r) => unpackState(r.grads, total));
      const next = parts[0]!.map((_, a) => {
        const out = new Float32Array(parts.reduce((n, p) => n + p[a]!.length, 0));
        let o = 0;
        for (const p of parts) out.set(p[a]!, (o += p[a]!.length) - p[a]!.length);
        return out;
      });
      model.setState!(next);
      stateRows = batchRows;
    }
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
