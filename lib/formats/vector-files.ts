import path from 'node:path';
import { writeEmbeddingsArrow, writeWord2vecBinary, writeWord2vecText } from './vectors.js';

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

/**
 * Write a stage's vectors in every format users load: `<name>.arrow` (all
 * tokens), and word2vec text and binary (`<base>.txt`, `<base>.bin`, tokens a
 * word2vec reader can parse). Returns the row counts for the manifest.
 */
export async function writeVectorFiles(
  outDir: string,
  files: { arrow: string; base: string },
  emb: { tokens: string[]; dim: number; vectors: Float32Array },
  warn: (m: string) => void,
): Promise<Record<string, number>> {
  const rows: Record<string, number> = {};
  rows[`${files.arrow}.arrow`] = await writeEmbeddingsArrow(path.join(outDir, `${files.arrow}.arrow`), emb);
  const plain = word2vecWritable(emb.tokens, emb.dim, emb.vectors, warn);
  writeWord2vecText(path.join(outDir, `${files.base}.txt`), plain);
  rows[`${files.base}.txt`] = plain.tokens.length;
  writeWord2vecBinary(path.join(outDir, `${files.base}.bin`), plain);
  rows[`${files.base}.bin`] = plain.tokens.length;
  return rows;
}
