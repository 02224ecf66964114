// Layer normalization (Ba, Kiros & Hinton 2016) over the last axis, with gain and bias.
// On wasm it runs on the heap, one loop each way (backend/heap-layer-norm.ts).

import { tf } from './backend/index.js';
import { layerNormOnHeap } from './backend/heap-layer-norm.js';

const EPS = 1e-5;

/** x (N, D), g (D), b (D) -> (N, D). */
export function layerNorm(x: tf.Tensor2D, g: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  const onHeap = layerNormOnHeap(x, g, b, EPS);
  if (onHeap) return onHeap;
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, EPS))), g), b) as tf.Tensor2D;
}
