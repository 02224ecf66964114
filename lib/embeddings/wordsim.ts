// Word-similarity evaluation: Spearman's rho between the cosine of two words'
// vectors and human scores, over pairs whose words both have a vector, with the
// coverage (pairs found / pairs) reported beside it. Files are
// `word1<TAB>word2<TAB>score` (WS-353, SimLex-999, MEN, RW, ...), LF or CRLF,
// with or without a final newline. Words are looked up lower-cased first
// (WS-353 capitalises proper nouns), then as written.

import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../../pipeline/errors.js';
import { spearman } from './spearman.js';

export interface SimilarityPair {
  a: string;
  b: string;
  score: number;
}

export interface SimilaritySet {
  /** File name without extension, e.g. `EN-WS-353-ALL`. */
  name: string;
  file: string;
  pairs: SimilarityPair[];
}

/** Parse the text of a similarity file; a malformed line is an InputError naming it. */
export function parseSimilarity(text: string, file: string): SimilarityPair[] {
  const pairs: SimilarityPair[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('#')) continue;
    const parts = line.split('\t');
    const fields = parts.length >= 3 ? parts : line.trim().split(/\s+/);
    const score = Number(fields[2]);
    if (fields.length !== 3 || fields[0] === '' || fields[1] === '' || !Number.isFinite(score))
      throw new InputError(file, `line ${i + 1} is not "word1<TAB>word2<TAB>score": ${JSON.stringify(line.slice(0, 80))}`, 'Fix or remove that line');
    pairs.push({ a: fields[0]!.trim(), b: fields[1]!.trim(), score });
  }
  if (pairs.length === 0) throw new InputError(file, 'no word pairs', 'Give a file of word1<TAB>word2<TAB>score lines');
  return pairs;
}

export function readSimilarityFile(file: string): SimilaritySet {
  const text = fs.readFileSync(file, 'utf8');
  return { name: path.basename(file).replace(/\.[^.]*$/, ''), file, pairs: parseSimilarity(text, file) };
}

/** Every `*.txt` / `*.tsv` similarity file in a folder, by name (SOURCE.md, README etc. are skipped). */
export function listSimilarityFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((n) => /\.(txt|tsv)$/i.test(n) && !/^(readme|source|license)/i.test(n))
    .sort()
    .map((n) => path.join(dir, n));
}

/** Row of a word: lower-cased first, then as written; -1 when absent. */
export function lookupWord(index: Map<string, number>, word: string): number {
  return index.get(word.toLowerCase()) ?? index.get(word) ?? -1;
}

export interface SimilarityResult {
  rho: number;
  found: number;
  pairs: number;
}

/** Cosine from unit-length rows. */
export function cosineRows(unit: Float32Array, dim: number, i: number, j: number): number {
  let s = 0;
  const a = i * dim;
  const b = j * dim;
  for (let k = 0; k < dim; k++) s += unit[a + k]! * unit[b + k]!;
  return s;
}

/** Spearman's rho over the pairs whose two words have vectors (`unit`: L2-normalized rows). */
export function evaluateSimilarity(emb: { unit: Float32Array; dim: number; index: Map<string, number> }, pairs: readonly SimilarityPair[]): SimilarityResult {
  const predicted: number[] = [];
  const gold: number[] = [];
  for (const p of pairs) {
    const i = lookupWord(emb.index, p.a);
    const j = lookupWord(emb.index, p.b);
    if (i < 0 || j < 0) continue;
    predicted.push(cosineRows(emb.unit, emb.dim, i, j));
    gold.push(p.score);
  }
  return { rho: spearman(predicted, gold), found: predicted.length, pairs: pairs.length };
}
