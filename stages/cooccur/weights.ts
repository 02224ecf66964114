// Context weights by distance d = 1..window, as integers over a common
// denominator `scale`, so that co-occurrence sums are exact integers in a
// float64 (below 2^53) and therefore independent of the order in which
// threads and spilled runs add them up: the same matrix for any --threads
// and any --memory.
//   harmonic: 1/d (GloVe)                       -> scale lcm(1..window), units scale/d
//   uniform:  1                                 -> scale 1
//   dynamic:  (window - d + 1) / window, the expected weight of word2vec's
//             randomly shrunk window (Levy, Goldberg & Dagan 2015, "dyn")

export type Weighting = 'harmonic' | 'uniform' | 'dynamic';

export interface ContextWeights {
  /** units[d] for d = 1..window (units[0] unused). */
  units: Float64Array;
  scale: number;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

export function contextWeights(window: number, weighting: Weighting): ContextWeights {
  const units = new Float64Array(window + 1);
  let scale = 1;
  if (weighting === 'harmonic') for (let d = 2; d <= window; d++) scale = (scale / gcd(scale, d)) * d;
  if (weighting === 'dynamic') scale = window;
  // Past window 23 or so lcm(1..window) outgrows exact float64 sums: fall back to plain 1/d (sumsAreExact says so).
  if (scale > 2 ** 32) {
    for (let d = 1; d <= window; d++) units[d] = 1 / d;
    return { units, scale: 1 };
  }
  for (let d = 1; d <= window; d++) units[d] = weighting === 'harmonic' ? scale / d : weighting === 'dynamic' ? window - d + 1 : 1;
  return { units, scale };
}

/** True when no cell can exceed 2^53 units for a corpus of `tokens` tokens, so sums are exact. */
export function sumsAreExact(w: ContextWeights, tokens: number): boolean {
  let perToken = 0;
  for (let d = 1; d < w.units.length; d++) {
    if (!Number.isInteger(w.units[d]!)) return false;
    perToken += w.units[d]!;
  }
  return 2 * perToken * tokens < 2 ** 53;
}
