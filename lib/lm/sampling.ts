// Sampling with temperature (Ackley et al. 1985), top-k (Fan et al. 2018) and
// nucleus / top-p (Holtzman et al. 2020), from a seeded PRNG so that a seed
// reproduces a sample.

import { EOS } from '../formats/tokens.js';
import type { NextTokenModel } from './next-token-model.js';
import type { Generation } from './greedy.js';
import type { Random } from '../random/seeded.js';

export interface SamplingOptions {
  /** Divide log-probabilities by this (1 = the model's distribution; -> 0 approaches greedy). */
  temperature?: number;
  /** Keep only the k most probable tokens (0 = all). */
  topK?: number;
  /** Keep the smallest set of most probable tokens whose mass reaches p (1 = all). */
  topP?: number;
}

/** The distribution to sample from: probabilities after temperature, top-k and top-p, renormalized. */
export function samplingDistribution(logProbs: Float64Array, opts: SamplingOptions): Float64Array {
  const T = opts.temperature ?? 1;
  if (!(T > 0)) throw new Error('temperature must be > 0');
  const n = logProbs.length;
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (logProbs[i]! > max) max = logProbs[i]!;
  const p = new Float64Array(n);
  let z = 0;
  for (let i = 0; i < n; i++) {
    p[i] = logProbs[i] === -Infinity ? 0 : Math.exp((logProbs[i]! - max) / T);
    z += p[i]!;
  }
  for (let i = 0; i < n; i++) p[i]! /= z;
  const topK = opts.topK ?? 0;
  const topP = opts.topP ?? 1;
  if ((topK > 0 && topK < n) || topP < 1) {
    const order = Array.from({ length: n }, (_, i) => i).filter((i) => p[i]! > 0);
    order.sort((a, b) => p[b]! - p[a]! || a - b);
    let keep = topK > 0 ? Math.min(topK, order.length) : order.length;
    if (topP < 1) {
      let mass = 0;
      let m = 0;
      while (m < keep) {
        mass += p[order[m]!]!;
        m++;
        if (mass >= topP) break;
      }
      keep = m;
    }
    const kept = new Float64Array(n);
    let s = 0;
    for (let j = 0; j < keep; j++) {
      kept[order[j]!] = p[order[j]!]!;
      s += p[order[j]!]!;
    }
    for (let i = 0; i < n; i++) kept[i]! /= s;
    return kept;
  }
  return p;
}

/** Draw an index from a distribution that sums to 1. */
export function draw(p: Float64Array, random: Random): number {
  let u = random();
  let last = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i]! <= 0) continue;
    last = i;
    u -= p[i]!;
    if (u < 0) return i;
  }
  return last;
}

export async function sample(model: NextTokenModel, prompt: Int32Array, maxTokens: number, opts: SamplingOptions, random: Random): Promise<Generation> {
  const seq = Array.from(prompt);
  const ids: number[] = [];
  let logProb = 0;
  for (let step = 0; step < maxTokens; step++) {
    const lp = await model.nextLogProbs(Int32Array.from(seq));
    const w = draw(samplingDistribution(lp, opts), random);
    logProb += lp[w]!;
    if (w === EOS) return { ids, logProb, finished: true };
    ids.push(w);
    seq.push(w);
  }
  return { ids, logProb, finished: false };
}
