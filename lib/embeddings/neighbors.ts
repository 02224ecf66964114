// Nearest neighbours by cosine: one pass of dot products of a unit query with
// the unit-length matrix, keeping the k best in a small sorted buffer.

export interface Neighbor {
  row: number;
  cosine: number;
}

/** The k rows (among the first `limit`) most similar to `query` (unit length), best first, skipping `exclude`. */
export function nearest(unit: Float32Array, dim: number, query: Float32Array, k: number, exclude: ReadonlySet<number> = new Set(), limit = Infinity): Neighbor[] {
  const rows = Math.min(limit, unit.length / dim);
  const bestRow = new Int32Array(k).fill(-1);
  const bestCos = new Float64Array(k).fill(-Infinity);
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    let s = 0;
    for (let j = 0; j < dim; j++) s += unit[o + j]! * query[j]!;
    if (s <= bestCos[k - 1]! || exclude.has(r)) continue;
    let i = k - 1;
    while (i > 0 && bestCos[i - 1]! < s) {
      bestCos[i] = bestCos[i - 1]!;
      bestRow[i] = bestRow[i - 1]!;
      i--;
    }
    bestCos[i] = s;
    bestRow[i] = r;
  }
  const out: Neighbor[] = [];
  for (let i = 0; i < k; i++) if (bestRow[i]! >= 0) out.push({ row: bestRow[i]!, cosine: bestCos[i]! });
  return out;
}

/** b - a + c over unit rows, normalized (word2vec's word-analogy: "a is to b as c is to ?"). */
export function analogyQuery(unit: Float32Array, dim: number, a: number, b: number, c: number): Float32Array {
  const q = new Float32Array(dim);
  let n = 0;
  for (let j = 0; j < dim; j++) {
    q[j] = unit[b * dim + j]! - unit[a * dim + j]! + unit[c * dim + j]!;
    n += q[j]! * q[j]!;
  }
  const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
  for (let j = 0; j < dim; j++) q[j]! *= inv;
  return q;
}
