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

/**
 * A number per token ordered as the tokens' first characters are: each UTF-16
 * unit the tokens use gets its rank among them (1, 2, ...; 0 pads a short
 * token, below any unit), and as many ranks as fit in 53 bits make the key
 * (7 characters for an alphabet of up to 127). Undefined when a token holds a
 * surrogate (code-point order then differs from UTF-16 order). Sorting
 * compares keys first and strings only on a tie: the strings lie all over the
 * heap, and comparing them was most of the vocabulary's time, while the keys
 * sit in one array.
 */
export function prefixKeys(tokens: readonly string[]): Float64Array | undefined {
  const present = new Uint8Array(65536);
  for (const w of tokens)
    for (let i = 0; i < w.length; i++) {
      const c = w.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdfff) return undefined;
      present[c] = 1;
    }
  const rank = new Uint16Array(65536);
  let size = 0;
  for (let c = 0; c < 65536; c++) if (present[c]) rank[c] = ++size;
  const base = size + 1;
  let units = 0;
  for (let room = 2 ** 53; room >= base; room /= base) units++;
  const keys = new Float64Array(tokens.length);
  for (let t = 0; t < tokens.length; t++) {
    const w = tokens[t]!;
    let k = 0;
    for (let i = 0; i < units; i++) k = k * base + (i < w.length ? rank[w.charCodeAt(i)]! : 0);
    keys[t] = k;
  }
  return keys;
}

/** Code-unit order by a loop over the units: the JIT inlines it, and it beat the engine's `<` on these strings. */
function compareUnitLoop(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return x - y;
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
  const keys = prefixKeys(tokens);
  const sorted = keys
    ? order.subarray(0, kept).sort((a, b) => trainCounts[b]! - trainCounts[a]! || keys[a]! - keys[b]! || compareUnitLoop(tokens[a]!, tokens[b]!))
    : order.subarray(0, kept).sort((a, b) => trainCounts[b]! - trainCounts[a]! || compareCodePoints(tokens[a]!, tokens[b]!));
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
