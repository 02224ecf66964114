// The position-wise feed-forward block of a Transformer (Vaswani et al. 2017,
// §3.3), with the GELU activation of GPT-2 or the original ReLU.

import { tf } from './backend/index.js';

/** GELU, tanh approximation (Hendrycks & Gimpel 2016). x³ as x·x·x: wasm's Pow (and its gradient) cost 6% of a Transformer step. */
export function gelu(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.mul(tf.mul(x, x), x))));
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
}

export interface FfnWeights {
  w1: tf.Tensor; // (D, F)
  b1: tf.Tensor; // (F)
  w2: tf.Tensor; // (F, D)
  b2: tf.Tensor; // (D)
}

/** x (N, D) -> W2·act(W1·x + b1) + b2, (N, D). */
export function feedForward(x: tf.Tensor2D, w: FfnWeights, activation: 'gelu' | 'relu' = 'gelu'): tf.Tensor2D {
  const h = tf.add(tf.matMul(x, w.w1), w.b1) as tf.Tensor2D; // (N, F)
  return tf.add(tf.matMul((activation === 'gelu' ? gelu(h) : tf.relu(h)) as tf.Tensor2D, w.w2), w.b2) as tf.Tensor2D; // (N, D)
}
