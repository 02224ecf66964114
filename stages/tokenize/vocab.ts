// The vocabulary builder. From the train counts of every type: keep those
// with count >= minCount, order them by count (descending) then by token in
// code-point order (so ties never depend on input order or thread count),
// keep the first maxSize - 4, and put the specials <unk> <s> </s> <pad> at
// ids 0..3. What is cut maps to <unk>, whose count is the train count of
// everything cut plus literal <unk> tokens; <s> and </s> count train sentences.

import { SPECIALS, UNK } from '../../lib/formats/tokens.js';

/** Compare strings by Unicode code points (UTF-16 order differs above U+D7FF). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Move surrogates (astral code points) above U+E000..U+FFFF.
    if (x >= 0xd800) x += x < 0xe000 ? 0x2000 : -0x800;
    if (y >= 0xd800) y += y < 0xe000 ? 0x2000 : -0x800;
    return x - y;
  }
  return a.length - b.length;
}

export interface VocabOptions {
  minCount: number;
  /** Total size including the 4 specials; 0 = unlimited. */
  maxSize: number;
}

export interface BuiltVocab {
  /** Tokens by final id. */
  tokens: string[];
  /** Train counts by final id. */
  counts: Float64Array;
  /** Provisional id -> final id (0 = <unk> for what was cut). */
  finalId: Int32Array;
  /** Types seen in train (count > 0) before the cut, specials excluded. */
  trainTypes: number;
}

/**
 * `tokens[i]`/`trainCounts[i]` are the provisional types; the first
 * `literalSpecials` of them are specials written literally in the corpus
 * (`<unk>` in PTB), which all map to `<unk>` and add to its count.
 */
export function buildVocab(tokens: readonly string[], trainCounts: Float64Array, trainSentences: number, opts: VocabOptions, literalSpecials = 1): BuiltVocab {
  const n = tokens.length;
  let kept = 0;
  let trainTypes = 0;
  const order = new Int32Array(n);
  for (let i = literalSpecials; i < n; i++) {
    if (trainCounts[i]! > 0) trainTypes++;
    if (trainCounts[i]! >= opts.minCount) order[kept++] = i;
  }
  const sorted = order.subarray(0, kept).sort((a, b) => trainCounts[b]! - trainCounts[a]! || compareCodePoints(tokens[a]!, tokens[b]!));
  const room = opts.maxSize > 0 ? Math.max(0, opts.maxSize - SPECIALS.length) : kept;
  const size = Math.min(kept, room);

  const finalId = new Int32Array(n); // 0 (<unk>) unless kept
  const outTokens: string[] = [...SPECIALS];
  const counts = new Float64Array(SPECIALS.length + size);
  let keptTotal = 0;
  for (let r = 0; r < size; r++) {
    const p = sorted[r]!;
    finalId[p] = SPECIALS.length + r;
    outTokens.push(tokens[p]!);
    counts[SPECIALS.length + r] = trainCounts[p]!;
    keptTotal += trainCounts[p]!;
  }
  let all = 0;
  for (let i = 0; i < n; i++) all += trainCounts[i]!;
  counts[UNK] = all - keptTotal; // literal <unk> plus everything cut
  counts[1] = trainSentences;
  counts[2] = trainSentences;
  counts[3] = 0;
  return { tokens: outTokens, counts, finalId, trainTypes };
}
