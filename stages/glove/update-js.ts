// The GloVe update in plain JS: glove.c glove_thread's loop body, line for
// line, on a block of shuffled-file records. It is the reference the SIMD
// kernel (simd.ts) is tested against, and the fallback where WebAssembly SIMD
// is missing or the parameters exceed wasm32's 4 GiB.
//   J = f(X_ij) (w_i . w~_j + b_i + b~_j - log X_ij)^2,  f(x) = min(1, (x/x_max)^alpha)
// with AdaGrad steps on w_i, w~_j and the biases; an entry whose diff is not
// finite is skipped, and a vector step whose sum is not finite is dropped.

import type { GloveSettings, GloveShared } from './train.js';

/** Update W and gradsq for n records (int32 i, int32 j, float32 X); returns the sum of 0.5 f(X) diff^2. */
export function updateEntriesJs(shared: GloveShared, settings: GloveSettings, rec: Int32Array, val: Float32Array, n: number): number {
  const { W, gradsq, vocabSize, dim } = shared;
  const { eta, xMax, alpha, gradClip } = settings;
  const stride = dim + 1;
  const up1 = new Float64Array(dim);
  const up2 = new Float64Array(dim);
  let cost = 0;
  for (let k = 0; k < n; k++) {
    const x = val[3 * k + 2]!;
    const l1 = rec[3 * k]! * stride;
    const l2 = (rec[3 * k + 1]! + vocabSize) * stride;
    // cost and its derivative for this entry
    let diff = 0;
    for (let b = 0; b < dim; b++) diff += W[l1 + b]! * W[l2 + b]!;
    diff += W[l1 + dim]! + W[l2 + dim]! - Math.log(x);
    let fdiff = x > xMax ? diff : Math.pow(x / xMax, alpha) * diff;
    if (!Number.isFinite(diff) || !Number.isFinite(fdiff)) continue;
    cost += 0.5 * fdiff * diff;
    // AdaGrad on the vectors: step eta * clip(g) / sqrt(sum of past g^2)
    let s1 = 0;
    let s2 = 0;
    for (let b = 0; b < dim; b++) {
      let g1 = fdiff * W[l2 + b]!;
      let g2 = fdiff * W[l1 + b]!;
      g1 = (g1 > gradClip ? gradClip : g1 < -gradClip ? -gradClip : g1) * eta;
      g2 = (g2 > gradClip ? gradClip : g2 < -gradClip ? -gradClip : g2) * eta;
      const u1 = g1 / Math.sqrt(gradsq[l1 + b]!);
      const u2 = g2 / Math.sqrt(gradsq[l2 + b]!);
      up1[b] = u1;
      up2[b] = u2;
      s1 += u1;
      s2 += u2;
      gradsq[l1 + b] += g1 * g1;
      gradsq[l2 + b] += g2 * g2;
    }
    if (Number.isFinite(s1) && Number.isFinite(s2)) {
      for (let b = 0; b < dim; b++) {
        W[l1 + b] -= up1[b]!;
        W[l2 + b] -= up2[b]!;
      }
    }
    // biases: glove.c steps fdiff / sqrt(gradsq) without eta
    const bu1 = fdiff / Math.sqrt(gradsq[l1 + dim]!);
    const bu2 = fdiff / Math.sqrt(gradsq[l2 + dim]!);
    if (Number.isFinite(bu1)) W[l1 + dim] -= bu1;
    if (Number.isFinite(bu2)) W[l2 + dim] -= bu2;
    fdiff *= fdiff;
    gradsq[l1 + dim] += fdiff;
    gradsq[l2 + dim] += fdiff;
  }
  return cost;
}
