// Scaled dot-product multi-head attention (Vaswani et al. 2017, §3.2):
//   MHA(Q, K, V) = concat_h softmax(Q_h K_hᵀ/√d_k + mask) V_h · Wo
// for self-attention (queries and keys from one sequence, optionally causal)
// and encoder–decoder attention (keys from another sequence, padded keys masked).

import { tf } from './backend/index.js';
import { dropout } from './params.js';

/** Additive mask value: exp(−1e9 − max) is 0 in float32, so a masked key gets weight exactly 0. */
export const MASKED = -1e9;

/** Additive causal mask (T, T): 0 where key ≤ query, −1e9 above the diagonal. */
export function causalMask(T: number): tf.Tensor2D {
  const m = new Float32Array(T * T);
  for (let q = 0; q < T; q++) for (let k = q + 1; k < T; k++) m[q * T + k] = MASKED;
  return tf.tensor2d(m, [T, T]);
}

/**
 * Additive key-padding mask (B, 1, 1, S) from per-row key lengths: 0 on the first
 * lengths[b] keys of row b, −1e9 on the padding after them. It broadcasts over heads and queries.
 */
export function keyPaddingMask(lengths: ArrayLike<number>, S: number): tf.Tensor4D {
  const B = lengths.length;
  const m = new Float32Array(B * S);
  for (let b = 0; b < B; b++) for (let s = lengths[b]!; s < S; s++) m[b * S + s] = MASKED;
  return tf.tensor4d(m, [B, 1, 1, S]);
}

export interface AttentionWeights {
  wq: tf.Tensor; // (D, D)
  wk: tf.Tensor; // (D, D)
  wv: tf.Tensor; // (D, D)
  wo: tf.Tensor; // (D, D)
  bo: tf.Tensor; // (D)
}

/** (B·T, D) -> (B, NH, T, dk) */
export function splitHeads(x: tf.Tensor2D, B: number, T: number, NH: number): tf.Tensor4D {
  return tf.transpose(tf.reshape(x, [B, T, NH, x.shape[1] / NH]), [0, 2, 1, 3]);
}

export interface AttentionCall {
  /** Queries' input (B·Tq, D) and keys'/values' input (B·Tk, D); the same tensor for self-attention. */
  query: tf.Tensor2D;
  keyValue: tf.Tensor2D;
  B: number;
  Tq: number;
  Tk: number;
  heads: number;
  /** Additive masks broadcastable to (B, NH, Tq, Tk): causal (Tq, Tk), key padding (B, 1, 1, Tk). */
  masks: tf.Tensor[];
  /** Dropout on the attention weights. */
  rate: number;
  seed: number;
  /** Receives the attention weights (B, NH, Tq, Tk) kept out of the enclosing tidy (caller disposes). */
  keep?: (att: tf.Tensor4D) => void;
}

/**
 * The attention itself, on heads already projected: softmax(q kᵀ/√d_k + masks) v,
 * heads merged back -> (B·Tq, D), before Wo. q (B, NH, Tq, dk); k, v (B, NH, Tk, dk).
 * Incremental decoders call it with the keys and values of a cached prefix.
 */
export function attendHeads(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, masks: tf.Tensor[], rate: number, seed: number, keep?: (att: tf.Tensor4D) => void): tf.Tensor2D {
  const [B, NH, Tq, dk] = q.shape;
  let scores: tf.Tensor = tf.div(tf.matMul(q, k, false, true), Math.sqrt(dk)); // (B, NH, Tq, Tk)
  for (const m of masks) scores = tf.add(scores, m);
  const att = tf.softmax(scores) as tf.Tensor4D; // (B, NH, Tq, Tk), rows sum to 1 over unmasked keys
  if (keep) keep(tf.keep(att.clone()));
  return tf.reshape(tf.transpose(tf.matMul(dropout(att, rate, seed), v), [0, 2, 1, 3]), [B * Tq, NH * dk]) as tf.Tensor2D; // (B·Tq, D)
}

/** Multi-head attention -> (B·Tq, D), before the residual: y·Wo + bo. */
export function multiHeadAttention(w: AttentionWeights, c: AttentionCall): tf.Tensor2D {
  const { B, Tq, Tk, heads: NH } = c;
  const q = splitHeads(tf.matMul(c.query, w.wq), B, Tq, NH); // (B, NH, Tq, dk)
  const k = splitHeads(tf.matMul(c.keyValue, w.wk), B, Tk, NH); // (B, NH, Tk, dk)
  const v = splitHeads(tf.matMul(c.keyValue, w.wv), B, Tk, NH); // (B, NH, Tk, dk)
  const y = attendHeads(q, k, v, c.masks, c.rate, c.seed, c.keep); // (B·Tq, D)
  return tf.add(tf.matMul(y, w.wo), w.bo) as tf.Tensor2D;
}
