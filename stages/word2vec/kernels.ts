// The two updates word2vec spends its time in, as small functions so V8
// optimizes them early and inlines them into the training loop. Each is one
// logistic-regression step between an input row inp[l1..l1+dim) (a word vector,
// or the CBOW mean at l1 = 0) and an output row out[l2..l2+dim): the error is
// added to neu1e (applied to the input later) and the output row is updated at once.
// sigma comes from word2vec.c's table: index (f + 6) * 83 over [-6, 6).

import type { SimdKernels } from './simd.js';

export const MAX_EXP = 6;
export const EXP_TABLE_SIZE = 1000;
/** word2vec.c computes EXP_TABLE_SIZE / MAX_EXP / 2 in integer arithmetic: 83. */
export const EXP_SCALE = Math.floor(Math.floor(EXP_TABLE_SIZE / MAX_EXP) / 2);

/** sigma(x) = e^x / (e^x + 1) at EXP_TABLE_SIZE points of [-MAX_EXP, MAX_EXP) (word2vec.c main). */
export function expTable(): Float32Array {
  const t = new Float32Array(EXP_TABLE_SIZE + 1);
  for (let i = 0; i < EXP_TABLE_SIZE; i++) {
    const e = Math.fround(Math.exp((i / EXP_TABLE_SIZE * 2 - 1) * MAX_EXP));
    t[i] = e / (e + 1);
  }
  return t;
}

/** dot(inp[l1..], out[l2..]) with four accumulators (independent adds pipeline better). */
function dot(inp: Float32Array, l1: number, out: Float32Array, l2: number, dim: number): number {
  let f0 = 0;
  let f1 = 0;
  let f2 = 0;
  let f3 = 0;
  let c = 0;
  const dim4 = dim & ~3;
  for (; c < dim4; c += 4) {
    f0 += inp[l1 + c]! * out[l2 + c]!;
    f1 += inp[l1 + c + 1]! * out[l2 + c + 1]!;
    f2 += inp[l1 + c + 2]! * out[l2 + c + 2]!;
    f3 += inp[l1 + c + 3]! * out[l2 + c + 3]!;
  }
  for (; c < dim; c++) f0 += inp[l1 + c]! * out[l2 + c]!;
  return f0 + f1 + f2 + f3;
}

/** neu1e += g * out[l2..]; out[l2..] += g * inp[l1..] (one pass: neu1e reads the row before its update, as word2vec.c). */
function update(inp: Float32Array, l1: number, out: Float32Array, l2: number, neu1e: Float32Array, dim: number, g: number): void {
  for (let c = 0; c < dim; c++) {
    const s = out[l2 + c]!;
    neu1e[c] += g * s;
    out[l2 + c] = s + g * inp[l1 + c]!;
  }
}

/** Negative sampling: label 1 for the true word, 0 for a noise word; sigma clipped to 0/1 beyond +-6. */
export function nsStep(inp: Float32Array, l1: number, out: Float32Array, l2: number, neu1e: Float32Array, dim: number, label: number, alpha: number, expT: Float32Array): void {
  const f = dot(inp, l1, out, l2, dim);
  let g: number;
  if (f > MAX_EXP) g = (label - 1) * alpha;
  else if (f < -MAX_EXP) g = label * alpha;
  else g = (label - expT[((f + MAX_EXP) * EXP_SCALE) | 0]!) * alpha;
  update(inp, l1, out, l2, neu1e, dim, g);
}

/** Hierarchical softmax, one inner node of the word's Huffman path; skipped where sigma saturates (word2vec.c). */
export function hsStep(inp: Float32Array, l1: number, out: Float32Array, l2: number, neu1e: Float32Array, dim: number, code: number, alpha: number, expT: Float32Array): void {
  const f = dot(inp, l1, out, l2, dim);
  if (f <= -MAX_EXP || f >= MAX_EXP) return;
  const g = (1 - code - expT[((f + MAX_EXP) * EXP_SCALE) | 0]!) * alpha;
  update(inp, l1, out, l2, neu1e, dim, g);
}

/** nsStep on rows in a shared WebAssembly.Memory (byte offsets), with the SIMD kernels. */
export function nsStepSimd(k: SimdKernels, inp: number, out: number, err: number, bytes: number, label: number, alpha: number, expT: Float32Array): void {
  const f = k.dot(inp, out, bytes);
  let g: number;
  if (f > MAX_EXP) g = (label - 1) * alpha;
  else if (f < -MAX_EXP) g = label * alpha;
  else g = (label - expT[((f + MAX_EXP) * EXP_SCALE) | 0]!) * alpha;
  k.update(inp, out, err, bytes, g);
}

/** hsStep on rows in a shared WebAssembly.Memory (byte offsets), with the SIMD kernels. */
export function hsStepSimd(k: SimdKernels, inp: number, out: number, err: number, bytes: number, code: number, alpha: number, expT: Float32Array): void {
  const f = k.dot(inp, out, bytes);
  if (f <= -MAX_EXP || f >= MAX_EXP) return;
  k.update(inp, out, err, bytes, (1 - code - expT[((f + MAX_EXP) * EXP_SCALE) | 0]!) * alpha);
}
