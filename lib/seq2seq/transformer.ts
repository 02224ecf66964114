// Transformer encoder–decoder (Vaswani et al. 2017, "Attention Is All You
// Need"), with the pre-LN block placement (Xiong et al. 2020, "On Layer
// Normalization in the Transformer Architecture"), which trains without the
// post-LN model's sensitivity to the warm-up length:
//
// Encoder, `layers` blocks over x = √D·E_src[src] + PE (B·S, D):
//   x = x + MHA(LN(x); keys: x, padded source keys masked)
//   x = x + FFN(LN(x));                 memory = LN(x)
// Decoder, `layers` blocks over y = √D·E_tgt[<s> y1 ..] + PE (B·T, D):
//   y = y + MHA(LN(y); keys: y, causal mask)
//   y = y + MHA(LN(y); keys: memory, padded source keys masked)   (cross-attention)
//   y = y + FFN(LN(y));                 p(y_t) = softmax(W_o LN(y) + b)
// MHA = concat_h softmax(Q_h K_hᵀ/√d_k + mask) V_h · Wo (lib/nn/attention.ts),
// FFN = W2·ReLU(W1·x) (§3.3). Positions are sinusoidal (§3.5) or a learned
// table; with `shareEmbeddings` the decoder's input embedding is also the
// output projection W_o (Press & Wolf 2017; §3.4 shares it). Dropout on the
// embeddings, the attention weights and each sublayer's output (§5.4).
//
// Decoding is incremental: the state holds each decoder layer's self-attention
// keys and values of the prefix, (B, NH, t, dk), so step t projects only the
// new token and attends over the cache; the encoder's cross-attention keys and
// values are projected once per sentence. Masked weights are exactly 0
// (exp(−1e9) in float32), so a step gives the teacher-forced pass's numbers.

import { tf } from '../nn/backend/index.js';
import { attendHeads, causalMask, keyPaddingMask, splitHeads } from '../nn/attention.js';
import { feedForward } from '../nn/ffn.js';
import { layerNorm } from '../nn/layer-norm.js';
import { createOutputLayer } from '../nn/output.js';
import { dropout, embed, makeParam } from '../nn/params.js';
import { sinusoidalPositions } from '../nn/positions.js';
import { mixSeed, normalArray, uniformArray } from '../nn/random.js';
import type { PairBatch } from './data.js';
import { keepRows, sumScored, type Encoded, type RowTensors, type Seq2SeqConfig, type Seq2SeqModel } from './model.js';

/** Rows of the learned position table; later positions share its last row. */
export const LEARNED_POSITIONS = 512;

interface Attn {
  wq: tf.Variable; wk: tf.Variable; wv: tf.Variable; wo: tf.Variable; bo: tf.Variable;
}
interface Ffn {
  w1: tf.Variable; b1: tf.Variable; w2: tf.Variable; b2: tf.Variable;
}
interface EncBlock {
  ln1g: tf.Variable; ln1b: tf.Variable; self: Attn;
  ln2g: tf.Variable; ln2b: tf.Variable; ffn: Ffn;
}
interface DecBlock extends EncBlock {
  lncg: tf.Variable; lncb: tf.Variable; cross: Attn;
}

/** The encoder's output: per decoder layer, the cross-attention keys and values (B, NH, S, dk), and the (B, 1, 1, S) padding mask. */
interface TransformerEncoded extends Encoded {
  mask: tf.Tensor4D;
  k: tf.Tensor4D[];
  v: tf.Tensor4D[];
}

/** After t decoded tokens: per decoder layer, the self-attention keys and values of the prefix, (B, NH, t, dk). */
interface TransformerState extends RowTensors {
  t: number;
  k: tf.Tensor4D[];
  v: tf.Tensor4D[];
}

export function createTransformerSeq2Seq(cfg: Seq2SeqConfig): Seq2SeqModel {
  const { srcVocab: Vs, tgtVocab: Vt } = cfg;
  const D = cfg.dModel!;
  const NH = cfg.heads!;
  const L = cfg.layers!;
  const F = cfg.ffn!;
  if (D % NH !== 0) throw new Error(`--heads ${NH} does not divide --d-model ${D}`);
  const dk = D / NH;
  const smoothing = cfg.labelSmoothing ?? 0;
  const params: tf.Variable[] = [];
  const names: string[] = [];
  let k = 0;
  const p = (name: string, shape: number[], values: Float32Array): tf.Variable => {
    const v = makeParam(name, shape, values);
    params.push(v);
    names.push(name);
    return v;
  };
  /** Glorot & Bengio (2010) uniform initialization of a (fanIn, fanOut) matrix. */
  const xavier = (name: string, fanIn: number, fanOut: number): tf.Variable => p(name, [fanIn, fanOut], uniformArray(fanIn * fanOut, Math.sqrt(6 / (fanIn + fanOut)), mixSeed(cfg.seed, 30, k++)));
  const zeros = (name: string, n: number): tf.Variable => p(name, [n], new Float32Array(n));
  const ones = (name: string, n: number): tf.Variable => p(name, [n], new Float32Array(n).fill(1));
  // Embeddings N(0, 1/D), scaled by √D on lookup (§3.4): unit-variance inputs, and tied logits of unit scale.
  const srcEmb = p('src_embedding', [Vs, D], normalArray(Vs * D, 1 / Math.sqrt(D), mixSeed(cfg.seed, 31))); // (Vs, D)
  const tgtEmb = p('tgt_embedding', [Vt, D], normalArray(Vt * D, 1 / Math.sqrt(D), mixSeed(cfg.seed, 32))); // (Vt, D)
  const posEmb = cfg.positions === 'learned' ? p('position_embedding', [LEARNED_POSITIONS, D], normalArray(LEARNED_POSITIONS * D, 0.02, mixSeed(cfg.seed, 33))) : undefined; // (P, D)
  const attn = (pre: string): Attn => ({ wq: xavier(`${pre}_wq`, D, D), wk: xavier(`${pre}_wk`, D, D), wv: xavier(`${pre}_wv`, D, D), wo: xavier(`${pre}_wo`, D, D), bo: zeros(`${pre}_bo`, D) });
  const ffn = (pre: string): Ffn => ({ w1: xavier(`${pre}_w1`, D, F), b1: zeros(`${pre}_b1`, F), w2: xavier(`${pre}_w2`, F, D), b2: zeros(`${pre}_b2`, D) });
  const encBlocks: EncBlock[] = [];
  for (let l = 0; l < L; l++) {
    const pre = `enc${l}`;
    encBlocks.push({ ln1g: ones(`${pre}_ln1_g`, D), ln1b: zeros(`${pre}_ln1_b`, D), self: attn(`${pre}_self`), ln2g: ones(`${pre}_ln2_g`, D), ln2b: zeros(`${pre}_ln2_b`, D), ffn: ffn(`${pre}_ffn`) });
  }
  const encLnG = ones('enc_ln_g', D);
  const encLnB = zeros('enc_ln_b', D);
  const decBlocks: DecBlock[] = [];
  for (let l = 0; l < L; l++) {
    const pre = `dec${l}`;
    decBlocks.push({
      ln1g: ones(`${pre}_ln1_g`, D), ln1b: zeros(`${pre}_ln1_b`, D), self: attn(`${pre}_self`),
      lncg: ones(`${pre}_lnc_g`, D), lncb: zeros(`${pre}_lnc_b`, D), cross: attn(`${pre}_cross`),
      ln2g: ones(`${pre}_ln2_g`, D), ln2b: zeros(`${pre}_ln2_b`, D), ffn: ffn(`${pre}_ffn`),
    });
  }
  const decLnG = ones('dec_ln_g', D);
  const decLnB = zeros('dec_ln_b', D);
  const out = createOutputLayer({
    kind: cfg.softmax ?? 'full',
    vocab: Vt,
    hidden: D,
    classes: 0,
    init: (name, count) => uniformArray(count, Math.sqrt(6 / (D + Vt)), mixSeed(cfg.seed, 34, ['output_w', 'class_w', 'word_w'].indexOf(name))),
    ...(cfg.shareEmbeddings ? { tiedEmbedding: tgtEmb } : {}),
  });
  params.push(...out.params);
  names.push(...out.paramNames);

  /** √D·E[ids] + PE(positions): (n, D). */
  const inputs = (table: tf.Variable, ids: Int32Array, positions: Int32Array): tf.Tensor2D => {
    const e = tf.mul(embed(table, ids), Math.sqrt(D));
    const pe = posEmb ? embed(posEmb, positions.map((q) => Math.min(q, LEARNED_POSITIONS - 1))) : tf.tensor2d(sinusoidalPositions(positions, D), [positions.length, D]);
    return tf.add(e, pe) as tf.Tensor2D;
  };
  /** Position of every entry of a row-major (B, T) batch: 0..T−1 per row. */
  const rowPositions = (B: number, T: number): Int32Array => Int32Array.from({ length: B * T }, (_, i) => i % T);
  /** x + dropout(f(x)) */
  const residual = (x: tf.Tensor2D, y: tf.Tensor2D, rate: number, seed: number): tf.Tensor2D => tf.add(x, dropout(y, rate, seed)) as tf.Tensor2D;
  const project = (x: tf.Tensor2D, w: tf.Variable, B: number, T: number): tf.Tensor4D => splitHeads(tf.matMul(x, w), B, T, NH); // (B, NH, T, dk)

  /** -> memory (B·S, D) and the padding mask (B, 1, 1, S). */
  const encodeT = (src: Int32Array, srcLen: Int32Array, B: number, S: number, rate: number, seed: number): { memory: tf.Tensor2D; mask: tf.Tensor4D } => {
    const mask = keyPaddingMask(srcLen, S);
    let x = dropout(inputs(srcEmb, src, rowPositions(B, S)), rate, mixSeed(seed, 40)); // (B·S, D)
    encBlocks.forEach((b, l) => {
      const a = layerNorm(x, b.ln1g, b.ln1b);
      const y = attendHeads(project(a, b.self.wq, B, S), project(a, b.self.wk, B, S), project(a, b.self.wv, B, S), [mask], rate, mixSeed(seed, 41, l));
      x = residual(x, tf.add(tf.matMul(y, b.self.wo), b.self.bo) as tf.Tensor2D, rate, mixSeed(seed, 42, l));
      x = residual(x, feedForward(layerNorm(x, b.ln2g, b.ln2b), b.ffn, 'relu'), rate, mixSeed(seed, 43, l));
    });
    return { memory: layerNorm(x, encLnG, encLnB), mask };
  };

  /** Teacher forcing: the decoder's final states (B·T, D), row-major; `keep` receives each layer's cross-attention (B, NH, T, S). */
  const forward = (b: PairBatch, rate: number, seed: number, keep?: (att: tf.Tensor4D) => void): tf.Tensor2D => {
    const { B, S, T } = b;
    const { memory, mask } = encodeT(b.src, b.srcLen, B, S, rate, seed);
    const causal = causalMask(T);
    let y = dropout(inputs(tgtEmb, b.tgtIn, rowPositions(B, T)), rate, mixSeed(seed, 50)); // (B·T, D)
    decBlocks.forEach((d, l) => {
      const a = layerNorm(y, d.ln1g, d.ln1b);
      const s = attendHeads(project(a, d.self.wq, B, T), project(a, d.self.wk, B, T), project(a, d.self.wv, B, T), [causal], rate, mixSeed(seed, 51, l));
      y = residual(y, tf.add(tf.matMul(s, d.self.wo), d.self.bo) as tf.Tensor2D, rate, mixSeed(seed, 52, l));
      const c = layerNorm(y, d.lncg, d.lncb);
      const x = attendHeads(project(c, d.cross.wq, B, T), project(memory, d.cross.wk, B, S), project(memory, d.cross.wv, B, S), [mask], rate, mixSeed(seed, 53, l), keep);
      y = residual(y, tf.add(tf.matMul(x, d.cross.wo), d.cross.bo) as tf.Tensor2D, rate, mixSeed(seed, 54, l));
      y = residual(y, feedForward(layerNorm(y, d.ln2g, d.ln2b), d.ffn, 'relu'), rate, mixSeed(seed, 55, l));
    });
    return layerNorm(y, decLnG, decLnB);
  };

  /** One incremental step at position st.t: the last states (B, D), the next state, cross-attention (B, L·NH·S). */
  const stepT = (e: TransformerEncoded, st: TransformerState, prev: Int32Array): { h: tf.Tensor2D; state: TransformerState; attention: tf.Tensor2D } => {
    const { B, S } = e;
    let y = inputs(tgtEmb, prev, new Int32Array(B).fill(st.t)); // (B, D)
    const ks: tf.Tensor4D[] = [];
    const vs: tf.Tensor4D[] = [];
    const maps: tf.Tensor2D[] = [];
    decBlocks.forEach((d, l) => {
      const a = layerNorm(y, d.ln1g, d.ln1b);
      const kNew = project(a, d.self.wk, B, 1); // (B, NH, 1, dk)
      const vNew = project(a, d.self.wv, B, 1);
      // Every cached key precedes the new token: no mask.
      const kAll = st.t === 0 ? kNew : (tf.concat([st.k[l]!, kNew], 2) as tf.Tensor4D); // (B, NH, t+1, dk)
      const vAll = st.t === 0 ? vNew : (tf.concat([st.v[l]!, vNew], 2) as tf.Tensor4D);
      ks.push(kAll);
      vs.push(vAll);
      const s = attendHeads(project(a, d.self.wq, B, 1), kAll, vAll, [], 0, 0);
      y = tf.add(y, tf.add(tf.matMul(s, d.self.wo), d.self.bo)) as tf.Tensor2D;
      const c = layerNorm(y, d.lncg, d.lncb);
      let att!: tf.Tensor4D;
      const x = attendHeads(project(c, d.cross.wq, B, 1), e.k[l]!, e.v[l]!, [e.mask], 0, 0, (w) => (att = w));
      maps.push(tf.reshape(att, [B, NH * S]) as tf.Tensor2D); // (B, NH, 1, S) -> (B, NH·S)
      att.dispose(); // attendHeads kept it out of the tidy for us; the reshape is tracked
      y = tf.add(y, tf.add(tf.matMul(x, d.cross.wo), d.cross.bo)) as tf.Tensor2D;
      y = tf.add(y, feedForward(layerNorm(y, d.ln2g, d.ln2b), d.ffn, 'relu')) as tf.Tensor2D;
    });
    const attention = (L === 1 ? maps[0]! : tf.concat(maps, 1)) as tf.Tensor2D; // (B, L·NH·S), layer-major
    return { h: layerNorm(y, decLnG, decLnB), state: { t: st.t + 1, k: ks, v: vs }, attention };
  };

  return {
    config: cfg,
    params,
    paramNames: names,
    attentionMaps: { layers: L, heads: NH },
    trainLoss(b: PairBatch, seed: number) {
      return tf.tidy(() => out.loss(forward(b, cfg.dropout, seed), b.tgtOut, b.weights, smoothing));
    },
    positionLogProbs(b: PairBatch) {
      const h = tf.tidy(() => forward(b, 0, 0));
      const lp = out.labelLogProbs(h, b.tgtOut);
      h.dispose();
      return lp;
    },
    score(b: PairBatch) {
      return sumScored(this.positionLogProbs(b), b.weights);
    },
    encode(src, srcLen, B, S) {
      let r!: { enc: TransformerEncoded; state: TransformerState };
      tf.tidy(() => {
        const { memory, mask } = encodeT(src, srcLen, B, S, 0, 0);
        const enc: TransformerEncoded = { B, S, mask, k: decBlocks.map((d) => project(memory, d.cross.wk, B, S)), v: decBlocks.map((d) => project(memory, d.cross.wv, B, S)) };
        r = { enc, state: { t: 0, k: [], v: [] } };
        keepRows(r.enc);
      });
      return r;
    },
    step(e, st, prev) {
      let r!: { logProbs: tf.Tensor2D; state: TransformerState; attention: tf.Tensor2D };
      tf.tidy(() => {
        const s = stepT(e as TransformerEncoded, st as TransformerState, prev);
        r = { logProbs: tf.logSoftmax(out.logits(s.h)) as tf.Tensor2D, state: s.state, attention: s.attention };
        tf.keep(r.logProbs), tf.keep(r.attention), keepRows(r.state);
      });
      return r;
    },
  };
}
