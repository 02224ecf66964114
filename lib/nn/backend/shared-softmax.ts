// The full softmax's output layer, scores to loss and gradients, with its
// [N, V] scores outside the tfjs heap: cblas_sgemm writes h·W into the shared
// memory of row-helper.ts, where the row passes of wasm-softmax-xent.ts run on
// two threads (rows split in halves), and the backward products read dz there.
// The same arithmetic as loss.ts's fused loss over a tfjs matMul (the label
// logits, ln Z in float64, dz = softmax − q scaled, in place over exp(x − max)),
// with two differences in rounding: db is the sum of the two halves' sums, and
// the products are the same sgemm calls made directly.
// For the LSTM LM's evaluation ([700, 10002] scores) the row statistics went from
// 8.3 to 4.3 ms (docs/BENCHMARKS.md).

import { tf } from './index.js';
import { nativeSgemm } from './native-gemm.js';
import { alignBytes, rowHelper, type RowHelper } from './row-helper.js';
import { kernelSwitches } from './switches.js';
import { logZFromRowStats, softmaxXentAvailable } from './wasm-softmax-xent.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Backend = any;

/** The output layer's weights: [H, V], or an embedding [V, H] used transposed (tied). */
export interface SoftmaxWeights {
  w: tf.Tensor2D;
  transposed: boolean;
}

/** Whether this path can run: switched on, the wasm backend with its kernels, the system BLAS, the shared memory. */
export function sharedSoftmaxAvailable(): boolean {
  if (!kernelSwitches.sharedSoftmax || !kernelSwitches.nativeGemm || tf.getBackend() !== 'wasm') return false;
  return nativeSgemm() !== null && softmaxXentAvailable(tf.backend()) && rowHelper() !== null;
}

/** Byte offsets in one region: the scores (then exp, then dz), the bias, the row statistics, the gradient's row coefficients, the two halves' db. */
function layout(n: number, v: number): { z: number; b: number; stats: number; coef: number; db0: number; db1: number; bytes: number } {
  const a = alignBytes;
  const z = 0;
  const b = a(z + n * v * 4);
  const stats = a(b + v * 4);
  const coef = a(stats + n * 12);
  const db0 = a(coef + n * 8);
  const db1 = a(db0 + v * 4);
  return { z, b, stats, coef, db0, db1, bytes: a(db1 + v * 4) };
}

interface Forward {
  base: number;
  lay: ReturnType<typeof layout>;
  /** z + b at each row's label. */
  labelScore: Float64Array;
  logZ: Float64Array;
  sumX: Float64Array;
  sumExp: Float64Array;
}

/** z = h·W into a region, its label entries read, then the row statistics on both threads; with `keepExp`, exp(x − max) over z. */
function forward(helper: RowHelper, backend: Backend, h: tf.Tensor2D, sw: SoftmaxWeights, b: tf.Tensor1D, labels: Int32Array, keepExp: boolean, tape: unknown): Forward {
  const [n, hidden] = h.shape;
  const v = b.shape[0];
  if (labels.length !== n) throw new Error(`loss: ${labels.length} labels for ${n} rows`);
  const lay = layout(n, v);
  const base = helper.alloc(lay.bytes, tape);
  const z = helper.f32(base + lay.z, n * v);
  const bias = helper.f32(base + lay.b, v);
  bias.set(backend.typedArrayFromHeap(b) as Float32Array);
  nativeSgemm()!(false, sw.transposed, n, v, hidden, 1, backend.typedArrayFromHeap(h) as Float32Array, hidden, backend.typedArrayFromHeap(sw.w) as Float32Array, sw.transposed ? hidden : v, 0, z, v);
  const labelScore = new Float64Array(n);
  for (let i = 0; i < n; i++) labelScore[i] = z[i * v + labels[i]!]! + bias[labels[i]!]!;
  const rowZ = (from: number): number => base + lay.z + from * v * 4;
  helper.split(keepExp ? 'rowStatsExp' : 'rowStats', n, v, (from, count) => [rowZ(from), base + lay.b, count, v, base + lay.stats + from * 12, keepExp ? rowZ(from) : 0]);
  return { base, lay, labelScore, ...logZFromRowStats(helper.f32(base + lay.stats, 3 * n), n) };
}

/** ln p(label) of every row of softmax(h·W + b). */
export function sharedLabelLogProbs(h: tf.Tensor2D, sw: SoftmaxWeights, b: tf.Tensor1D, labels: Int32Array): Float32Array {
  const helper = rowHelper()!;
  const f = forward(helper, tf.backend(), h, sw, b, labels, false, null);
  helper.free(f.base);
  const out = new Float32Array(labels.length);
  for (let i = 0; i < out.length; i++) out[i] = f.labelScore[i]! - f.logZ[i]!;
  return out;
}

/**
 * The weighted mean of −ln p(label) under softmax(h·W + b), with label smoothing ε
 * as loss.ts's `sparseSoftmaxCrossEntropy`; gradients for h, W and b.
 */
export function sharedSoftmaxLoss(h: tf.Tensor2D, sw: SoftmaxWeights, b: tf.Tensor1D, labels: Int32Array, weights?: Float32Array, smoothing = 0): tf.Scalar {
  const backend: Backend = tf.backend();
  const helper = rowHelper()!;
  const n = h.shape[0];
  const v = b.shape[0];
  const hidden = h.shape[1];
  const w = weights ?? new Float32Array(n).fill(1);
  let total = 0;
  for (let i = 0; i < n; i++) total += w[i]!;
  const denom = Math.max(total, 1);
  const lossOf = tf.customGrad(((hh: tf.Tensor2D, ww: tf.Tensor2D, bb: tf.Tensor1D, save: tf.GradSaveFunc) => {
    const engine = tf.engine() as any;
    const tape = engine.state.gradientDepth > 0 ? engine.state.activeTape : null;
    const f = forward(helper, backend, hh, { w: ww, transposed: sw.transposed }, bb, labels, tape !== null, tape);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const nll = f.logZ[i]! - f.labelScore[i]!;
      loss += w[i]! * (smoothing > 0 ? (1 - smoothing) * nll + smoothing * (f.logZ[i]! - f.sumX[i]! / v) : nll);
    }
    if (tape === null) helper.free(f.base);
    save([hh, ww]);
    return {
      value: tf.scalar(loss / denom),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const { base, lay } = f;
        const g = dy.dataSync()[0]! / denom;
        const coef = helper.f32(base + lay.coef, 2 * n);
        for (let i = 0; i < n; i++) {
          coef[2 * i] = (w[i]! * g) / f.sumExp[i]!;
          coef[2 * i + 1] = (smoothing / v) * w[i]! * g;
        }
        helper.f32(base + lay.db0, v).fill(0);
        helper.f32(base + lay.db1, v).fill(0);
        helper.split('rowGrad', n, v, (from, count, part) => [base + lay.z + from * v * 4, count, v, base + lay.coef + from * 8, base + (part === 0 ? lay.db0 : lay.db1)]);
        const dz = helper.f32(base + lay.z, n * v);
        const db0 = helper.f32(base + lay.db0, v);
        const db1 = helper.f32(base + lay.db1, v);
        for (let j = 0; j < v; j++) db0[j] = db0[j]! + db1[j]!;
        for (let i = 0; i < n; i++) {
          const c = (1 - smoothing) * w[i]! * g;
          dz[i * v + labels[i]!]! -= c;
          db0[labels[i]!]! -= c;
        }
        const [hs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
        const dhInfo = backend.makeOutput([n, hidden], 'float32');
        const dwInfo = backend.makeOutput(ws.shape, 'float32');
        const dbInfo = backend.makeOutput([v], 'float32');
        // Heap views after makeOutput, which may grow the heap.
        const hv = backend.typedArrayFromHeap(hs) as Float32Array;
        const wv = backend.typedArrayFromHeap(ws) as Float32Array;
        const sgemm = nativeSgemm()!;
        if (sw.transposed) {
          sgemm(true, false, v, hidden, n, 1, dz, v, hv, hidden, 0, backend.typedArrayFromHeap(dwInfo), hidden); // dE = dzᵀ·h
          sgemm(false, false, n, hidden, v, 1, dz, v, wv, hidden, 0, backend.typedArrayFromHeap(dhInfo), hidden); // dh = dz·E
        } else {
          sgemm(true, false, hidden, v, n, 1, hv, hidden, dz, v, 0, backend.typedArrayFromHeap(dwInfo), v); // dW = hᵀ·dz
          sgemm(false, true, n, hidden, v, 1, dz, v, wv, v, 0, backend.typedArrayFromHeap(dhInfo), hidden); // dh = dz·Wᵀ
        }
        (backend.typedArrayFromHeap(dbInfo) as Float32Array).set(db0);
        helper.free(base);
        const mk = (info: tf.TensorInfo): tf.Tensor => engine.makeTensorFromTensorInfo(info);
        return [mk(dhInfo), mk(dwInfo), mk(dbInfo)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return lossOf(h, sw.w, b) as tf.Scalar;
}
/* eslint-enable @typescript-eslint/no-explicit-any */
