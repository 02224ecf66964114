// Fused sparse softmax cross-entropy. The output layer is vocabulary-sized, so
// the loss should touch [N, V] as few times as possible: the forward pass is
// one logSoftmax and a gather of the label entries; the gradient is written
// directly as (softmax − onehot) · w / Σw (the standard result, e.g. Goodfellow
// et al. 2016, §6.2.2.3) instead of being derived op by op. Adds 10–20% speed
// where V is large (docs/ARCHITECTURE.md, "The neural backend").
// On wasm the output layer's loss goes further: `softmaxCrossEntropyWithBias`
// takes the scores before the bias and runs the whole loss and its gradient as
// two SIMD passes over [N, V] (backend/wasm-softmax-xent.ts).

import { tf } from './backend/index.js';
import { kernelSwitches } from './backend/switches.js';
import { logZFromRowStats, softmaxRowGrad, softmaxRowStats, softmaxXentAvailable } from './backend/wasm-softmax-xent.js';

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

/* eslint-disable @typescript-eslint/no-explicit-any */
/** The wasm backend when the fused kernels can run on it (and are switched on), else undefined. */
function fusedBackend(): any {
  if (!kernelSwitches.fusedSoftmaxXent || tf.getBackend() !== 'wasm') return undefined;
  const backend = tf.backend() as any;
  return softmaxXentAvailable(backend) ? backend : undefined;
}

/**
 * ln Z of every row of z + b, in float64, from the kernel's row statistics; also each
 * row's Σ x and Σ exp(x − max); with `keepExp`, exp(x − max) [N, V] (a tensor info).
 */
function rowLogZ(backend: any, z: tf.Tensor2D, b: tf.Tensor1D, keepExp = false): { logZ: Float64Array; sumX: Float64Array; sumExp: Float64Array; exp?: tf.TensorInfo } {
  const { stats, exp } = softmaxRowStats(backend, z, b, keepExp);
  const out = logZFromRowStats(backend.typedArrayFromHeap(stats) as Float32Array, z.shape[0]);
  backend.disposeData(stats.dataId);
  return { ...out, exp };
}

/**
 * `sparseSoftmaxCrossEntropy(z + b, ...)` for an output layer's scores z [N, V]
 * before its bias b [V], with the same value and gradients (to float32 rounding).
 * On wasm the sum never materializes: the loss is one SIMD pass over z, which also
 * keeps exp(x − max) for the gradient, and the gradients dz (softmax − q, scaled, in
 * place over that copy) and db (Σ of dz's rows) one more, with no second exp.
 */
export function softmaxCrossEntropyWithBias(z: tf.Tensor2D, b: tf.Tensor1D, labels: Int32Array, weights?: Float32Array, smoothing = 0): tf.Scalar {
  const backend = fusedBackend();
  if (!backend) return sparseSoftmaxCrossEntropy(tf.add(z, b) as tf.Tensor2D, labels, weights, smoothing);
  const [n, vocab] = z.shape;
  if (labels.length !== n) throw new Error(`loss: ${labels.length} labels for ${n} rows`);
  const w = weights ?? new Float32Array(n).fill(1);
  let total = 0;
  for (let i = 0; i < n; i++) total += w[i]!;
  const denom = Math.max(total, 1);
  const lossOf = tf.customGrad(((zz: tf.Tensor2D, bb: tf.Tensor1D, save: tf.GradSaveFunc) => {
    const { logZ, sumX, sumExp, exp } = rowLogZ(backend, zz, bb, true);
    const zv = backend.typedArrayFromHeap(zz) as Float32Array;
    const bv = backend.typedArrayFromHeap(bb) as Float32Array;
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const y = labels[i]!;
      const nll = logZ[i]! - (zv[i * vocab + y]! + bv[y]!);
      loss += w[i]! * (smoothing > 0 ? (1 - smoothing) * nll + smoothing * (logZ[i]! - sumX[i]! / vocab) : nll);
    }
    // exp(x − max) as a tensor of this scope: kept for the gradient when one is taken, else disposed with the scope.
    save([tf.engine().makeTensorFromTensorInfo(exp!)]);
    return {
      value: tf.scalar(loss / denom),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        // dz is written over the saved exp: a new tensor on the same data, which the saved one then leaves to it.
        const dzT = saved[0]!.clone();
        const g = dy.dataSync()[0]! / denom;
        // Row i: softmax = e / Σe; scale w_i·g on it, minus ε/V of it everywhere and (1 − ε) of it at the label (below).
        const coef = new Float32Array(2 * n);
        for (let i = 0; i < n; i++) {
          coef[2 * i] = (w[i]! * g) / sumExp[i]!;
          coef[2 * i + 1] = (smoothing / vocab) * w[i]! * g;
        }
        const coefT = tf.tensor2d(coef, [n, 2]);
        const db = softmaxRowGrad(backend, dzT, coefT);
        const dzv = backend.typedArrayFromHeap(dzT) as Float32Array;
        const dbv = backend.typedArrayFromHeap(db) as Float32Array;
        for (let i = 0; i < n; i++) {
          const c = (1 - smoothing) * w[i]! * g;
          dzv[i * vocab + labels[i]!]! -= c;
          dbv[labels[i]!]! -= c;
        }
        coefT.dispose();
        return [dzT, tf.engine().makeTensorFromTensorInfo(db)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return lossOf(z, b) as tf.Scalar;
}

/** `labelLogProbs(z + b, labels)` for scores before their bias; on wasm one SIMD pass, the sum never materialized. */
export function labelLogProbsWithBias(z: tf.Tensor2D, b: tf.Tensor1D, labels: Int32Array): Float32Array {
  const backend = fusedBackend();
  if (!backend) {
    const lg = tf.add(z, b) as tf.Tensor2D;
    const out = labelLogProbs(lg, labels);
    lg.dispose();
    return out;
  }
  const [n, vocab] = z.shape;
  const { logZ } = rowLogZ(backend, z, b);
  const zv = backend.typedArrayFromHeap(z) as Float32Array;
  const bv = backend.typedArrayFromHeap(b) as Float32Array;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = zv[i * vocab + labels[i]!]! + bv[labels[i]!]! - logZ[i]!;
  return out;
}
/* eslint-enable @typescript-eslint/no-explicit-any */
