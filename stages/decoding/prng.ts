// A small seeded PRNG (mulberry32, T. Ettinger 2017): 32-bit state, uniform
// doubles in [0, 1). Same seed, same samples, on every platform.

export type Random = () => number;

export function seededRandom(seed: number): Random {
  let a = (seed >>> 0) ^ 0x6d2b79f5;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
