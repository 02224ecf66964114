// Fused sparse softmax cross-entropy. The output layer is vocabulary-sized, so
// the loss should touch [N, V] as few times as possible: the forward pass is
// one logSoftmax and a gather of the label entries; the gradient is written
// directly as (softmax − onehot) · w / Σw (the standard result, e.g. Goodfellow
// et al. 2016, §6.2.2.3) instead of being derived op by op. Adds 10–20% speed
// where V is large (docs/ARCHITECTURE.md, "The neural backend").

import { tf } from './backend/index.js';

/** Flat indices i·V + label[i] into a row-major [N, V] matrix. */
function labelIndex(labels: Int32Array, vocab: number): tf.Tensor1D {
  const idx = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) idx[i] = i * vocab + labels[i]!;
  return tf.tensor1d(idx, 'int32');
}

/**
 * Mean negative log-likelihood of `labels` under softmax(`logits`), each row
 * weighted by `weights` (1 = counted, 0 = padding); divided by Σ weights.
 * logits: [N, V]; labels, weights: N entries.
 *
 * With `smoothing` ε > 0, the cross-entropy against the label-smoothed target
 * q = (1 − ε)·onehot + ε/V (Szegedy et al. 2016, "Rethinking the Inception
 * Architecture", §7): (1 − ε)·(−ln p_label) + ε·mean_v(−ln p_v); its gradient is
 * softmax − q. It is a training loss only: perplexities are scored without it.
 */
export function sparseSoftmaxCrossEntropy(logits: tf.Tensor2D, labels: Int32Array, weights?: Float32Array, smoothing = 0): tf.Scalar {
  const [n, vocab] = logits.shape;
  if (labels.length !== n) throw new Error(`loss: ${labels.length} labels for ${n} rows`);
  const w = weights ?? new Float32Array(n).fill(1);
  let total = 0;
  for (let i = 0; i < n; i++) total += w[i]!;
  const denom = Math.max(total, 1);
  const lossOf = tf.customGrad(((lg: tf.Tensor, save: tf.GradSaveFunc) => {
    const logp = tf.logSoftmax(lg as tf.Tensor2D); // (N, V)
    const idx = labelIndex(labels, vocab);
    const wt = tf.tensor1d(w);
    let picked: tf.Tensor = tf.gather(tf.reshape(logp, [-1]), idx); // (N,)
    if (smoothing > 0) picked = tf.add(tf.mul(picked, 1 - smoothing), tf.mul(tf.mean(logp, 1), smoothing));
    const value = tf.div(tf.neg(tf.sum(tf.mul(picked, wt))), denom) as tf.Scalar;
    save([logp, wt]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [lp, ws] = saved as [tf.Tensor2D, tf.Tensor1D];
        // int32 oneHot, then cast: the wasm OneHot kernel writes integer bits into a float32 output (tfjs 4.22).
        let onehot: tf.Tensor = tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), vocab), 'float32'); // (N, V)
        if (smoothing > 0) onehot = tf.add(tf.mul(onehot, 1 - smoothing), smoothing / vocab); // q
        const scale = tf.mul(tf.reshape(ws, [n, 1]), tf.div(dy, denom)); // (N, 1)
        return [tf.mul(tf.sub(tf.exp(lp), onehot), scale)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return lossOf(logits) as tf.Scalar;
}

/** Natural-log probability of each label under softmax(logits): [N] as a typed array. */
export function labelLogProbs(logits: tf.Tensor2D, labels: Int32Array): Float32Array {
  const t = tf.tidy(() => tf.gather(tf.reshape(tf.logSoftmax(logits), [-1]), labelIndex(labels, logits.shape[1])));
  const out = t.dataSync() as Float32Array;
  t.dispose();
  return out;
}
