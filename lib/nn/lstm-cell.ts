// The LSTM cell (Hochreiter & Schmidhuber 1997, with the forget gate of Gers
// et al. 2000), gates in the order [i f g o]:
//   [i f g o] = x_t·Wx + h_{t-1}·Wh + b;  c_t = σ(f)⊙c_{t-1} + σ(i)⊙tanh(g);  h_t = σ(o)⊙tanh(c_t)
// The input part x_t·Wx + b is computed by the caller for every step at once
// (one big matMul); a step adds the recurrent part.

import { tf } from './backend/index.js';

export interface LstmState {
  h: tf.Tensor2D; // (B, H)
  c: tf.Tensor2D; // (B, H)
}

/** Initial bias (4H): 1 on the forget gate (Gers et al. 2000: remember by default), 0 elsewhere. */
export function lstmBias(H: number): Float32Array {
  const bias = new Float32Array(4 * H);
  bias.fill(1, H, 2 * H);
  return bias;
}

/** One step: xw = x_t·Wx + b (B, 4H), state (B, H) each, wh (H, 4H) -> the next state. */
export function lstmStep(xw: tf.Tensor2D, state: LstmState, wh: tf.Tensor): LstmState {
  const z = tf.add(xw, tf.matMul(state.h, wh)); // (B, 4H)
  const [i, f, g, o] = tf.split(z, 4, 1) as tf.Tensor2D[];
  const c = tf.add(tf.mul(tf.sigmoid(f!), state.c), tf.mul(tf.sigmoid(i!), tf.tanh(g!))) as tf.Tensor2D;
  const h = tf.mul(tf.sigmoid(o!), tf.tanh(c)) as tf.Tensor2D;
  return { h, c };
}
