// A multi-layer LSTM language model after Zaremba, Sutskever & Vinyals (2014),
// "Recurrent Neural Network Regularization": dropout only on the non-recurrent
// connections (embedding -> layer 1 -> ... -> softmax), truncated BPTT with the
// hidden state carried from one batch to the next (contiguous batching), and
// optionally tied input/output embeddings (Press & Wolf 2017).
// The cell is lib/nn/lstm-cell.ts.

import { tf } from '../../lib/nn/backend/index.js';
import { BOS } from '../../lib/formats/tokens.js';
import { lstmBias, lstmStep, type LstmState as LayerState } from '../../lib/nn/lstm-cell.js';
import { lstmSequenceInference, lstmSequenceTrain } from '../../lib/nn/backend/wasm-lstm-sequence.js';
import { dropout, embed, makeParam } from '../../lib/nn/params.js';
import { mixSeed, uniformArray } from '../../lib/nn/random.js';
import { toTimeMajor, toTimeMajorF } from '../../lib/nn/time-major.js';
import { outputLayerFor, type Batch, type ModelConfig, type NeuralLM } from './model.js';

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
    const bias = lstmBias(H);
    const layer = {
      wx: makeParam(`l${l}_wx`, [inW, 4 * H], uniformArray(inW * 4 * H, init, s(10 + 3 * l))), // (in, 4H)
      wh: makeParam(`l${l}_wh`, [H, 4 * H], uniformArray(H * 4 * H, init, s(11 + 3 * l))), // (H, 4H)
      b: makeParam(`l${l}_b`, [4 * H], bias),
    };
    layers.push(layer);
    params.push(layer.wx, layer.wh, layer.b);
    names.push(`l${l}_wx`, `l${l}_wh`, `l${l}_b`);
  }
  const head = outputLayerFor(cfg, H, emb, (name, count) => uniformArray(count, init, s(name === 'output_w' ? 1 : name === 'class_w' ? 4 : 5)));
  params.push(...head.params);
  names.push(...head.paramNames);

  let carried: LayerState[] | undefined;
  let pending: LayerState[] | undefined;

  const zeros = (B: number): LayerState[] => layers.map(() => ({ h: tf.zeros([B, H]) as tf.Tensor2D, c: tf.zeros([B, H]) as tf.Tensor2D }));
  const disposeState = (st: LayerState[] | undefined): void => st?.forEach((x) => (x.h.dispose(), x.c.dispose()));

  /**
   * inputs [B, T] (row-major) from `start` states -> (top hidden states [T·B, H] in
   * time-major order, final states). Time-major because unstacking the time axis is
   * then a set of contiguous slices (the strided Unpack on axis 1 dominated a wasm step).
   * A row whose input at step t is <s> starts a sentence there: its state is zeroed
   * first, so each sentence is conditioned on itself alone, as evaluation (and every
   * n-gram model) scores it; a sentence cut by a batch boundary still carries over.
   * Where it can, a layer runs its whole sequence on the heap (lib/nn/backend/
   * wasm-lstm-sequence.ts); `inference` (no gradient will be taken) skips what only
   * the backward pass needs.
   */
  const forward = (inputs: Int32Array, B: number, T: number, start: LayerState[], rate: number, seed: number, inference = false) => {
    const tm = toTimeMajor(inputs, B, T);
    const resetRows = sentenceStartRows(tm, B, T); // per step: the rows whose input is <s>
    let resets: (tf.Tensor2D | undefined)[] | undefined; // the same as (B, 1) masks, for the per-step ops
    let x = dropout(embed(emb, tm), rate, mixSeed(seed, 0)) as tf.Tensor2D; // (T·B, E)
    const finals: LayerState[] = [];
    for (let l = 0; l < L; l++) {
      const { wx, wh, b } = layers[l]!;
      // One big matMul for the input contribution of every step, then T small recurrent ones.
      const xwAll = tf.add(tf.matMul(x, wx), b) as tf.Tensor2D; // (T·B, 4H)
      const seq = (inference ? lstmSequenceInference : lstmSequenceTrain)(xwAll, wh as tf.Tensor2D, start[l]!.h, start[l]!.c, T, resetRows);
      if (seq) {
        finals.push({ h: seq.h, c: seq.c });
        x = dropout(seq.hs, rate, mixSeed(seed, l + 1)) as tf.Tensor2D; // (T·B, H), as below
        continue;
      }
      resets ??= sentenceStartMasks(resetRows, B);
      const xw = tf.reshape(xwAll, [T, B, 4 * H]); // (T, B, 4H)
      const steps = tf.unstack(xw, 0) as tf.Tensor2D[]; // T × (B, 4H)
      let { h, c } = start[l]!;
      const hs: tf.Tensor2D[] = [];
      for (let t = 0; t < T; t++) {
        const keep = resets[t];
        if (keep) (h = tf.mul(h, keep)), (c = tf.mul(c, keep));
        ({ h, c } = lstmStep(steps[t]!, { h, c }, wh));
        hs.push(h);
      }
      finals.push({ h, c });
      x = dropout(tf.reshape(tf.stack(hs, 0), [T * B, H]), rate, mixSeed(seed, l + 1)) as tf.Tensor2D; // (T·B, H)
    }
    return { top: x, finals };
  };

  return {
    config: cfg,
    params,
    paramNames: names,
    maxContext: Infinity,
    trainLoss(batch: Batch, seed: number) {
      const start = carried && carried[0]!.h.shape[0] === batch.B ? carried : undefined;
      return tf.tidy(() => {
        const { top, finals } = forward(batch.inputs, batch.B, batch.T, start ?? zeros(batch.B), cfg.dropout, seed);
        disposeState(pending);
        // The carried state crosses batches as a constant: gradients stop here (truncated BPTT).
        pending = finals.map((st) => ({ h: tf.keep(st.h.clone()), c: tf.keep(st.c.clone()) }));
        return head.loss(top, toTimeMajor(batch.targets, batch.B, batch.T), batch.weights && toTimeMajorF(batch.weights, batch.B, batch.T));
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
      return tf.tidy(() => tf.reshape(tf.transpose(tf.reshape(head.logits(forward(inputs, B, T, zeros(B), 0, 0, true).top), [T, B, V]), [1, 0, 2]), [B * T, V]) as tf.Tensor2D);
    },
    scoreSequences(inputs, B, T, targets) {
      const top = tf.tidy(() => forward(inputs, B, T, zeros(B), 0, 0, true).top);
      const tm = head.labelLogProbs(top, toTimeMajor(targets, B, T));
      top.dispose();
      const out = new Float32Array(B * T);
      for (let t = 0; t < T; t++) for (let r = 0; r < B; r++) out[r * T + t] = tm[t * B + r]!;
      return out;
    },
  };
}

/** For each step of time-major inputs [T, B]: the rows whose input is <s> (undefined where none is). */
function sentenceStartRows(tm: Int32Array, B: number, T: number): (Int32Array | undefined)[] {
  const out: (Int32Array | undefined)[] = [];
  for (let t = 0; t < T; t++) {
    const rows: number[] = [];
    for (let r = 0; r < B; r++) if (tm[t * B + r] === BOS) rows.push(r);
    out.push(rows.length ? Int32Array.from(rows) : undefined);
  }
  return out;
}

/** The rows of `sentenceStartRows` as (B, 1) masks per step, 0 at a sentence start and 1 elsewhere; undefined where no row starts one. */
function sentenceStartMasks(rows: (Int32Array | undefined)[], B: number): (tf.Tensor2D | undefined)[] {
  return rows.map((rs) => {
    if (!rs) return undefined;
    const keep = new Float32Array(B).fill(1);
    for (const r of rs) keep[r] = 0;
    return tf.tensor2d(keep, [B, 1]);
  });
}
