// A multi-layer LSTM language model after Zaremba, Sutskever & Vinyals (2014),
// "Recurrent Neural Network Regularization": dropout only on the non-recurrent
// connections (embedding -> layer 1 -> ... -> softmax), truncated BPTT with the
// hidden state carried from one batch to the next (contiguous batching), and
// optionally tied input/output embeddings (Press & Wolf 2017).
// Cell (Hochreiter & Schmidhuber 1997, with forget gate):
//   [i f g o] = x_t·Wx + h_{t-1}·Wh + b;  c_t = σ(f)⊙c_{t-1} + σ(i)⊙tanh(g);  h_t = σ(o)⊙tanh(c_t)

import { tf } from './backend/index.js';
import { labelLogProbs, sparseSoftmaxCrossEntropy } from './loss.js';
import { dropout, embed, makeParam, type Batch, type ModelConfig, type NeuralLM } from './model.js';
import { mixSeed, uniformArray } from './random.js';

interface LayerState {
  h: tf.Tensor2D; // (B, H)
  c: tf.Tensor2D; // (B, H)
}

export function createLstmLM(cfg: ModelConfig): NeuralLM {
  const { vocab: V, embed: E, hidden: H, layers: L } = cfg;
  const init = 0.1; // Zaremba's small model: uniform in [−0.1, 0.1]
  const s = (i: number): number => mixSeed(cfg.seed, 2, i);
  const emb = makeParam('embedding', [V, E], uniformArray(V * E, init, s(0))); // (V, E)
  const params: tf.Variable[] = [emb];
  const names = ['embedding'];
  const layers: { wx: tf.Variable; wh: tf.Variable; b: tf.Variable }[] = [];
  for (let l = 0; l < L; l++) {
    const inW = l === 0 ? E : H;
    const bias = new Float32Array(4 * H);
    bias.fill(1, H, 2 * H); // forget-gate bias 1 (Gers et al. 2000): remember by default
    const layer = {
      wx: makeParam(`l${l}_wx`, [inW, 4 * H], uniformArray(inW * 4 * H, init, s(10 + 3 * l))), // (in, 4H)
      wh: makeParam(`l${l}_wh`, [H, 4 * H], uniformArray(H * 4 * H, init, s(11 + 3 * l))), // (H, 4H)
      b: makeParam(`l${l}_b`, [4 * H], bias),
    };
    layers.push(layer);
    params.push(layer.wx, layer.wh, layer.b);
    names.push(`l${l}_wx`, `l${l}_wh`, `l${l}_b`);
  }
  const outW = cfg.tie ? undefined : makeParam('output_w', [H, V], uniformArray(H * V, init, s(1))); // (H, V)
  const outB = makeParam('output_b', [V], new Float32Array(V));
  if (outW) {
    params.push(outW);
    names.push('output_w');
  }
  params.push(outB);
  names.push('output_b');

  let carried: LayerState[] | undefined;
  let pending: LayerState[] | undefined;

  const zeros = (B: number): LayerState[] => layers.map(() => ({ h: tf.zeros([B, H]) as tf.Tensor2D, c: tf.zeros([B, H]) as tf.Tensor2D }));
  const disposeState = (st: LayerState[] | undefined): void => st?.forEach((x) => (x.h.dispose(), x.c.dispose()));

  /**
   * inputs [B, T] (row-major) from `start` states -> (logits [T·B, V] in time-major
   * order, final states). Time-major because unstacking the time axis is then a
   * set of contiguous slices (the strided Unpack on axis 1 dominated a wasm step).
   */
  const forward = (inputs: Int32Array, B: number, T: number, start: LayerState[], rate: number, seed: number) => {
    let x = dropout(embed(emb, toTimeMajor(inputs, B, T)), rate, mixSeed(seed, 0)) as tf.Tensor2D; // (T·B, E)
    const finals: LayerState[] = [];
    for (let l = 0; l < L; l++) {
      const { wx, wh, b } = layers[l]!;
      // One big matMul for the input contribution of every step, then T small recurrent ones.
      const xw = tf.reshape(tf.add(tf.matMul(x, wx), b), [T, B, 4 * H]); // (T, B, 4H)
      const steps = tf.unstack(xw, 0) as tf.Tensor2D[]; // T × (B, 4H)
      let { h, c } = start[l]!;
      const hs: tf.Tensor2D[] = [];
      for (let t = 0; t < T; t++) {
        const z = tf.add(steps[t]!, tf.matMul(h, wh)); // (B, 4H)
        const [i, f, g, o] = tf.split(z, 4, 1) as tf.Tensor2D[];
        c = tf.add(tf.mul(tf.sigmoid(f!), c), tf.mul(tf.sigmoid(i!), tf.tanh(g!)));
        h = tf.mul(tf.sigmoid(o!), tf.tanh(c));
        hs.push(h);
      }
      finals.push({ h, c });
      x = dropout(tf.reshape(tf.stack(hs, 0), [T * B, H]), rate, mixSeed(seed, l + 1)) as tf.Tensor2D; // (T·B, H)
    }
    const logits = tf.add(outW ? tf.matMul(x, outW) : tf.matMul(x, emb, false, true), outB) as tf.Tensor2D; // (T·B, V)
    return { logits, finals };
  };

  return {
    config: cfg,
    params,
    paramNames: names,
    maxContext: Infinity,
    trainLoss(batch: Batch, seed: number) {
      const start = carried && carried[0]!.h.shape[0] === batch.B ? carried : undefined;
      return tf.tidy(() => {
        const { logits, finals } = forward(batch.inputs, batch.B, batch.T, start ?? zeros(batch.B), cfg.dropout, seed);
        disposeState(pending);
        // The carried state crosses batches as a constant: gradients stop here (truncated BPTT).
        pending = finals.map((st) => ({ h: tf.keep(st.h.clone()), c: tf.keep(st.c.clone()) }));
        return sparseSoftmaxCrossEntropy(logits, toTimeMajor(batch.targets, batch.B, batch.T), batch.weights && toTimeMajorF(batch.weights, batch.B, batch.T));
      });
    },
    commitState() {
      if (!pending) return;
      if (carried !== pending) disposeState(carried);
      carried = pending;
      pending = undefined;
    },
    resetState() {
      disposeState(carried);
      disposeState(pending);
      carried = pending = undefined;
    },
    getState() {
      if (!carried) return [];
      return carried.flatMap((st) => [st.h.dataSync() as Float32Array, st.c.dataSync() as Float32Array]).map((a) => a.slice());
    },
    setState(state: Float32Array[]) {
      disposeState(carried);
      carried = undefined;
      if (state.length === 0) return;
      const B = state[0]!.length / H;
      carried = layers.map((_, l) => ({ h: tf.keep(tf.tensor2d(state[2 * l]!, [B, H])), c: tf.keep(tf.tensor2d(state[2 * l + 1]!, [B, H])) }));
    },
    logits(inputs, B, T) {
      // Back to row-major (B·T, V) for callers.
      return tf.tidy(() => tf.reshape(tf.transpose(tf.reshape(forward(inputs, B, T, zeros(B), 0, 0).logits, [T, B, V]), [1, 0, 2]), [B * T, V]) as tf.Tensor2D);
    },
    scoreSequences(inputs, B, T, targets) {
      const lg = tf.tidy(() => forward(inputs, B, T, zeros(B), 0, 0).logits);
      const tm = labelLogProbs(lg, toTimeMajor(targets, B, T));
      lg.dispose();
      const out = new Float32Array(B * T);
      for (let t = 0; t < T; t++) for (let r = 0; r < B; r++) out[r * T + t] = tm[t * B + r]!;
      return out;
    },
  };
}

/** [B, T] row-major -> [T, B] row-major. */
export function toTimeMajor(x: Int32Array, B: number, T: number): Int32Array {
  const out = new Int32Array(B * T);
  for (let r = 0; r < B; r++) for (let t = 0; t < T; t++) out[t * B + r] = x[r * T + t]!;
  return out;
}

function toTimeMajorF(x: Float32Array, B: number, T: number): Float32Array {
  const out = new Float32Array(B * T);
  for (let r = 0; r < B; r++) for (let t = 0; t < T; t++) out[t * B + r] = x[r * T + t]!;
  return out;
}
