// distinct-n (Li, Galley, Brockett, Gao & Dolan 2016, "A Diversity-Promoting
// Objective Function for Neural Conversation Models", §4.1): the number of
// distinct n-grams over all generated replies divided by the total number of
// n-grams in them. A bot that answers everything with "I don't know" scores
// near 0; one whose replies never repeat a phrase scores 1. Replies are split
// into tokens as BLEU's 13a tokenizer splits them (punctuation apart), case
// kept, so the figure sits next to BLEU on the same tokens.

import { squeezeSpaces, tokenize13a } from './tokenize-13a.js';

export interface DistinctScore {
  /** Distinct n-grams / total n-grams (0 when there are none). */
  score: number;
  distinct: number;
  total: number;
}

function tokens(s: string): string[] {
  const t = squeezeSpaces(tokenize13a(s));
  return t === '' ? [] : t.split(' ');
}

/** distinct-n over `replies`; an n-gram never spans two replies. */
export function distinctN(replies: readonly string[], n: number): DistinctScore {
  if (!Number.isInteger(n) || n < 1) throw new Error(`distinctN: n must be a whole number >= 1, got ${n}`);
  const seen = new Set<string>();
  let total = 0;
  for (const r of replies) {
    const w = tokens(r);
    for (let i = 0; i + n <= w.length; i++) {
      seen.add(w.slice(i, i + n).join('\u0001'));
      total++;
    }
  }
  return { score: total ? seen.size / total : 0, distinct: seen.size, total };
}
