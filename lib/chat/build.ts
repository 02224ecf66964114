// Building a retrieval bot from training conversations: the encoder (its word
// counts come from every training turn), then one index row per (context,
// next turn) pair.

import { lookupWord } from '../embeddings/wordsim.js';
import type { Embeddings } from '../formats/vectors.js';
import { bm25Encoder, countWords, firstPrincipalComponent, sifAverage, sifEncoder, tfidfEncoder, type Bm25Params, type Encoder, type EncoderKind, type SifModel, type WordCounts } from '../retrieval/encoders.js';
import { words } from '../retrieval/words.js';
import { matrixOf } from '../retrieval/vectors.js';
import { encodeContext, lastTurns, type ContextOptions, type RetrievalIndex } from './retrieval.js';
import type { ContextPair } from './evaluate.js';

export interface EncoderOptions {
  kind: EncoderKind;
  bm25: Bm25Params;
  /** SIF: word vectors trained on text, `a`, and how many of the file's first (most frequent) words to keep besides the corpus's own. */
  sif?: { vectors: Embeddings; a: number; keep: number };
}

export interface BuiltEncoder {
  encoder: Encoder;
  counts: WordCounts;
  sif?: SifModel;
}

/**
 * The SIF model over the corpus words that have a vector and the `keep` first
 * words of the vectors file (lowercased; a word's first row wins), so words the
 * corpus never used still count. p(w) is the word's share of the corpus's
 * words, at least one occurrence's worth (a word the corpus never used is rare).
 */
export function sifModel(counts: WordCounts, vectors: Embeddings, a: number, keep: number, sentences: readonly (readonly string[])[]): SifModel {
  const wordsKept: string[] = [];
  const rows: number[] = [];
  const index = new Map<string, number>();
  const add = (w: string, row: number): void => {
    if (row < 0 || index.has(w)) return;
    index.set(w, wordsKept.length);
    wordsKept.push(w);
    rows.push(row);
  };
  for (const w of counts.words) add(w, lookupWord(vectors.index, w));
  for (let r = 0; r < Math.min(keep, vectors.tokens.length); r++) add(vectors.tokens[r]!.toLowerCase(), r);
  const dim = vectors.dim;
  const vecs = new Float32Array(wordsKept.length * dim);
  rows.forEach((r, i) => vecs.set(vectors.vectors.subarray(r * dim, (r + 1) * dim), i * dim));
  const total = Math.max(1, counts.tokens);
  const p = Float64Array.from(wordsKept, (w) => Math.max(1, counts.count[counts.index.get(w) ?? -1] ?? 0) / total);
  const noPc: SifModel = { words: wordsKept, index, dim, vectors: vecs, p, a, pc: null };
  // The component is that of the training sentences' weighted averages (Arora et al., Algorithm 1).
  const X = new Float32Array(sentences.length * dim);
  sentences.forEach((s, i) => X.set(sifAverage(noPc, s), i * dim));
  return { ...noPc, pc: firstPrincipalComponent(X, sentences.length, dim) };
}

/** The encoder, its counts over the training turns, and (SIF) its word model. */
export function buildEncoder(trainTurns: readonly string[], opts: EncoderOptions): BuiltEncoder {
  const tokenized = trainTurns.map((t) => words(t));
  const counts = countWords(tokenized);
  if (opts.kind === 'tfidf') return { encoder: tfidfEncoder(counts), counts };
  if (opts.kind === 'bm25') return { encoder: bm25Encoder(counts, opts.bm25), counts };
  if (!opts.sif) throw new Error('buildEncoder: sif needs word vectors');
  const sif = sifModel(counts, opts.sif.vectors, opts.sif.a, opts.sif.keep, tokenized);
  return { encoder: sifEncoder(sif), counts, sif };
}

/** One row per pair: its last N context turns encoded, and its reply. */
export function buildIndex(encoder: Encoder, pairs: readonly ContextPair[], context: ContextOptions, threshold: number, shared = false): RetrievalIndex {
  const contexts = pairs.map((p) => lastTurns(p.context, context.turns));
  const rows = matrixOf(
    contexts.map((c) => encodeContext(encoder, c, context, 'doc')),
    encoder.dim,
    shared,
  );
  return { encoder, context, rows, ids: pairs.map((p) => p.id), contexts, replies: pairs.map((p) => p.reply), threshold };
}
