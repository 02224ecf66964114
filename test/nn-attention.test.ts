// Multi-head attention's gradients (lib/nn/attention.ts; Vaswani et al. 2017,
// §3.2), causal and key-padding masks included, against central differences of
// its definition written out in float64. On wasm the batched products run on
// lexflow's BatchMatMul (backend/wasm-batched-matmul.ts).

import t from 'tap';
import { selectBackend, tf } from '../lib/nn/backend/index.js';
import { causalMask, keyPaddingMask, MASKED, multiHeadAttention } from '../lib/nn/attention.js';
import { centralDifferences, relativeDifference, uniformValues } from '../testkit/finite-differences.js';

const [B, NH, D] = [2, 2, 4];
const dk = D / NH;

interface Shape {
  Tq: number;
  Tk: number;
  causal: boolean;
  lengths: number[];
}

/** (n, D) · (D, D) in float64. */
function project(x: ArrayLike<number>, w: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n * D);
  for (let i = 0; i < n; i++) for (let j = 0; j < D; j++) for (let k = 0; k < D; k++) out[i * D + j]! += x[i * D + k]! * w[k * D + j]!;
  return out;
}

/** Σ r ⊙ MHA(xq, xkv): per row b, head h, query i: softmax_j(q·k/√dk + masks) · v, heads concatenated, then ·Wo + bo. */
function attentionLoss(s: Shape, xq: ArrayLike<number>, xkv: ArrayLike<number>, wq: ArrayLike<number>, wk: ArrayLike<number>, wv: ArrayLike<number>, wo: ArrayLike<number>, bo: ArrayLike<number>, r: Float32Array): number {
  const { Tq, Tk } = s;
  const q = project(xq, wq, B * Tq);
  const k = project(xkv, wk, B * Tk);
  const v = project(xkv, wv, B * Tk);
  const y = new Float64Array(B * Tq * D);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < NH; h++)
      for (let i = 0; i < Tq; i++) {
        const score = new Float64Array(Tk);
        let m = -Infinity;
        for (let j = 0; j < Tk; j++) {
          let dot = 0;
          for (let d = 0; d < dk; d++) dot += q[(b * Tq + i) * D + h * dk + d]! * k[(b * Tk + j) * D + h * dk + d]!;
          score[j] = dot / Math.sqrt(dk) + (s.causal && j > i ? MASKED : 0) + (j >= s.lengths[b]! ? MASKED : 0);
          m = Math.max(m, score[j]!);
        }
        let z = 0;
        for (let j = 0; j < Tk; j++) z += Math.exp(score[j]! - m);
        for (let j = 0; j < Tk; j++) {
          const a = Math.exp(score[j]! - m) / z;
          for (let d = 0; d < dk; d++) y[(b * Tq + i) * D + h * dk + d]! += a * v[(b * Tk + j) * D + h * dk + d]!;
        }
      }
  const out = project(y, wo, B * Tq);
  let loss = 0;
  for (let i = 0; i < B * Tq; i++) for (let j = 0; j < D; j++) loss += r[i * D + j]! * (out[i * D + j]! + bo[j]!);
  return loss;
}

const shapes: [string, Shape][] = [
  ['causal self-attention', { Tq: 5, Tk: 5, causal: true, lengths: [5, 5] }],
  ['encoder-decoder attention, padded keys', { Tq: 3, Tk: 6, causal: false, lengths: [6, 4] }],
];

for (const backend of ['wasm', 'cpu'] as const)
  for (const [name, s] of shapes)
    t.test(`${backend}, ${name}: gradients in the inputs and every weight match central differences of the float64 definition`, async (t) => {
      await selectBackend(backend);
      const self = s.causal;
      const init = {
        xq: uniformValues(B * s.Tq * D, 1),
        xkv: self ? new Float32Array(0) : uniformValues(B * s.Tk * D, 2),
        wq: uniformValues(D * D, 3),
        wk: uniformValues(D * D, 4),
        wv: uniformValues(D * D, 5),
        wo: uniformValues(D * D, 6),
        bo: uniformValues(D, 7),
      };
      const r = uniformValues(B * s.Tq * D, 8);
      const names = (self ? ['xq', 'wq', 'wk', 'wv', 'wo', 'bo'] : ['xq', 'xkv', 'wq', 'wk', 'wv', 'wo', 'bo']) as (keyof typeof init)[];
      const vars = Object.fromEntries(names.map((n) => [n, tf.variable(tf.tensor(init[n], n === 'bo' ? [D] : n.startsWith('x') ? [init[n].length / D, D] : [D, D]))])) as Record<keyof typeof init, tf.Variable>;
      const masks = [...(s.causal ? [causalMask(s.Tq)] : []), keyPaddingMask(s.lengths, s.Tk)];
      const { value, grads } = tf.variableGrads(() => {
        const y = multiHeadAttention(
          { wq: vars.wq, wk: vars.wk, wv: vars.wv, wo: vars.wo, bo: vars.bo },
          { query: vars.xq as tf.Tensor2D, keyValue: (self ? vars.xq : vars.xkv) as tf.Tensor2D, B, Tq: s.Tq, Tk: s.Tk, heads: NH, masks, rate: 0, seed: 0 },
        );
        return tf.sum(tf.mul(y, tf.tensor2d(r, [B * s.Tq, D]))) as tf.Scalar;
      }, Object.values(vars));
      const lossAt = (which: keyof typeof init, x: Float64Array): number => {
        const a = { ...init, [which]: x };
        return attentionLoss(s, a.xq, self ? a.xq : a.xkv, a.wq, a.wk, a.wv, a.wo, a.bo, r);
      };
      const want = attentionLoss(s, init.xq, self ? init.xq : init.xkv, init.wq, init.wk, init.wv, init.wo, init.bo, r);
      t.ok(Math.abs(value.dataSync()[0]! - want) <= 1e-5 * Math.max(1, Math.abs(want)), `value ${value.dataSync()[0]} vs ${want}`);
      for (const n of names) {
        const d = relativeDifference(grads[vars[n].name]!.dataSync(), centralDifferences((x) => lossAt(n, x), init[n]));
        t.ok(d <= 2e-5, `d/d${n}: relative difference ${d}`);
      }
      tf.dispose([value, ...Object.values(grads), ...Object.values(vars), ...masks]);
    });
