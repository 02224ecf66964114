// A trained subword tokenizer: the saved spec plus the model that applies it.
// Text is cut into words on whitespace (the words the tokenize stage produced are
// already cut), and each word is encoded on its own.

import { BpeModel } from './bpe-model.js';
import { splitWords } from './pieces.js';
import { readSpec, type TokenizerSpec } from './spec.js';
import { WordPieceModel } from './wordpiece-model.js';

export interface Tokenizer {
  readonly spec: TokenizerSpec;
  readonly pieces: readonly string[];
  /** Append the piece ids of one word (no spaces in it) to `out`. */
  encodeWord(word: string, out: number[]): void;
  /** Piece ids of whitespace-separated text. */
  encode(text: string): number[];
  /** Ids back to text with words separated by single spaces. */
  decode(ids: ArrayLike<number>): string;
}

export function tokenizerFromSpec(spec: TokenizerSpec): Tokenizer {
  const model = spec.kind === 'bpe' ? new BpeModel(spec) : new WordPieceModel(spec);
  return {
    spec,
    pieces: spec.pieces,
    encodeWord: (word, out) => model.encodeWord(word, out),
    encode(text) {
      const out: number[] = [];
      for (const w of splitWords(text)) model.encodeWord(w, out);
      return out;
    },
    decode: (ids) => model.decode(ids),
  };
}

/** Load a tokenizer file (errors name the file and the bad key; exit 2). */
export function loadTokenizer(file: string): Tokenizer {
  return tokenizerFromSpec(readSpec(file));
}
