// The output layer: hidden states [N, H] -> a distribution over the vocabulary.
//
// `full`: one softmax over all V types (logits = h·U + b), with the fused loss
// of loss.ts. Its cost, H·V multiply-adds per token forward and twice that
// backward, dominates a small LSTM LM on a 10k vocabulary.
//
// `class`: the class-factored softmax of Goodman (2001), "Classes for fast
// maximum entropy training", as used for RNN LMs by Mikolov et al. (2011),
// "Extensions of recurrent neural network language model":
//   p(w | h) = p(c(w) | h) · p(w | c(w), h),
// both factors softmaxes, so the probabilities are exact and normalized. The
// ids of a vocabulary are sorted by frequency (lib/formats/tokens.ts), so class k
// is simply ids [k·S, (k+1)·S): frequent words share the first classes. A
// token costs H·(C + S) instead of H·V (C = S ≈ √V: 50x less on 10k types).
// The slots past V in the last class are masked out.

import { tf } from './backend/index.js';
import { labelLogProbsWithBias, softmaxCrossEntropyWithBias } from './loss.js';
import { groupedMatMul } from './backend/wasm-grouped-matmul.js';
import { sharedLabelLogProbs, sharedSoftmaxAvailable, sharedSoftmaxLoss, type SoftmaxWeights } from './backend/shared-softmax.js';
import { makeParam } from './params.js';

export type SoftmaxKind = 'full' | 'class';

export interface OutputLayer {
  readonly params: tf.Variable[];
  readonly paramNames: string[];
  /** Mean of −ln p(target) over rows, weighted (1 = counted, 0 = padding): the training loss; `smoothing` ε > 0 smooths the labels (`full` only, loss.ts). */
  loss(h: tf.Tensor2D, targets: Int32Array, weights?: Float32Array, smoothing?: number): tf.Scalar;
  /** ln p(target) of every row, as a typed array. */
  labelLogProbs(h: tf.Tensor2D, targets: Int32Array): Float32Array;
  /** Scores [N, V] whose logSoftmax is the log-distribution (logits, or log-probabilities). */
  logits(h: tf.Tensor2D): tf.Tensor2D;
}

export interface OutputOptions {
  kind: SoftmaxKind;
  vocab: number;
  hidden: number;
  /** Number of classes (`class`); 0 = ⌈√V⌉. */
  classes: number;
  /** Initial values of the weight named `name` with `count` entries (biases start at 0). */
  init: (name: string, count: number) => Float32Array;
  /** Share the input embedding [V, H] as the output weights (`full` only). */
  tiedEmbedding?: tf.Variable;
}

export function createOutputLayer(o: OutputOptions): OutputLayer {
  return o.kind === 'class' ? new ClassSoftmax(o) : new FullSoftmax(o);
}

/** The class layout: C classes of S slots; class of id w is ⌊w / S⌋, its slot w mod S. */
export function classLayout(vocab: number, classes: number): { C: number; S: number } {
  const want = classes > 0 ? classes : Math.ceil(Math.sqrt(vocab));
  const S = Math.ceil(vocab / Math.min(want, vocab));
  return { C: Math.ceil(vocab / S), S };
}

class FullSoftmax implements OutputLayer {
  readonly params: tf.Variable[];
  readonly paramNames: string[];
  private readonly w?: tf.Variable; // (H, V)
  private readonly b: tf.Variable; // (V)
  private readonly tied?: tf.Variable; // (V, H)
  constructor(o: OutputOptions) {
    this.tied = o.tiedEmbedding;
    if (!this.tied) this.w = makeParam('output_w', [o.hidden, o.vocab], o.init('output_w', o.hidden * o.vocab));
    this.b = makeParam('output_b', [o.vocab], new Float32Array(o.vocab));
    this.params = this.w ? [this.w, this.b] : [this.b];
    this.paramNames = this.w ? ['output_w', 'output_b'] : ['output_b'];
  }
  /** h·U (N, V), before the bias. */
  private scores(h: tf.Tensor2D): tf.Tensor2D {
    return this.w ? tf.matMul(h, this.w) : tf.matMul(h, this.tied!, false, true);
  }
  logits(h: tf.Tensor2D): tf.Tensor2D {
    return tf.add(this.scores(h), this.b) as tf.Tensor2D;
  }
  private weights(): SoftmaxWeights {
    return this.w ? { w: this.w as tf.Tensor2D, transposed: false } : { w: this.tied! as tf.Tensor2D, transposed: true };
  }
  loss(h: tf.Tensor2D, targets: Int32Array, weights?: Float32Array, smoothing = 0): tf.Scalar {
    // With the system BLAS the scores live outside the tfjs heap, their row passes on two threads (backend/shared-softmax.ts).
    if (sharedSoftmaxAvailable()) return sharedSoftmaxLoss(h, this.weights(), this.b as tf.Tensor1D, targets, weights, smoothing);
    // The bias goes in with the loss: on wasm the (N, V) sum is never materialized (loss.ts).
    return softmaxCrossEntropyWithBias(this.scores(h), this.b as tf.Tensor1D, targets, weights, smoothing);
  }
  labelLogProbs(h: tf.Tensor2D, targets: Int32Array): Float32Array {
    if (sharedSoftmaxAvailable()) return sharedLabelLogProbs(h, this.weights(), this.b as tf.Tensor1D, targets);
    const z = this.scores(h);
    const out = labelLogProbsWithBias(z, this.b as tf.Tensor1D, targets);
    z.dispose();
    return out;
  }
}

class ClassSoftmax implements OutputLayer {
  readonly params: tf.Variable[];
  readonly paramNames = ['class_w', 'class_b', 'word_w', 'word_b'];
  readonly C: number;
  readonly S: number;
  private readonly V: number;
  private readonly H: number;
  private readonly cw: tf.Variable; // (H, C)
  private readonly cb: tf.Variable; // (C)
  private readonly ww: tf.Variable; // (C, H, S): column s of class k scores id k·S + s
  private readonly wb: tf.Variable; // (C, S)
  private readonly maskValues: Float32Array; // (C, S): 0, or −1e30 on the slots past V
  constructor(o: OutputOptions) {
    if (o.tiedEmbedding) throw new Error('the class softmax has no [V, H] matrix to tie to the embedding');
    const { C, S } = classLayout(o.vocab, o.classes);
    const H = o.hidden;
    this.C = C;
    this.S = S;
    this.V = o.vocab;
    this.H = H;
    this.cw = makeParam('class_w', [H, C], o.init('class_w', H * C));
    this.cb = makeParam('class_b', [C], new Float32Array(C));
    this.ww = makeParam('word_w', [C, H, S], o.init('word_w', C * S * H));
    this.wb = makeParam('word_b', [C, S], new Float32Array(C * S));
    this.params = [this.cw, this.cb, this.ww, this.wb];
    this.maskValues = new Float32Array(C * S).fill(-1e30, o.vocab);
  }

  private mask(): tf.Tensor2D {
    return tf.tensor2d(this.maskValues, [this.C, this.S]);
  }

  /**
   * The two factors' scores of each target, rows sorted by class (`byClass`): the
   * class scores hs·Wc [N, C] (before the class bias) with each row's class, and the
   * word scores [N, S] with their row's class bias and mask added, with each row's
   * slot. The rows are grouped by class so that each class present is one matMul of
   * its rows by its own [H, S] slice, instead of gathering an [N, S, H] copy of the
   * weights (slow on wasm: 0.4 s per step); with the system BLAS all of them are one
   * grouped product on the heap (backend/wasm-grouped-matmul.ts). Each factor then
   * goes through the fused softmax cross-entropy of loss.ts (one SIMD pass each way
   * on wasm, as the full softmax), not a logSoftmax of stock kernels.
   */
  private sortedFactors(h: tf.Tensor2D, targets: Int32Array): { zc: tf.Tensor2D; cls: Int32Array; zw: tf.Tensor2D; slot: Int32Array; byClass: Int32Array } {
    const { C, S } = this;
    const N = targets.length;
    // Counting sort of the rows by class.
    const count = new Int32Array(C + 1);
    for (let i = 0; i < N; i++) count[Math.floor(targets[i]! / S) + 1]++;
    for (let k = 0; k < C; k++) count[k + 1] += count[k]!;
    const byClass = new Int32Array(N);
    const fill = count.slice(0, C);
    for (let i = 0; i < N; i++) byClass[fill[Math.floor(targets[i]! / S)]!++] = i;
    const cls = new Int32Array(N); // class of sorted row i
    const slot = new Int32Array(N); // slot of sorted row i within its class
    for (let i = 0; i < N; i++) {
      const t = targets[byClass[i]!]!;
      cls[i] = Math.floor(t / S);
      slot[i] = t - cls[i]! * S;
    }
    const present: number[] = [];
    const sizes: number[] = [];
    for (let k = 0; k < C; k++) if (count[k + 1]! > count[k]!) present.push(k), sizes.push(count[k + 1]! - count[k]!);

    const hs = tf.gather(h, tf.tensor1d(byClass, 'int32')) as tf.Tensor2D; // (N, H), rows sorted by class
    const zc = tf.matMul(hs, this.cw) as tf.Tensor2D; // (N, C)
    const scores = groupedMatMul(hs, this.ww as tf.Tensor3D, present.map((cls, g) => ({ cls, start: count[cls]!, count: sizes[g]! }))) ?? this.perClassScores(hs, present, sizes); // (N, S)
    const ids = tf.tensor1d(cls, 'int32');
    const zw = tf.add(scores, tf.add(tf.gather(this.wb, ids), tf.gather(this.mask(), ids))) as tf.Tensor2D; // (N, S)
    return { zc, cls, zw, slot, byClass };
  }

  /** The word scores in tfjs ops: each class present is one matMul of its rows by its [H, S] slice. */
  private perClassScores(hs: tf.Tensor2D, present: number[], sizes: number[]): tf.Tensor2D {
    const hParts = present.length > 1 ? tf.split(hs, sizes, 0) : [hs];
    const wParts = tf.unstack(this.ww, 0); // C × (H, S)
    return tf.concat(present.map((k, g) => tf.matMul(hParts[g]!, wParts[k]!)), 0) as tf.Tensor2D;
  }

  loss(h: tf.Tensor2D, targets: Int32Array, weights?: Float32Array, smoothing = 0): tf.Scalar {
    // Smoothing needs every type's log-probability: H·V per token, what this layer avoids.
    if (smoothing > 0) throw new Error('label smoothing needs the full softmax');
    const { zc, cls, zw, slot, byClass } = this.sortedFactors(h, targets);
    const w = weights ? Float32Array.from(byClass, (i) => weights[i]!) : undefined;
    // −Σ w (ln p(class) + ln p(word | class)) / Σ w: the two factors' losses add.
    return tf.add(softmaxCrossEntropyWithBias(zc, this.cb as tf.Tensor1D, cls, w), softmaxCrossEntropyWithBias(zw, this.noBias(), slot, w)) as tf.Scalar;
  }

  labelLogProbs(h: tf.Tensor2D, targets: Int32Array): Float32Array {
    const f = tf.tidy(() => {
      const r = this.sortedFactors(h, targets);
      return { ...r, zc: tf.keep(r.zc), zw: tf.keep(r.zw) };
    });
    const zero = this.noBias();
    const lc = labelLogProbsWithBias(f.zc, this.cb as tf.Tensor1D, f.cls);
    const lw = labelLogProbsWithBias(f.zw, zero, f.slot);
    tf.dispose([f.zc, f.zw, zero]);
    const out = new Float32Array(targets.length);
    for (let i = 0; i < lc.length; i++) out[f.byClass[i]!] = lc[i]! + lw[i]!;
    return out;
  }

  /** The word factor's bias is per row (already in its scores): a zero [S] in the fused loss's bias slot. */
  private noBias(): tf.Tensor1D {
    return tf.zeros([this.S]) as tf.Tensor1D;
  }

  logits(h: tf.Tensor2D): tf.Tensor2D {
    const { C, S, V, H } = this;
    const N = h.shape[0];
    return tf.tidy(() => {
      const lpc = tf.logSoftmax(tf.add(tf.matMul(h, this.cw), this.cb)); // (N, C)
      const all = tf.matMul(h, tf.reshape(tf.transpose(this.ww, [1, 0, 2]), [H, C * S])); // (N, C·S)
      const lpw = tf.logSoftmax(tf.add(tf.reshape(all, [N, C, S]), tf.add(this.wb, this.mask())), 2); // (N, C, S)
      const lp = tf.reshape(tf.add(lpw, tf.reshape(lpc, [N, C, 1])), [N, C * S]);
      return tf.slice(lp, [0, 0], [N, V]) as tf.Tensor2D;
    });
  }
}
