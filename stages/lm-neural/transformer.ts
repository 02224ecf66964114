// A decoder-only Transformer language model (Vaswani et al. 2017, with the
// pre-LN block placement of Xiong et al. 2020 / GPT-2): token + learned
// position embeddings, then `layers` blocks of
//   x = x + MHA(LN(x)),  MHA = concat_h softmax(Q_h K_hᵀ/√d_k + causal mask) V_h · Wo
//   x = x + W2·GELU(W1·LN(x))
// and a final LN before the (optionally tied) output layer.

import { tf } from '../../lib/nn/backend/index.js';
import { causalMask, multiHeadAttention } from '../../lib/nn/attention.js';
import { feedForward } from '../../lib/nn/ffn.js';
import { layerNorm } from '../../lib/nn/layer-norm.js';
import { dropout, embed, makeParam } from '../../lib/nn/params.js';
import { mixSeed, normalArray } from '../../lib/nn/random.js';
import { outputLayerFor, type Batch, type ModelConfig, type NeuralLM } from './model.js';

interface Block {
  ln1g: tf.Variable; ln1b: tf.Variable;
  wq: tf.Variable; wk: tf.Variable; wv: tf.Variable; wo: tf.Variable; bo: tf.Variable;
  ln2g: tf.Variable; ln2b: tf.Variable;
  w1: tf.Variable; b1: tf.Variable; w2: tf.Variable; b2: tf.Variable;
}

/** Attention weights of one forward pass: [layer] -> (B, heads, T, T). */
export type AttentionMaps = tf.Tensor4D[];

export { causalMask };

export function createTransformerLM(cfg: ModelConfig): NeuralLM & { attention(inputs: Int32Array, T: number): { logits: tf.Tensor2D; maps: AttentionMaps } } {
  const { vocab: V, embed: D, hidden: F, layers: L, heads: NH, context: C } = cfg;
  if (D % NH !== 0) throw new Error(`--heads ${NH} does not divide --d-model ${D}`);
  const std = 0.02; // GPT-2 initialization
  const s = (i: number): number => mixSeed(cfg.seed, 3, i);
  const params: tf.Variable[] = [];
  const names: string[] = [];
  const p = (name: string, shape: number[], values: Float32Array): tf.Variable => {
    const v = makeParam(name, shape, values);
    params.push(v);
    names.push(name);
    return v;
  };
  const n = (shape: number[], i: number, sd = std): Float32Array => normalArray(shape.reduce((a, b) => a * b, 1), sd, s(i));
  const ones = (k: number): Float32Array => new Float32Array(k).fill(1);
  const tok = p('token_embedding', [V, D], n([V, D], 0)); // (V, D)
  const pos = p('position_embedding', [C, D], n([C, D], 1, 0.01)); // (C, D)
  const blocks: Block[] = [];
  // Residual projections scaled by 1/√(2L) (GPT-2).
  const resStd = std / Math.sqrt(2 * L);
  for (let l = 0; l < L; l++) {
    const k = 10 + 10 * l;
    blocks.push({
      ln1g: p(`b${l}_ln1_g`, [D], ones(D)), ln1b: p(`b${l}_ln1_b`, [D], new Float32Array(D)),
      wq: p(`b${l}_wq`, [D, D], n([D, D], k)), wk: p(`b${l}_wk`, [D, D], n([D, D], k + 1)),
      wv: p(`b${l}_wv`, [D, D], n([D, D], k + 2)), wo: p(`b${l}_wo`, [D, D], n([D, D], k + 3, resStd)),
      bo: p(`b${l}_bo`, [D], new Float32Array(D)),
      ln2g: p(`b${l}_ln2_g`, [D], ones(D)), ln2b: p(`b${l}_ln2_b`, [D], new Float32Array(D)),
      w1: p(`b${l}_w1`, [D, F], n([D, F], k + 4)), b1: p(`b${l}_b1`, [F], new Float32Array(F)),
      w2: p(`b${l}_w2`, [F, D], n([F, D], k + 5, resStd)), b2: p(`b${l}_b2`, [D], new Float32Array(D)),
    });
  }
  const lnfg = p('lnf_g', [D], ones(D));
  const lnfb = p('lnf_b', [D], new Float32Array(D));
  const out = outputLayerFor(cfg, D, tok, (name, count) => normalArray(count, std, s(name === 'output_w' ? 2 : name === 'class_w' ? 3 : 4)));
  params.push(...out.params);
  names.push(...out.paramNames);

  /** -> the final layer-normed states (B·T, D) */
  const forward = (inputs: Int32Array, B: number, T: number, rate: number, seed: number, maps?: AttentionMaps): tf.Tensor2D => {
    if (T > C) throw new Error(`sequence of ${T} tokens is longer than the model's context ${C}`);
    const mask = causalMask(T); // (T, T)
    const posIds = new Int32Array(B * T);
    for (let i = 0; i < B * T; i++) posIds[i] = i % T;
    let x = tf.add(embed(tok, inputs), embed(pos, posIds)) as tf.Tensor2D; // (B·T, D)
    x = dropout(x, rate, mixSeed(seed, 0));
    for (let l = 0; l < L; l++) {
      const b = blocks[l]!;
      const a = layerNorm(x, b.ln1g, b.ln1b); // (B·T, D)
      const y = multiHeadAttention(b, { query: a, keyValue: a, B, Tq: T, Tk: T, heads: NH, masks: [mask], rate, seed: mixSeed(seed, l, 1), keep: maps && ((att) => maps.push(att)) }); // (B·T, D)
      x = tf.add(x, dropout(y, rate, mixSeed(seed, l, 2))) as tf.Tensor2D;
      const m = layerNorm(x, b.ln2g, b.ln2b);
      x = tf.add(x, dropout(feedForward(m, b), rate, mixSeed(seed, l, 3))) as tf.Tensor2D; // (B·T, D)
    }
    return layerNorm(x, lnfg, lnfb);
  };

  return {
    config: cfg,
    params,
    paramNames: names,
    maxContext: C,
    trainLoss(batch: Batch, seed: number) {
      return tf.tidy(() => out.loss(forward(batch.inputs, batch.B, batch.T, cfg.dropout, seed), batch.targets, batch.weights));
    },
    logits(inputs, B, T) {
      return tf.tidy(() => out.logits(forward(inputs, B, T, 0, 0)));
    },
    scoreSequences(inputs, B, T, targets) {
      const h = tf.tidy(() => forward(inputs, B, T, 0, 0));
      const lp = out.labelLogProbs(h, targets);
      h.dispose();
      return lp;
    },
    /** One sequence (B = 1) with its attention maps kept (caller disposes). */
    attention(inputs: Int32Array, T: number) {
      const maps: AttentionMaps = [];
      const logits = tf.tidy(() => out.logits(forward(inputs, 1, T, 0, 0, maps)));
      return { logits, maps };
    },
  };
}
