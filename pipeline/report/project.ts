// 2-D maps of word vectors for the report: PCA (the top two principal
// components, by power iteration on the d×d covariance) and exact t-SNE
// (van der Maaten & Hinton 2008) for a few hundred words. Both deterministic.

/** Rows × dim, row-major. */
export interface Matrix {
  rows: number;
  dim: number;
  data: Float32Array;
}

/**
 * Projections of each row on the first two principal components (x0 y0 x1 y1 ...),
 * and the variance each explains. Each component's sign is chosen so that its
 * largest-magnitude coordinate is positive, so the map does not flip between runs.
 */
export function pca2(m: Matrix): { xy: Float64Array; variance: [number, number] } {
  const { rows, dim, data } = m;
  const mean = new Float64Array(dim);
  for (let r = 0; r < rows; r++) for (let j = 0; j < dim; j++) mean[j]! += data[r * dim + j]!;
  for (let j = 0; j < dim; j++) mean[j]! /= Math.max(rows, 1);
  // Covariance (d×d, population): d is small (≤ a few hundred), rows may be thousands.
  const cov = new Float64Array(dim * dim);
  const x = new Float64Array(dim);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < dim; j++) x[j] = data[r * dim + j]! - mean[j]!;
    for (let i = 0; i < dim; i++) {
      const xi = x[i]!;
      if (xi === 0) continue;
      const o = i * dim;
      for (let j = i; j < dim; j++) cov[o + j]! += xi * x[j]!;
    }
  }
  for (let i = 0; i < dim; i++)
    for (let j = i; j < dim; j++) {
      const v = cov[i * dim + j]! / Math.max(rows, 1);
      cov[i * dim + j] = v;
      cov[j * dim + i] = v;
    }
  const comps: Float64Array[] = [];
  const variance: [number, number] = [0, 0];
  for (let c = 0; c < 2; c++) {
    const { vector, value } = topEigen(cov, dim, comps);
    comps.push(vector);
    variance[c] = value;
  }
  const xy = new Float64Array(rows * 2);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < 2; c++) {
      let s = 0;
      const v = comps[c]!;
      for (let j = 0; j < dim; j++) s += (data[r * dim + j]! - mean[j]!) * v[j]!;
      xy[r * 2 + c] = s;
    }
  return { xy, variance };
}

/** The leading eigenvector of a symmetric PSD matrix, orthogonal to `against` (deflation by projection). */
function topEigen(a: Float64Array, n: number, against: Float64Array[]): { vector: Float64Array; value: number } {
  let v = new Float64Array(n);
  // A fixed, non-symmetric start so no component is missed by symmetry.
  for (let i = 0; i < n; i++) v[i] = 1 + ((i * 7919) % 13) / 13;
  const orth = (u: Float64Array): void => {
    for (const w of against) {
      let d = 0;
      for (let i = 0; i < n; i++) d += u[i]! * w[i]!;
      for (let i = 0; i < n; i++) u[i]! -= d * w[i]!;
    }
  };
  const normalize = (u: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < n; i++) s += u[i]! * u[i]!;
    const norm = Math.sqrt(s);
    if (norm > 0) for (let i = 0; i < n; i++) u[i]! /= norm;
    return norm;
  };
  orth(v);
  normalize(v);
  let value = 0;
  for (let it = 0; it < 500; it++) {
    const w = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      const o = i * n;
      for (let j = 0; j < n; j++) s += a[o + j]! * v[j]!;
      w[i] = s;
    }
    orth(w);
    const norm = normalize(w);
    if (norm === 0) {
      value = 0;
      break;
    }
    let delta = 0;
    for (let i = 0; i < n; i++) delta = Math.max(delta, Math.abs(w[i]! - v[i]!));
    v = w;
    value = norm;
    if (delta < 1e-10) break;
  }
  let big = 0;
  for (let i = 0; i < n; i++) if (Math.abs(v[i]!) > Math.abs(v[big]!)) big = i;
  if (v[big]! < 0) for (let i = 0; i < n; i++) v[i] = -v[i]!;
  return { vector: v, value };
}

export interface TsneOptions {
  perplexity?: number;
  iterations?: number;
  /** Starting layout (x y per row), e.g. the PCA map; default: a fixed small spiral. */
  init?: Float64Array;
}

/**
 * Exact t-SNE on cosine distances: O(N²) per iteration, so for a few hundred
 * words (the report caps N). Gaussian affinities calibrated to the perplexity
 * by bisection, early exaggeration 12 for the first 100 iterations, momentum 0.5 then 0.8, gains.
 */
export function tsne2(m: Matrix, opts: TsneOptions = {}): Float64Array {
  const n = m.rows;
  const out = new Float64Array(n * 2);
  if (n < 3) return out;
  const perp = Math.min(opts.perplexity ?? 30, (n - 1) / 3);
  const iters = opts.iterations ?? 500;
  const unit = unitRows(m);
  // Squared distances between unit vectors: 2 - 2 cos.
  const d2 = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let k = 0; k < m.dim; k++) s += unit[i * m.dim + k]! * unit[j * m.dim + k]!;
      const d = Math.max(0, 2 - 2 * s);
      d2[i * n + j] = d;
      d2[j * n + i] = d;
    }
  const P = affinities(d2, n, perp);
  if (opts.init && opts.init.length === n * 2) {
    // Scale the start to a small spread, as t-SNE expects (std 1e-4 in the paper; PCA-init implementations use ~1e-4 of the range).
    let s = 0;
    for (let i = 0; i < n * 2; i++) s += opts.init[i]! * opts.init[i]!;
    const scale = s > 0 ? 1e-2 / Math.sqrt(s / (n * 2)) : 0;
    for (let i = 0; i < n * 2; i++) out[i] = opts.init[i]! * scale;
  } else for (let i = 0; i < n; i++) {
    out[i * 2] = 1e-2 * Math.cos(i);
    out[i * 2 + 1] = 1e-2 * Math.sin(i);
  }
  const gains = new Float64Array(n * 2).fill(1);
  const vel = new Float64Array(n * 2);
  const grad = new Float64Array(n * 2);
  const q = new Float64Array(n * n);
  const lr = Math.max(n / 12, 50);
  for (let it = 0; it < iters; it++) {
    const exag = it < 100 ? 12 : 1;
    const mom = it < 250 ? 0.5 : 0.8;
    let qsum = 0;
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) {
        const dx = out[i * 2]! - out[j * 2]!;
        const dy = out[i * 2 + 1]! - out[j * 2 + 1]!;
        const w = 1 / (1 + dx * dx + dy * dy);
        q[i * n + j] = w;
        q[j * n + i] = w;
        qsum += 2 * w;
      }
    // Each pair once, its force added to both points: point i still receives its terms
    // in the order j = 0, 1, ..., n - 1 (from j < i in earlier rows), and j's term is
    // exactly the negation of i's, so the sums are the full n x n loop's, bit for bit.
    grad.fill(0);
    for (let i = 0; i < n; i++) {
      let gx = grad[i * 2]!;
      let gy = grad[i * 2 + 1]!;
      const xi = out[i * 2]!;
      const yi = out[i * 2 + 1]!;
      for (let j = i + 1; j < n; j++) {
        const w = q[i * n + j]!;
        const f = (exag * P[i * n + j]! - w / qsum) * w;
        const fx = f * (xi - out[j * 2]!);
        const fy = f * (yi - out[j * 2 + 1]!);
        gx += fx;
        gy += fy;
        grad[j * 2]! -= fx;
        grad[j * 2 + 1]! -= fy;
      }
      grad[i * 2] = 4 * gx;
      grad[i * 2 + 1] = 4 * gy;
    }
    for (let i = 0; i < n * 2; i++) {
      gains[i] = Math.sign(grad[i]!) !== Math.sign(vel[i]!) ? gains[i]! + 0.2 : Math.max(0.01, gains[i]! * 0.8);
      vel[i] = mom * vel[i]! - lr * gains[i]! * grad[i]!;
      out[i]! += vel[i]!;
    }
    // Keep the layout centred.
    let cx = 0;
    let cy = 0;
    for (let i = 0; i < n; i++) {
      cx += out[i * 2]!;
      cy += out[i * 2 + 1]!;
    }
    for (let i = 0; i < n; i++) {
      out[i * 2]! -= cx / n;
      out[i * 2 + 1]! -= cy / n;
    }
  }
  return out;
}

/** Symmetrized joint probabilities P (n×n), each row's Gaussian width found by bisection on the perplexity. */
function affinities(d2: Float64Array, n: number, perplexity: number): Float64Array {
  const P = new Float64Array(n * n);
  const target = Math.log(perplexity);
  const row = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let beta = 1;
    let lo = -Infinity;
    let hi = Infinity;
    for (let t = 0; t < 64; t++) {
      let sum = 0;
      for (let j = 0; j < n; j++) {
        row[j] = j === i ? 0 : Math.exp(-beta * d2[i * n + j]!);
        sum += row[j]!;
      }
      let h = 0;
      if (sum > 0) for (let j = 0; j < n; j++) if (row[j]! > 0) h += beta * d2[i * n + j]! * (row[j]! / sum);
      h += Math.log(sum || 1e-300);
      if (Math.abs(h - target) < 1e-5) break;
      if (h > target) {
        lo = beta;
        beta = hi === Infinity ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = lo === -Infinity ? beta / 2 : (beta + lo) / 2;
      }
    }
    let sum = 0;
    for (let j = 0; j < n; j++) sum += row[j]!;
    for (let j = 0; j < n; j++) P[i * n + j] = sum > 0 ? row[j]! / sum : 0;
  }
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const v = Math.max((P[i * n + j]! + P[j * n + i]!) / (2 * n), 1e-12);
      P[i * n + j] = v;
      P[j * n + i] = v;
    }
  return P;
}

export function unitRows(m: Matrix): Float32Array {
  const u = new Float32Array(m.rows * m.dim);
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    for (let j = 0; j < m.dim; j++) s += m.data[r * m.dim + j]! ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < m.dim; j++) u[r * m.dim + j] = m.data[r * m.dim + j]! * inv;
  }
  return u;
}

/** For each row, its k nearest other rows by cosine (indices and cosines), best first; -1 pads when fewer exist. */
export function neighborsWithin(m: Matrix, k: number): { index: Int32Array; cosine: Float32Array } {
  const n = m.rows;
  const dim = m.dim;
  const kk = Math.min(k, Math.max(n - 1, 0));
  const u = unitRows(m);
  const index = new Int32Array(n * kk).fill(-1);
  const cosine = new Float32Array(n * kk).fill(-Infinity);
  const offer = (i: number, j: number, s: number): void => {
    const o = i * kk;
    if (s <= cosine[o + kk - 1]!) return;
    let p = kk - 1;
    while (p > 0 && cosine[o + p - 1]! < s) {
      cosine[o + p] = cosine[o + p - 1]!;
      index[o + p] = index[o + p - 1]!;
      p--;
    }
    cosine[o + p] = s;
    index[o + p] = j;
  };
  if (kk === 0) return { index, cosine };
  // Cosine is symmetric: each pair is computed once and offered to both rows.
  for (let i = 0; i < n; i++) {
    const oi = i * dim;
    for (let j = i + 1; j < n; j++) {
      const oj = j * dim;
      let s = 0;
      for (let d = 0; d < dim; d++) s += u[oi + d]! * u[oj + d]!;
      offer(i, j, s);
      offer(j, i, s);
    }
  }
  return { index, cosine };
}
