// The position-wise feed-forward block of a Transformer (Vaswani et al. 2017,
// §3.3), with the GELU activation of GPT-2 or the original ReLU.

import { tf } from './backend/index.js';
import { kernelSwitches } from './backend/switches.js';
import { geluAvailable, geluBackward, geluForward } from './backend/wasm-gelu.js';

/**
 * GELU, tanh approximation (Hendrycks & Gimpel 2016). On wasm one SIMD kernel each
 * way (backend/wasm-gelu.ts); in tfjs ops x³ is x·x·x, since wasm's Pow (and its
 * gradient) cost 6% of a Transformer step.
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  const fused = fusedGelu(x);
  if (fused) return fused;
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

/* eslint-disable @typescript-eslint/no-explicit-any */
function fusedGelu(x: tf.Tensor): tf.Tensor | undefined {
  if (!kernelSwitches.fusedGelu || tf.getBackend() !== 'wasm' || x.dtype !== 'float32') return undefined;
  const backend = tf.backend() as any;
  if (!geluAvailable(backend, x.size)) return undefined;
  const op = tf.customGrad(((xx: tf.Tensor, save: tf.GradSaveFunc) => {
    save([xx]);
    return {
      value: tf.engine().makeTensorFromTensorInfo(geluForward(backend, xx)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.engine().makeTensorFromTensorInfo(geluBackward(backend, saved[0]!, dy))],
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x) as tf.Tensor;
}
/* eslint-enable @typescript-eslint/no-explicit-any */
