// Parameters as plain tf.Variables (so checkpoints, data-parallel weight
// sharing and tied embeddings need no framework), setting them from arrays
// without a leak, and the two tensor helpers every model uses: seeded dropout
// and embedding lookup.

import { tf } from './backend/index.js';

let paramCounter = 0;

/** A trainable parameter made from an initial array (tfjs wants globally unique variable names). */
export function makeParam(name: string, shape: number[], values: Float32Array): tf.Variable {
  return tf.variable(tf.tensor(values, shape, 'float32'), true, `lexflow_${name}_${paramCounter++}`);
}

/** Dropout on `x` with a fixed seed, or `x` itself when rate is 0. */
/**
 * Set each variable to the matching array (its shape). assign() shares the new
 * tensor's data, so the tensors are made inside tf.tidy: made outside, each call
 * leaks a copy of the values (a data-parallel worker hit the wasm heap's 4 GB
 * after ~60 steps that way).
 */
export function assignArrays(vars: readonly tf.Variable[], arrays: readonly Float32Array[]): void {
  tf.tidy(() => vars.forEach((v, i) => v.assign(tf.tensor(arrays[i]!, v.shape))));
}

export function dropout<T extends tf.Tensor>(x: T, rate: number, seed: number): T {
  return rate > 0 ? (tf.dropout(x, rate, undefined, seed) as T) : x;
}

/** Gather rows of an embedding matrix: ids [n] -> [n, E]. Its gradient is UnsortedSegmentSum (lexflow's scatter-add). */
export function embed(table: tf.Tensor, ids: Int32Array): tf.Tensor2D {
  return tf.gather(table, tf.tensor1d(ids, 'int32')) as tf.Tensor2D;
}

/** A model's parameters in a fixed order with stable names (the checkpoint and artifact layout). */
export interface ParamSet {
  readonly params: tf.Variable[];
  readonly paramNames: string[];
}
