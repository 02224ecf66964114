// Training a BPE or WordPiece model on word types weighted by their corpus
// frequency. Both spell each word as symbols over the alphabet, then learn merges
// with the shared greedy loop (learn-merges.ts); they differ in the spelling, the
// score and how two pieces join.

import { UsageError } from '../../pipeline/errors.js';
import { SPECIALS } from '../formats/tokens.js';
import { selectAlphabet } from './alphabet.js';
import { learnMerges, MAX_SYMBOLS } from './learn-merges.js';
import { BYTE_PIECES, CONTINUATION, WORD_START, isReservedPiece } from './pieces.js';
import { TOKENIZER_FORMAT, TOKENIZER_VERSION, type SubwordKind, type TokenizerSpec } from './spec.js';

export interface TrainOptions {
  kind: SubwordKind;
  /** Pieces in all: 4 specials + byte pieces (bpe with byteFallback) + alphabet + merged pieces. */
  vocabSize: number;
  byteFallback: boolean;
  characterCoverage: number;
  maxChars: number;
  /** Pairs seen fewer times than this are never merged (default 1). */
  minPairCount?: number;
  /** Called as the number of pieces grows. */
  onProgress?(pieces: number): void;
}

/** Spell the training words as symbol ids into flat arrays for learnMerges. */
function spellWords(words: readonly string[], counts: ArrayLike<number>, spell: (word: string, out: number[]) => void) {
  const keep: number[] = [];
  for (let w = 0; w < words.length; w++) if (counts[w]! > 0) keep.push(w);
  const starts = new Int32Array(keep.length);
  const lens = new Int32Array(keep.length);
  const wc = new Float64Array(keep.length);
  const flat: number[] = [];
  const tmp: number[] = [];
  keep.forEach((w, i) => {
    tmp.length = 0;
    spell(words[w]!, tmp);
    starts[i] = flat.length;
    lens[i] = tmp.length;
    wc[i] = counts[w]!;
    for (const s of tmp) flat.push(s);
  });
  return { syms: Int32Array.from(flat), starts, lens, counts: wc };
}

/**
 * Learn a tokenizer from word types `words` with frequencies `counts` (entries with
 * count 0 are ignored). Piece ids are in training order; see sortPiecesByCount.
 */
export function trainSubword(words: readonly string[], counts: ArrayLike<number>, opts: TrainOptions): TokenizerSpec {
  const bpe = opts.kind === 'bpe';
  const byteFallback = bpe && opts.byteFallback;
  // A literal "▁" in a word is spelled with bytes so that decoding stays exact.
  const alphabet = selectAlphabet(words, counts, opts.characterCoverage, bpe ? new Set([WORD_START]) : new Set());
  const kept = new Set(alphabet.chars);

  // The initial symbols: "▁" and the characters (bpe); every character as it occurs
  // word-initially "x" and inside words "##x" (wordpiece).
  const symbols: string[] = bpe ? [WORD_START, ...alphabet.chars] : [];
  const symbolOf = new Map<string, number>(symbols.map((s, i) => [s, i]));
  const symbol = (text: string): number => {
    let id = symbolOf.get(text);
    if (id === undefined) {
      id = symbols.length;
      symbols.push(text);
      symbolOf.set(text, id);
    }
    return id;
  };
  const spell = bpe
    ? (word: string, out: number[]) => {
        out.push(0);
        for (const ch of word) out.push(kept.has(ch) ? symbolOf.get(ch)! : -1);
      }
    : (word: string, out: number[]) => {
        let first = true;
        for (const ch of word) {
          out.push(kept.has(ch) ? symbol(first ? ch : CONTINUATION + ch) : -1);
          first = false;
        }
      };
  const spelled = spellWords(words, counts, spell);

  const reserved = SPECIALS.length + (byteFallback ? BYTE_PIECES.length : 0);
  const minimum = reserved + symbols.length;
  if (opts.vocabSize < minimum) {
    const parts = `${SPECIALS.length} specials${byteFallback ? ` + ${BYTE_PIECES.length} byte pieces` : ''} + ${symbols.length} alphabet symbols`;
    throw new UsageError(
      `--vocab-size ${opts.vocabSize} is smaller than the alphabet: ${parts} = ${minimum}. Raise --vocab-size to at least ${minimum}, or lower --character-coverage (now ${opts.characterCoverage})`,
    );
  }
  if (opts.vocabSize - reserved > MAX_SYMBOLS) throw new UsageError(`--vocab-size ${opts.vocabSize} is above the maximum ${MAX_SYMBOLS + reserved}`);

  const { symbols: all, merges } = learnMerges({
    symbols,
    ...spelled,
    score: bpe ? 'frequency' : 'likelihood',
    join: bpe ? (l, r) => l + r : (l, r) => l + r.slice(CONTINUATION.length),
    isReserved: isReservedPiece,
    maxSymbols: opts.vocabSize - reserved,
    minPairCount: opts.minPairCount,
    onMerge: opts.onProgress ? (n) => opts.onProgress!(n + reserved) : undefined,
  });

  return {
    format: TOKENIZER_FORMAT,
    version: TOKENIZER_VERSION,
    kind: opts.kind,
    settings: {
      byteFallback,
      characterCoverage: opts.characterCoverage,
      maxChars: opts.maxChars,
      preTokenizer: 'whitespace',
      ...(bpe ? { wordStart: WORD_START } : { continuation: CONTINUATION }),
    },
    pieces: [...SPECIALS, ...(byteFallback ? BYTE_PIECES : []), ...all],
    ...(bpe ? { merges: merges.map(([a, b]): [string, string] => [all[a]!, all[b]!]) } : {}),
  };
}
