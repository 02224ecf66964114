// Deterministic synthetic corpora for tokenize tests: sentences of words from
// a small multilingual lexicon with a Zipf-like skew, punctuation and numbers.

import fs from 'node:fs';
import path from 'node:path';
import { mulberry32 } from '../lib/random/mulberry32.js';

const LEXICON = (
  'the of and to in a is that for it as was with be by on not he I this are or his from at which but have an they you ' +
  "were her she there been one all we their has would when if so no will can more about don't well-known l'uomo città " +
  'água кто-то мир שלום עולם κόσμος सभी عالم 3.14 1,000 Zürich naïve café résumé'
).split(' ');

/** A tiny PRNG (mulberry32), so corpora are identical on every run. */
export const prng = mulberry32;

/** About `bytes` of text: sentences ending in . ! or ?, wrapped in lines, paragraphs by blank lines. */
export function syntheticText(bytes: number, seed: number): string {
  const rand = prng(seed);
  const parts: string[] = [];
  let size = 0;
  let line = 0;
  while (size < bytes) {
    const n = 3 + Math.floor(rand() * 15);
    const words: string[] = [];
    for (let i = 0; i < n; i++) {
      // Zipf-ish: low indices far more often; sometimes a rare invented word.
      const r = rand();
      words.push(r < 0.02 ? `w${Math.floor(rand() * 5000)}` : LEXICON[Math.floor(LEXICON.length * r * r)]!);
      if (rand() < 0.08) words.push(',');
    }
    words[0] = words[0]!.charAt(0).toUpperCase() + words[0]!.slice(1);
    const s = words.join(' ').replace(/ ,/g, ',') + (rand() < 0.8 ? '.' : rand() < 0.5 ? '!' : '?');
    parts.push(s);
    size += s.length + 1;
    line += s.length;
    if (line > 70) {
      parts.push(rand() < 0.2 ? '\n\n' : '\n');
      line = 0;
    } else parts.push(' ');
  }
  return parts.join('');
}

/** A folder of `files` text files of about `bytes` each. */
export function writeCorpus(dir: string, files: number, bytes: number, seed = 1): string {
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i < files; i++) fs.writeFileSync(path.join(dir, `doc-${String(i).padStart(3, '0')}.txt`), syntheticText(bytes, seed + i));
  return dir;
}
