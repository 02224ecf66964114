// Parameters as plain tf.Variables (so checkpoints, data-parallel weight
// sharing and tied embeddings need no framework), setting them from arrays
// without a leak, and the two tensor helpers every model uses: seeded dropout
// and embedding lookup.

import { tf } from './backend/index.js';
import { fillMulberry32 } from '../random/mulberry32.js';

let paramCounter = 0;

/** A trainable parameter made from an initial array (tfjs wants globally unique variable names). */
export function makeParam(name: string, shape: number[], values: Float32Array): tf.Variable {
  return tf.variable(tf.tensor(values, shape, 'float32'), true, `lexflow_${name}_${paramCounter++}`);
}

/**
 * Set each variable to the matching array (its shape). assign() shares the new
 * tensor's data, so the tensors are made inside tf.tidy: made outside, each call
 * leaks a copy of the values (a data-parallel worker hit the wasm heap's 4 GB
 * after ~60 steps that way).
 */
export function assignArrays(vars: readonly tf.Variable[], arrays: readonly Float32Array[]): void {
  tf.tidy(() => vars.forEach((v, i) => v.assign(tf.tensor(arrays[i]!, v.shape))));
}

/**
 * Inverted dropout (Srivastava et al. 2014) on `x` with a fixed seed, or `x` itself
 * when rate is 0: each entry kept with probability 1 − rate and scaled by 1/(1 − rate),
 * as tf.dropout does. The mask is drawn here from mulberry32 into a typed array, one
 * tensor and one multiply: tf.dropout draws its uniforms in JS through seedrandom's
 * alea and then runs four ops over them.
 */
export function dropout<T extends tf.Tensor>(x: T, rate: number, seed: number): T {
  if (!(rate > 0)) return x;
  const scale = 1 / (1 - rate);
  // u ≥ rate for u = draw / 2^32, compared on the integers.
  const cut = rate * 4294967296;
  if (maskScratch.draws.length < x.size) maskScratch = { draws: new Uint32Array(x.size), mask: new Float32Array(x.size) };
  const draws = fillMulberry32(seed, maskScratch.draws.subarray(0, x.size));
  const mask = maskScratch.mask.subarray(0, x.size);
  // Branch-free: a random 20% branch mispredicted enough to triple the loop's time.
  for (let i = 0; i < mask.length; i++) mask[i] = +(draws[i]! >= cut) * scale;
  // tf.tensor copies the values, so the scratch is reused (fresh arrays per call cost GC time: 3x the whole call).
  return tf.mul(x, tf.tensor(mask, x.shape, 'float32')) as T;
}

let maskScratch = { draws: new Uint32Array(0), mask: new Float32Array(0) };

/** Gather rows of an embedding matrix: ids [n] -> [n, E]. Its gradient is UnsortedSegmentSum (lexflow's scatter-add). */
export function embed(table: tf.Tensor, ids: Int32Array): tf.Tensor2D {
  return tf.gather(table, tf.tensor1d(ids, 'int32')) as tf.Tensor2D;
}

/** A model's parameters in a fixed order with stable names (the checkpoint and artifact layout). */
export interface ParamSet {
  readonly params: tf.Variable[];
  readonly paramNames: string[];
}
