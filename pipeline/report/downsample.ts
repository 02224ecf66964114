// Long training curves are thinned for the page by Largest-Triangle-Three-Buckets
// (Steinarsson 2013): it keeps the first and last points and, per bucket, the point
// that best preserves the curve's shape, so spikes survive where averaging would hide them.

/** Indices (ascending) of at most `max` points of the curve (x[i], y[i]) to keep; NaN y values are skipped. */
export function lttbIndices(x: ArrayLike<number>, y: ArrayLike<number>, max: number): number[] {
  const valid: number[] = [];
  for (let i = 0; i < y.length; i++) if (Number.isFinite(y[i]!) && Number.isFinite(x[i]!)) valid.push(i);
  const n = valid.length;
  if (n <= max || max < 3) return max < 3 && n > max ? valid.slice(0, max) : valid;
  const out = [valid[0]!];
  const every = (n - 2) / (max - 2);
  let a = 0; // position in `valid` of the last kept point
  for (let b = 0; b < max - 2; b++) {
    const start = Math.floor(b * every) + 1;
    const end = Math.min(Math.floor((b + 1) * every) + 1, n - 1);
    // The next bucket's mean is the triangle's third corner.
    const nStart = end;
    const nEnd = Math.min(Math.floor((b + 2) * every) + 1, n);
    let mx = 0;
    let my = 0;
    for (let i = nStart; i < nEnd; i++) {
      mx += x[valid[i]!]!;
      my += y[valid[i]!]!;
    }
    const cnt = Math.max(nEnd - nStart, 1);
    mx /= cnt;
    my /= cnt;
    const ax = x[valid[a]!]!;
    const ay = y[valid[a]!]!;
    let best = start;
    let bestArea = -1;
    for (let i = start; i < end; i++) {
      const px = x[valid[i]!]!;
      const py = y[valid[i]!]!;
      const area = Math.abs((ax - mx) * (py - ay) - (ax - px) * (my - ay));
      if (area > bestArea) {
        bestArea = area;
        best = i;
      }
    }
    out.push(valid[best]!);
    a = best;
  }
  out.push(valid[n - 1]!);
  return out;
}
