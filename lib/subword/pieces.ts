// Piece naming conventions shared by the BPE and WordPiece models.
//
// Word boundaries (documented convention, as sentencepiece): BPE marks the START of
// every word with U+2581 "▁", a symbol of its own that merges like any character
// ("▁the" = "▁" + "t" + "h" + "e" merged). Decoding concatenates the pieces and turns
// each "▁" back into a space, then drops the one leading space, so
// decode(encode(words.join(' '))) === words.join(' ') exactly. A literal "▁" inside a
// word is never part of the alphabet: it is spelled with byte pieces (or <unk>), and
// byte pieces decode to their bytes, never to a space.
//
// WordPiece (BERT) marks CONTINUATION instead: every piece that does not start a word
// carries the prefix "##" ("playing" = "play" "##ing"); decoding joins words with one
// space and strips the prefix.
//
// Byte fallback: a character outside the alphabet is spelled by its UTF-8 bytes as
// pieces "<0x00>".."<0xFF>" (sentencepiece's names), so no input is ever unknown.

import { SPECIALS } from '../formats/tokens.js';

export const WORD_START = '\u2581';
export const CONTINUATION = '##';

export const BYTE_PIECES: readonly string[] = Array.from({ length: 256 }, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
const BYTE_PIECE_RE = /^<0x([0-9A-F]{2})>$/;

/** The byte a piece stands for, or -1 when it is not a byte piece. */
export function bytePieceValue(piece: string): number {
  const m = BYTE_PIECE_RE.exec(piece);
  return m ? parseInt(m[1]!, 16) : -1;
}

/** Piece strings that a merge may never produce (they would collide with a special or a byte piece). */
export function isReservedPiece(piece: string): boolean {
  return (SPECIALS as readonly string[]).includes(piece) || BYTE_PIECE_RE.test(piece);
}

/** Code points of a string (not UTF-16 units): a piece never splits a surrogate pair. */
export function codePoints(s: string): string[] {
  return Array.from(s);
}

/** Whitespace pre-tokenization for text given on the command line: words are maximal non-space runs. */
export function splitWords(text: string): string[] {
  return text.split(/\s+/u).filter((w) => w.length > 0);
}
