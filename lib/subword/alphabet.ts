// Which characters become pieces of their own. As sentencepiece's
// --character_coverage: characters sorted by frequency (ties by code point) are kept
// until they cover `coverage` of all character occurrences in the training words;
// the rest are "rare" and are spelled with byte pieces or <unk>.

export interface Alphabet {
  /** Kept characters, most frequent first. */
  chars: string[];
  /** Occurrences of each kept character (weighted by word counts). */
  counts: number[];
  /** Distinct characters seen, kept or not. */
  seen: number;
}

/**
 * Count characters of `words` weighted by `counts` and keep the most frequent until
 * they cover `coverage` (0 < coverage <= 1). `exclude` characters are never kept.
 */
export function selectAlphabet(words: readonly string[], counts: ArrayLike<number>, coverage: number, exclude: ReadonlySet<string> = new Set()): Alphabet {
  const freq = new Map<string, number>();
  for (let w = 0; w < words.length; w++) {
    const c = counts[w]!;
    if (!(c > 0)) continue;
    for (const ch of words[w]!) freq.set(ch, (freq.get(ch) ?? 0) + c);
  }
  let total = 0;
  for (const n of freq.values()) total += n;
  const sorted = [...freq.entries()].sort((x, y) => y[1] - x[1] || (x[0].codePointAt(0)! - y[0].codePointAt(0)!));
  const chars: string[] = [];
  const kept: number[] = [];
  let covered = 0;
  for (const [ch, n] of sorted) {
    // Keep while the coverage BEFORE this character is below the target (sentencepiece's rule).
    if (coverage < 1 && covered / total >= coverage) break;
    covered += n;
    if (exclude.has(ch)) continue;
    chars.push(ch);
    kept.push(n);
  }
  return { chars, counts: kept, seen: freq.size };
}
