// One thread's share of one GloVe epoch (Pennington et al. 2014, eq. 8;
// GloVe src/glove.c glove_thread): for each shuffled entry (i, j, X_ij),
//   J = f(X_ij) (w_i . w~_j + b_i + b~_j - log X_ij)^2,  f(x) = min(1, (x/x_max)^alpha),
// with AdaGrad steps on w_i, w~_j and the biases. W holds 2V rows of dim+1
// doubles (vector then bias; rows V.. are the context vectors), GradSq the
// squared-gradient sums, both SharedArrayBuffers updated by all threads
// without locks. Entries stream from the shuffled file in blocks.

import fs from 'node:fs';
import { RECORD_BYTES } from './shuffle.js';

export interface GloveShared {
  W: Float64Array;
  gradsq: Float64Array;
  vocabSize: number;
  dim: number;
}

export interface GloveSettings {
  eta: number;
  xMax: number;
  alpha: number;
  gradClip: number;
}

export interface GloveEpochTask {
  shared: GloveShared;
  settings: GloveSettings;
  file: string;
  /** Entries [start, end) of the shuffled file. */
  start: number;
  end: number;
}

export interface GloveEpochResult {
  /** Sum over the entries of 0.5 f(X) diff^2, as GloVe's cost[id]. */
  cost: number;
  entries: number;
}

const BLOCK = 65536;

export function trainGloveSlice(task: GloveEpochTask): GloveEpochResult {
  const { W, gradsq, vocabSize, dim } = task.shared;
  const { eta, xMax, alpha, gradClip } = task.settings;
  const stride = dim + 1;
  const buf = new ArrayBuffer(BLOCK * RECORD_BYTES);
  const bytes = new Uint8Array(buf);
  const rec = new Int32Array(buf);
  const val = new Float32Array(buf);
  const up1 = new Float64Array(dim);
  const up2 = new Float64Array(dim);
  const fd = fs.openSync(task.file, 'r');
  let cost = 0;
  let done = 0;
  try {
    for (let at = task.start; at < task.end; ) {
      const n = Math.min(BLOCK, task.end - at);
      const got = fs.readSync(fd, bytes, 0, n * RECORD_BYTES, at * RECORD_BYTES) / RECORD_BYTES;
      if (got === 0) break;
      at += got;
      for (let k = 0; k < got; k++) {
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
      done += got;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { cost, entries: done };
}
