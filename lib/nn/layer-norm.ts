// Layer normalization (Ba, Kiros & Hinton 2016) over the last axis, with gain and bias.

import { tf } from './backend/index.js';

/** x (N, D), g (D), b (D) -> (N, D). */
export function layerNorm(x: tf.Tensor2D, g: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b) as tf.Tensor2D;
}
