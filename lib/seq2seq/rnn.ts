// Recurrent encoder–decoder with attention.
//
// Encoder: a bidirectional LSTM (Schuster & Paliwal 1997) over the source; the
// two directions' outputs are concatenated, (B, S, 2H), and projected to the
// attention memory m_s, (B, S, H). Padded steps leave a direction's state
// unchanged, so the backward direction starts at each row's last real token
// and a padded row encodes exactly as the unpadded one.
//
// Decoder: the attentional LSTM of Luong, Pham & Manning (2015), "Effective
// Approaches to Attention-based Neural Machine Translation", §3, with input
// feeding (§3.3):
//   (h_t, c_t) = LSTM([E y_{t−1}; h̃_{t−1}], h_{t−1}, c_{t−1})
//   a_t = softmax_s(score(h_t, m_s) + mask_s)          (B, S)
//   c̃_t = Σ_s a_t,s m_s;   h̃_t = tanh(W_c [c̃_t; h_t]);  p(y_t) = softmax(W_o h̃_t + b)
// with score = dot: h_tᵀ m_s, general: h_tᵀ W_a m_s (Luong 2015, eq. 8), or
// additive: vᵀ tanh(W_1 m_s + W_2 h_t) (Bahdanau, Cho & Bengio 2015, eq. 6;
// here scored against the current decoder state, as Luong's "concat").
// The decoder starts from h_0 = tanh(W_b [→h_S; ←h_1]), c_0 = 0. Training is
// teacher-forced; dropout on embeddings and on h̃.

import { tf } from '../nn/backend/index.js';
import { BOS } from '../formats/tokens.js';
import { MASKED } from '../nn/attention.js';
import { lstmBias, lstmStep, type LstmState } from '../nn/lstm-cell.js';
import { lstmSequenceInference, lstmSequenceTrain } from '../nn/backend/wasm-lstm-sequence.js';
import { createOutputLayer } from '../nn/output.js';
import { dropout, embed, makeParam } from '../nn/params.js';
import { mixSeed, uniformArray } from '../nn/random.js';
import { toTimeMajor, toTimeMajorF } from '../nn/time-major.js';
import type { PairBatch } from './data.js';
import { disposeEncoded, disposeState, keepRows, sumScored, type Encoded, type RowTensors, type Seq2SeqConfig, type Seq2SeqModel } from './model.js';

/** The RNN's encoder output: (B, S, H) memory, (B, S) additive mask, memory·W1 (B, S, H) for additive attention. */
interface RnnEncoded extends Encoded {
  memory: tf.Tensor3D;
  mask: tf.Tensor2D;
  keys?: tf.Tensor3D;
}

/** The decoder's state between steps, (B, H) each; `feed` is the previous attentional state h̃ (input feeding). */
interface RnnState extends RowTensors {
  h: tf.Tensor2D;
  c: tf.Tensor2D;
  feed: tf.Tensor2D;
}

/** (B, S) additive mask from row lengths: 0 on the first len[b] positions, −1e9 after. */
export function sourceMask(srcLen: Int32Array, S: number): tf.Tensor2D {
  const m = new Float32Array(srcLen.length * S);
  srcLen.forEach((n, b) => m.fill(MASKED, b * S + n, (b + 1) * S));
  return tf.tensor2d(m, [srcLen.length, S]);
}

export function createRnnSeq2Seq(cfg: Seq2SeqConfig): Seq2SeqModel {
  const { srcVocab: Vs, tgtVocab: Vt, embed: E, hidden: H } = cfg;
  const params: tf.Variable[] = [];
  const names: string[] = [];
  let k = 0;
  const p = (name: string, shape: number[], values?: Float32Array): tf.Variable => {
    const n = shape.reduce((a, b) => a * b, 1);
    const v = makeParam(name, shape, values ?? uniformArray(n, 0.1, mixSeed(cfg.seed, 20, k++)));
    params.push(v);
    names.push(name);
    return v;
  };
  const srcEmb = p('src_embedding', [Vs, E]); // (Vs, E)
  const tgtEmb = p('tgt_embedding', [Vt, E]); // (Vt, E)
  const enc = (d: string) => ({ wx: p(`enc_${d}_wx`, [E, 4 * H]), wh: p(`enc_${d}_wh`, [H, 4 * H]), b: p(`enc_${d}_b`, [4 * H], lstmBias(H)) });
  const fwd = enc('fwd');
  const bwd = enc('bwd');
  const memW = p('memory_w', [2 * H, H]); // (2H, H)
  const bridgeW = p('bridge_w', [2 * H, H]); // (2H, H)
  const bridgeB = p('bridge_b', [H], new Float32Array(H));
  const dec = { wx: p('dec_wx', [E + H, 4 * H]), wh: p('dec_wh', [H, 4 * H]), b: p('dec_b', [4 * H], lstmBias(H)) };
  const wa = cfg.attention === 'general' ? p('att_general_w', [H, H]) : undefined; // (H, H)
  const w1 = cfg.attention === 'additive' ? p('att_w1', [H, H]) : undefined; // (H, H)
  const w2 = cfg.attention === 'additive' ? p('att_w2', [H, H]) : undefined; // (H, H)
  const va = cfg.attention === 'additive' ? p('att_v', [H, 1]) : undefined; // (H, 1)
  const wc = p('combine_w', [2 * H, H]); // (2H, H)
  const out = createOutputLayer({ kind: cfg.softmax ?? 'full', vocab: Vt, hidden: H, classes: 0, init: (_n, count) => uniformArray(count, 0.1, mixSeed(cfg.seed, 21)) });
  params.push(...out.params);
  names.push(...out.paramNames);

  /**
   * One direction over time-major embeddings (S·B, E): its outputs (S, B, H) time-major,
   * and each row's final state (after its last real token, or its first for `reverse`).
   * Where it can, the whole direction runs on the heap (lib/nn/backend/wasm-lstm-sequence.ts):
   * the forward one runs on through a row's padding, whose outputs the attention mask
   * weighs exactly 0, and its final state is picked at the row's last real step; the
   * reverse one runs over the reversed steps with each row's state zeroed before its
   * last real token, so its padding changes nothing. `inference`: no gradient is taken.
   */
  const direction = (w: typeof fwd, x: tf.Tensor2D, srcLen: Int32Array, B: number, S: number, reverse: boolean, inference: boolean): { hs: tf.Tensor3D; final: tf.Tensor2D } => {
    const xwAll = tf.add(tf.matMul(x, w.wx), w.b) as tf.Tensor2D; // (S·B, 4H), time-major
    const zero = (): tf.Tensor2D => tf.zeros([B, H]) as tf.Tensor2D;
    const sequence = inference ? lstmSequenceInference : lstmSequenceTrain;
    if (!reverse) {
      const seq = sequence(xwAll, w.wh as tf.Tensor2D, zero(), zero(), S, []);
      if (seq) {
        const hs = tf.reshape(seq.hs, [S, B, H]) as tf.Tensor3D;
        const last = new Float32Array(S * B); // 1 at (len[b] − 1, b): an exact pick, 1·h + 0·(the rest)
        srcLen.forEach((n, b) => (last[(n - 1) * B + b] = 1));
        return { hs, final: tf.sum(tf.mul(hs, tf.tensor3d(last, [S, B, 1])), 0) as tf.Tensor2D };
      }
    } else {
      // Zeroed before the step at position len[b] − 1 (a full-length row starts from zero anyway).
      const rowsAt: number[][] = Array.from({ length: S }, () => []);
      srcLen.forEach((n, b) => n < S && rowsAt[n - 1]!.push(b));
      const resets = rowsAt.map((rows) => (rows.length ? Int32Array.from(rows) : undefined));
      const seq = sequence(xwAll, w.wh as tf.Tensor2D, zero(), zero(), S, resets, true);
      if (seq) return { hs: tf.reshape(seq.hs, [S, B, H]) as tf.Tensor3D, final: seq.h };
    }
    // Per-step ops: a padded step keeps the state (exact selection).
    // tfjs's Unpack gradient fails for a single output: a one-token source is a reshape.
    const all = tf.reshape(xwAll, [S, B, 4 * H]); // (S, B, 4H)
    const xw = S === 1 ? [tf.reshape(all, [B, 4 * H]) as tf.Tensor2D] : (tf.unstack(all, 0) as tf.Tensor2D[]); // S × (B, 4H)
    let st: LstmState = { h: zero(), c: zero() };
    const hs: tf.Tensor2D[] = new Array<tf.Tensor2D>(S);
    for (let i = 0; i < S; i++) {
      const t = reverse ? S - 1 - i : i;
      const next = lstmStep(xw[t]!, st, w.wh);
      const real = tf.tensor2d(Array.from(srcLen, (n) => t < n), [B, 1], 'bool');
      st = { h: tf.where(real, next.h, st.h) as tf.Tensor2D, c: tf.where(real, next.c, st.c) as tf.Tensor2D };
      hs[t] = st.h;
    }
    return { hs: tf.stack(hs, 0) as tf.Tensor3D, final: st.h };
  };
  const encodeT = (src: Int32Array, srcLen: Int32Array, B: number, S: number, rate: number, seed: number, inference: boolean): { enc: RnnEncoded; state: RnnState } => {
    const x = dropout(embed(srcEmb, toTimeMajor(src, B, S)), rate, mixSeed(seed, 1)); // (S·B, E)
    const f = direction(fwd, x, srcLen, B, S, false, inference);
    const b = direction(bwd, x, srcLen, B, S, true, inference);
    const both = tf.transpose(tf.concat([f.hs, b.hs], 2), [1, 0, 2]) as tf.Tensor3D; // (B, S, 2H)
    const memory = tf.reshape(tf.matMul(tf.reshape(both, [B * S, 2 * H]), memW), [B, S, H]) as tf.Tensor3D; // (B, S, H)
    const h0 = tf.tanh(tf.add(tf.matMul(tf.concat([f.final, b.final], 1), bridgeW), bridgeB)) as tf.Tensor2D; // (B, H)
    const keys = w1 ? (tf.reshape(tf.matMul(tf.reshape(memory, [B * S, H]), w1), [B, S, H]) as tf.Tensor3D) : undefined;
    return { enc: { B, S, memory, mask: sourceMask(srcLen, S), keys }, state: { h: h0, c: tf.zerosLike(h0), feed: tf.zerosLike(h0) } };
  };

  /** One teacher-forced or decoding step from the previous tokens' embeddings (B, E): -> h̃ (B, H), attention (B, S), next state. */
  const stepT = (e: RnnEncoded, st: RnnState, prevEmb: tf.Tensor2D, rate: number, seed: number): { ht: tf.Tensor2D; att: tf.Tensor2D; state: RnnState } => {
    const { B, S } = e;
    const x = tf.concat([dropout(prevEmb, rate, seed), st.feed], 1) as tf.Tensor2D; // (B, E+H)
    const { h, c } = lstmStep(tf.add(tf.matMul(x, dec.wx), dec.b) as tf.Tensor2D, st, dec.wh);
    let scores: tf.Tensor2D; // (B, S)
    if (cfg.attention === 'additive') {
      const q = tf.reshape(tf.matMul(h, w2!), [B, 1, H]);
      scores = tf.reshape(tf.matMul(tf.reshape(tf.tanh(tf.add(e.keys!, q)), [B * S, H]), va!), [B, S]);
    } else {
      const q = cfg.attention === 'general' ? tf.matMul(h, wa!) : h; // (B, H)
      scores = tf.reshape(tf.matMul(e.memory, tf.reshape(q, [B, H, 1])), [B, S]);
    }
    const att = tf.softmax(tf.add(scores, e.mask)) as tf.Tensor2D; // (B, S); padded sources get exactly 0
    const ctx = tf.reshape(tf.matMul(tf.reshape(att, [B, 1, S]), e.memory), [B, H]); // (B, H)
    const ht = tf.tanh(tf.matMul(tf.concat([ctx, h], 1), wc)) as tf.Tensor2D; // (B, H)
    const dropped = dropout(ht, rate, mixSeed(seed, 2));
    return { ht: dropped, att, state: { h, c, feed: dropped } };
  };

  /** Teacher forcing over a batch: h̃ time-major (T·B, H). */
  const forward = (b: PairBatch, rate: number, seed: number, inference = false): tf.Tensor2D => {
    const { enc: e, state } = encodeT(b.src, b.srcLen, b.B, b.S, rate, seed, inference);
    let st = state;
    // Every step's input embeddings in one lookup: its gradient is one scatter-add into the
    // [Vt, E] table, where a lookup per step made T dense [Vt, E] gradients and T − 1 adds of them
    // (6% of a Multi30K step). tfjs's Unpack gradient fails for a single output: T = 1 is a reshape.
    const embAll = tf.reshape(embed(tgtEmb, toTimeMajor(b.tgtIn, b.B, b.T)), [b.T, b.B, E]);
    const embs = b.T === 1 ? [tf.reshape(embAll, [b.B, E]) as tf.Tensor2D] : (tf.unstack(embAll, 0) as tf.Tensor2D[]);
    const hts: tf.Tensor2D[] = [];
    for (let t = 0; t < b.T; t++) {
      const r = stepT(e, st, embs[t]!, rate, mixSeed(seed, 3, t));
      hts.push(r.ht);
      st = r.state;
    }
    return tf.concat(hts, 0) as tf.Tensor2D; // (T·B, H)
  };

  return {
    config: cfg,
    params,
    paramNames: names,
    attentionMaps: { layers: 1, heads: 1 },
    trainLoss(b: PairBatch, seed: number) {
      return tf.tidy(() => out.loss(forward(b, cfg.dropout, seed), toTimeMajor(b.tgtOut, b.B, b.T), toTimeMajorF(b.weights, b.B, b.T), cfg.labelSmoothing ?? 0));
    },
    positionLogProbs(b: PairBatch) {
      const h = tf.tidy(() => forward(b, 0, 0, true));
      const lp = out.labelLogProbs(h, toTimeMajor(b.tgtOut, b.B, b.T)); // time-major (T·B)
      h.dispose();
      const rowMajor = new Float32Array(lp.length);
      for (let t = 0; t < b.T; t++) for (let r = 0; r < b.B; r++) rowMajor[r * b.T + t] = lp[t * b.B + r]!;
      return rowMajor;
    },
    score(b: PairBatch) {
      return sumScored(this.positionLogProbs(b), b.weights);
    },
    encode(src, srcLen, B, S) {
      let r!: { enc: RnnEncoded; state: RnnState };
      tf.tidy(() => {
        r = encodeT(src, srcLen, B, S, 0, 0, true);
        keepRows(r.enc), keepRows(r.state);
      });
      return r;
    },
    step(e, st, prev) {
      let r!: { logProbs: tf.Tensor2D; state: RnnState; attention: tf.Tensor2D };
      tf.tidy(() => {
        const s = stepT(e as RnnEncoded, st as RnnState, embed(tgtEmb, prev), 0, 0);
        r = { logProbs: tf.logSoftmax(out.logits(s.ht)) as tf.Tensor2D, state: s.state, attention: s.att };
        tf.keep(r.logProbs), tf.keep(r.attention), keepRows(r.state);
      });
      return r;
    },
  };
}

export { BOS, disposeEncoded, disposeState };
