// The rows the word2vec text formats can hold: a token that is empty or contains
// whitespace (a lone U+FEFF reads back as "") cannot be written there, so it is
// left out of vectors.txt / vectors.bin with a warning; embeddings.arrow keeps it.

export interface PlainVectors {
  tokens: string[];
  dim: number;
  vectors: Float32Array;
}

export function word2vecWritable(tokens: string[], dim: number, vectors: Float32Array, warn?: (m: string) => void): PlainVectors {
  const bad = tokens.flatMap((t, i) => (t === '' || /\s/.test(t) ? [i] : []));
  if (bad.length === 0) return { tokens, dim, vectors };
  warn?.(`${bad.length} token(s) are empty or contain whitespace and are left out of vectors.txt/vectors.bin (kept in embeddings.arrow): ${bad.slice(0, 3).map((i) => JSON.stringify(tokens[i])).join(', ')}`);
  const skip = new Set(bad);
  const keep = tokens.flatMap((_, i) => (skip.has(i) ? [] : [i]));
  const out = new Float32Array(keep.length * dim);
  keep.forEach((r, k) => out.set(vectors.subarray(r * dim, (r + 1) * dim), k * dim));
  return { tokens: keep.map((i) => tokens[i]!), dim, vectors: out };
}
