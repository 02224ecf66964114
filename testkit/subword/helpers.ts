// Shared by the subword tests: word counts from text lines, fixture texts, and a
// naive reference of the merge loop (full recount every merge) to check the
// incremental one against.

import fs from 'node:fs';
import path from 'node:path';
import { splitWords } from '../../lib/subword/pieces.js';

export const fixtureDir = path.join(new URL('../../../', import.meta.url).pathname, 'test/fixtures/subword');
export const FIXTURES = ['heb', 'ell', 'rus', 'arb', 'hin', 'cmn'] as const;

export function fixtureLines(name: string): string[] {
  return fs.readFileSync(path.join(fixtureDir, `${name}.txt`), 'utf8').split('\n').filter((l) => l.trim().length > 0);
}

/** Word types (first-seen order) and their counts. */
export function countWords(lines: readonly string[]): { words: string[]; counts: Float64Array } {
  const m = new Map<string, number>();
  for (const l of lines) for (const w of splitWords(l)) m.set(w, (m.get(w) ?? 0) + 1);
  return { words: [...m.keys()], counts: Float64Array.from(m.values()) };
}

/** A deterministic pseudo-random generator (mulberry32). */
export { prng as rng } from '../corpus.js';

/**
 * Reference merge loop: recount every pair of every word before each merge, take the
 * best by score (ties: left text, then right text, in code-unit order), merge it left
 * to right in every word. Returns the merged pairs as texts.
 */
export function naiveMerges(
  spelled: string[][],
  counts: ArrayLike<number>,
  score: 'frequency' | 'likelihood',
  join: (l: string, r: string) => string,
  merges: number,
): Array<[string, string]> {
  const words = spelled.map((w) => w.slice());
  const out: Array<[string, string]> = [];
  for (let m = 0; m < merges; m++) {
    const pairs = new Map<string, { l: string; r: string; n: number }>();
    const sym = new Map<string, number>();
    words.forEach((w, i) => {
      for (let k = 0; k < w.length; k++) {
        sym.set(w[k]!, (sym.get(w[k]!) ?? 0) + counts[i]!);
        if (k + 1 < w.length) {
          const key = w[k]! + '\u0000' + w[k + 1]!;
          const e = pairs.get(key) ?? { l: w[k]!, r: w[k + 1]!, n: 0 };
          e.n += counts[i]!;
          pairs.set(key, e);
        }
      }
    });
    let best: { l: string; r: string; s: number } | undefined;
    for (const e of pairs.values()) {
      const s = score === 'frequency' ? e.n : e.n / (sym.get(e.l)! * sym.get(e.r)!);
      if (!best || s > best.s || (s === best.s && (e.l < best.l || (e.l === best.l && e.r < best.r)))) best = { l: e.l, r: e.r, s };
    }
    if (!best) break;
    out.push([best.l, best.r]);
    const z = join(best.l, best.r);
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      const nw: string[] = [];
      for (let k = 0; k < w.length; ) {
        if (k + 1 < w.length && w[k] === best.l && w[k + 1] === best.r) {
          nw.push(z);
          k += 2;
        } else nw.push(w[k++]!);
      }
      words[i] = nw;
    }
  }
  return out;
}
