// Text encoders of a retrieval index: a text (its words) becomes a vector.
//
// - TF-IDF: w(t, d) = tf(t, d) * idf(t), idf(t) = ln((1 + N) / (1 + df(t))) + 1
//   (the smoothed idf of scikit-learn), L2-normalized; query and row compared by cosine.
// - BM25 (Robertson & Zaragoza 2009, "The Probabilistic Relevance Framework: BM25
//   and Beyond", eq. 3.15 with k3 = 0): a row holds w(t, d) = idf(t) * tf (k1 + 1) /
//   (tf + k1 (1 - b + b |d| / avgdl)), a query is 1 for each distinct known word, so
//   row . query is the BM25 score. idf(t) = ln(1 + (N - df + 0.5) / (df + 0.5)), the
//   RSJ weight kept non-negative (as Lucene does) so a word in most turns cannot
//   count against a match.
// - SIF (Arora, Liang & Ma 2017, "A Simple but Tough-to-Beat Baseline for Sentence
//   Embeddings"): the average of a / (a + p(w)) v_w over the words with a vector,
//   minus its projection on the first principal component of the index's sentence
//   vectors; compared by cosine.
// N, df, |d| and avgdl count the turns of the training conversations.

import { sparseOf, unit, type DenseVec, type Vec } from './vectors.js';

export type EncoderKind = 'tfidf' | 'bm25' | 'sif';
export const ENCODERS: readonly EncoderKind[] = ['tfidf', 'bm25', 'sif'];

export interface Encoder {
  readonly kind: EncoderKind;
  /** Length of the vectors (vocabulary size for sparse encoders). */
  readonly dim: number;
  /** True when rows and queries are unit vectors, so row . query is a cosine. */
  readonly cosine: boolean;
  /** A text as an index row. */
  doc(words: readonly string[]): Vec;
  /** A text as a query against the rows. */
  query(words: readonly string[]): Vec;
  /** A text as a unit vector, to compare texts with each other (a reply with candidate replies). */
  similarity(words: readonly string[]): Vec;
  /** How many of `words` the encoder has a weight or vector for. */
  known(words: readonly string[]): number;
}

/** Document frequencies and counts of the words of a set of texts. */
export interface WordCounts {
  readonly words: string[];
  readonly index: Map<string, number>;
  /** Texts each word occurs in. */
  readonly df: Int32Array;
  /** Occurrences of each word. */
  readonly count: Int32Array;
  /** Texts counted (N). */
  readonly docs: number;
  /** Words counted (sum of |d|). */
  readonly tokens: number;
}

export function countWords(texts: Iterable<readonly string[]>): WordCounts {
  const index = new Map<string, number>();
  const words: string[] = [];
  const df: number[] = [];
  const count: number[] = [];
  let docs = 0;
  let tokens = 0;
  for (const t of texts) {
    docs++;
    tokens += t.length;
    const seen = new Set<number>();
    for (const w of t) {
      let id = index.get(w);
      if (id === undefined) {
        id = words.length;
        index.set(w, id);
        words.push(w);
        df.push(0);
        count.push(0);
      }
      count[id]!++;
      if (!seen.has(id)) {
        seen.add(id);
        df[id]!++;
      }
    }
  }
  return { words, index, df: Int32Array.from(df), count: Int32Array.from(count), docs, tokens };
}

/** Term frequencies of the known words of a text. */
function termFrequencies(index: ReadonlyMap<string, number>, words: readonly string[]): Map<number, number> {
  const tf = new Map<number, number>();
  for (const w of words) {
    const id = index.get(w);
    if (id !== undefined) tf.set(id, (tf.get(id) ?? 0) + 1);
  }
  return tf;
}

function knownIn(index: ReadonlyMap<string, number>, words: readonly string[]): number {
  let n = 0;
  for (const w of words) if (index.has(w)) n++;
  return n;
}

export function tfidfIdf(c: WordCounts): Float64Array {
  return Float64Array.from(c.df, (df) => Math.log((1 + c.docs) / (1 + df)) + 1);
}

export function tfidfEncoder(c: WordCounts): Encoder {
  const idf = tfidfIdf(c);
  const vec = (words: readonly string[]): Vec => {
    const tf = termFrequencies(c.index, words);
    for (const [id, f] of tf) tf.set(id, f * idf[id]!);
    return unit(sparseOf(tf));
  };
  return { kind: 'tfidf', dim: c.words.length, cosine: true, doc: vec, query: vec, similarity: vec, known: (w) => knownIn(c.index, w) };
}

export interface Bm25Params {
  k1: number;
  b: number;
}

export function bm25Idf(c: WordCounts): Float64Array {
  return Float64Array.from(c.df, (df) => Math.log(1 + (c.docs - df + 0.5) / (df + 0.5)));
}

export function bm25Encoder(c: WordCounts, p: Bm25Params): Encoder {
  const idf = bm25Idf(c);
  const avgdl = c.docs > 0 ? c.tokens / c.docs : 1;
  const doc = (words: readonly string[]): Vec => {
    const tf = termFrequencies(c.index, words);
    const norm = p.k1 * (1 - p.b + (p.b * words.length) / avgdl);
    for (const [id, f] of tf) tf.set(id, (idf[id]! * f * (p.k1 + 1)) / (f + norm));
    return sparseOf(tf);
  };
  const query = (words: readonly string[]): Vec => {
    const tf = termFrequencies(c.index, words);
    for (const id of tf.keys()) tf.set(id, 1);
    return sparseOf(tf);
  };
  return { kind: 'bm25', dim: c.words.length, cosine: false, doc, query, similarity: (w) => unit(doc(w)), known: (w) => knownIn(c.index, w) };
}

/** What a SIF encoder needs: word vectors, each word's probability p(w), `a`, and the component to remove. */
export interface SifModel {
  readonly words: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  readonly dim: number;
  /** words.length x dim. */
  readonly vectors: Float32Array;
  /** p(w) per word. */
  readonly p: Float64Array;
  readonly a: number;
  /** Unit first principal component, or null before it is computed. */
  readonly pc: Float32Array | null;
}

/** SIF weight a / (a + p(w)). */
export function sifWeight(a: number, p: number): number {
  return a / (a + p);
}

/** The weighted average, before the principal component is removed (zero when no word has a vector). */
export function sifAverage(m: SifModel, words: readonly string[]): Float32Array {
  const out = new Float32Array(m.dim);
  let n = 0;
  for (const w of words) {
    const id = m.index.get(w);
    if (id === undefined) continue;
    const wt = sifWeight(m.a, m.p[id]!);
    const o = id * m.dim;
    for (let j = 0; j < m.dim; j++) out[j]! += wt * m.vectors[o + j]!;
    n++;
  }
  if (n > 0) for (let j = 0; j < m.dim; j++) out[j]! /= n;
  return out;
}

/** v - (u . v) u. */
export function removeComponent(v: Float32Array, u: Float32Array): Float32Array {
  let s = 0;
  for (let j = 0; j < v.length; j++) s += u[j]! * v[j]!;
  for (let j = 0; j < v.length; j++) v[j]! -= s * u[j]!;
  return v;
}

/**
 * The first right singular vector of the rows x dim matrix X (rows are
 * sentences; uncentred, as Arora et al. do with TruncatedSVD), by power
 * iteration on X^T X from a fixed start. Unit length; sign made positive on its
 * largest entry so it is the same on every run.
 */
export function firstPrincipalComponent(X: Float32Array, rows: number, dim: number, iterations = 200): Float32Array {
  let u = new Float64Array(dim);
  for (let j = 0; j < dim; j++) u[j] = 1 + j / dim;
  const xu = new Float64Array(rows);
  for (let it = 0; it < iterations; it++) {
    for (let r = 0, o = 0; r < rows; r++, o += dim) {
      let s = 0;
      for (let j = 0; j < dim; j++) s += X[o + j]! * u[j]!;
      xu[r] = s;
    }
    const next = new Float64Array(dim);
    for (let r = 0, o = 0; r < rows; r++, o += dim) for (let j = 0; j < dim; j++) next[j]! += X[o + j]! * xu[r]!;
    let n = 0;
    for (let j = 0; j < dim; j++) n += next[j]! * next[j]!;
    if (n === 0) break;
    const inv = 1 / Math.sqrt(n);
    let delta = 0;
    for (let j = 0; j < dim; j++) {
      next[j]! *= inv;
      delta = Math.max(delta, Math.abs(next[j]! - u[j]!));
    }
    u = next;
    if (delta < 1e-9) break;
  }
  let big = 0;
  for (let j = 0; j < dim; j++) if (Math.abs(u[j]!) > Math.abs(u[big]!)) big = j;
  const sign = u[big]! < 0 ? -1 : 1;
  return Float32Array.from(u, (x) => x * sign);
}

export function sifEncoder(m: SifModel): Encoder {
  const vec = (words: readonly string[]): Vec => {
    const v = sifAverage(m, words);
    if (m.pc) removeComponent(v, m.pc);
    return unit({ kind: 'dense', v } as DenseVec);
  };
  return { kind: 'sif', dim: m.dim, cosine: true, doc: vec, query: vec, similarity: vec, known: (w) => knownIn(m.index, w) };
}
