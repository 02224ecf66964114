// An independent reference for gradients: central differences of a function
// written out in float64 plain JS from its definition (the formula, not the tfjs
// graph), so that a wrong gradient formula shared by every backend still fails.

/** ∂f/∂x_i ≈ (f(x + h·e_i) − f(x − h·e_i)) / 2h for every i (error O(h²) in float64). */
export function centralDifferences(f: (x: Float64Array) => number, x: ArrayLike<number>, h = 1e-5): Float64Array {
  const at = Float64Array.from(x);
  const out = new Float64Array(at.length);
  for (let i = 0; i < at.length; i++) {
    const keep = at[i]!;
    at[i] = keep + h;
    const up = f(at);
    at[i] = keep - h;
    const down = f(at);
    at[i] = keep;
    out[i] = (up - down) / (2 * h);
  }
  return out;
}

/** max |x − y| / max |y|: a difference relative to the reference's scale (elementwise ratios blow up near 0). */
export function relativeDifference(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new Error(`relativeDifference: lengths ${x.length} and ${y.length}`);
  let d = 0;
  let m = 0;
  for (let i = 0; i < y.length; i++) {
    d = Math.max(d, Math.abs(x[i]! - y[i]!));
    m = Math.max(m, Math.abs(y[i]!));
  }
  return m === 0 ? d : d / m;
}

/** Deterministic values in [lo, hi) from a linear congruential sequence. */
export function uniformValues(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + ((hi - lo) * s) / 2 ** 32;
  }
  return out;
}
