// A small seeded PRNG (mulberry32, T. Ettinger 2017): 32-bit state, uniform
// doubles in [0, 1). Same seed, same samples, on every platform.

import { mulberry32 } from './mulberry32.js';

export type Random = () => number;

export function seededRandom(seed: number): Random {
  // The seed is whitened once, so seed 0 does not start at mulberry32's own state 0.
  return mulberry32((seed >>> 0) ^ 0x6d2b79f5);
}
