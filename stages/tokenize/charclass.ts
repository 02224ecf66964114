// Character classes for the hand-written scanners (words.ts, sentences.ts).
// One Uint32 of flags per UTF-16 code unit, computed lazily from Unicode
// property regexes the first time a character is seen, so the hot loop is a
// table lookup instead of a regex per character. Astral code points (CJK
// extension B, emoji, math letters) go through a small Map cache.

export const KNOWN = 1 << 0;
/** White_Space, control characters, zero-width space, BOM: separate tokens and are dropped. */
export const SPACE = 1 << 1;
/** A letter (\p{L}) of a script written with spaces. */
export const LETTER = 1 << 2;
/** A combining mark (\p{M}) or a joiner (ZWJ, ZWNJ, soft hyphen): never split from what precedes it. */
export const MARK = 1 << 3;
/** A digit or other number (\p{N}). */
export const DIGIT = 1 << 4;
/** Han, Hiragana, Katakana: written without spaces, one character per token. */
export const CJK = 1 << 5;
/** A lowercase letter (\p{Ll}): a sentence does not start with one. */
export const LOWER = 1 << 6;
/** A Hebrew letter: geresh and gershayim join it. */
export const HEBREW = 1 << 7;
/** Apostrophes inside words: don't, l'uomo, d’água. */
export const APOS = 1 << 8;
/** Hyphens inside words: well-known, кто-то, Hebrew maqaf. */
export const HYPHEN = 1 << 9;
/** Hebrew geresh and gershayim (׳ ״) and their ASCII stand-ins (' "). */
export const GERESH = 1 << 10;
/** Separators inside numbers: 3.14, 1,000, Arabic ٫ ٬. */
export const NUMSEP = 1 << 11;
/** Sentence-final punctuation: . ! ? … 。 ！ ？ । ॥ ؟ and friends. */
export const TERM = 1 << 12;
/** Closing quotes and brackets that stay with the sentence they close. */
export const CLOSER = 1 << 13;
/** Emoji modifiers and variation selectors that attach to a symbol. */
export const EMOJI_MOD = 1 << 14;
/** Regional indicators: two make one flag. */
export const REGIONAL = 1 << 15;

export const WORD = LETTER | MARK | DIGIT;

const reSpace = /^[\s\p{Cc}\u200b\u2060\ufeff]$/u;
const reLetter = /^\p{L}$/u;
const reMark = /^[\p{M}\u200c\u200d\u00ad]$/u;
const reDigit = /^\p{N}$/u;
const reCjk = /^[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\u30fc\u3005\u303b]$/u;
const reLower = /^\p{Ll}$/u;
const reHebrew = /^\p{sc=Hebrew}$/u;
const reCloser = /^[\p{Pe}\p{Pf}"'\u201d\u2019\u00bb\u300d\u300f]$/u;
const reEmojiMod = /^[\p{Emoji_Modifier}\ufe0e\ufe0f]$/u;
const reRegional = /^\p{Regional_Indicator}$/u;

const TERMINATORS = '.!?\u2026\u3002\uff01\uff1f\u0964\u0965\u061f\u203c\u2047\u2048\u2049\uff61\u06d4';

export function classify(cp: number): number {
  const ch = String.fromCodePoint(cp);
  let f = KNOWN;
  if (reSpace.test(ch)) return f | SPACE;
  if (reCjk.test(ch)) f |= CJK;
  // U+FFFD stands for an undecodable byte, nearly always part of a word (caf\ufffd): treat it as a letter.
  else if (reLetter.test(ch) || cp === 0xfffd) f |= LETTER;
  if (reMark.test(ch)) f |= MARK;
  // Han numerals such as 〇 are one character per token like every other Han character.
  if (!(f & CJK) && reDigit.test(ch)) f |= DIGIT;
  if (reLower.test(ch)) f |= LOWER;
  if (f & LETTER && reHebrew.test(ch)) f |= HEBREW;
  if (cp === 0x27 || cp === 0x2019) f |= APOS;
  if (cp === 0x2d || cp === 0x2010 || cp === 0x2011 || cp === 0x05be) f |= HYPHEN;
  if (cp === 0x05f3 || cp === 0x05f4 || cp === 0x27 || cp === 0x22) f |= GERESH;
  if (cp === 0x2e || cp === 0x2c || cp === 0x066b || cp === 0x066c) f |= NUMSEP;
  if (TERMINATORS.includes(ch)) f |= TERM;
  if (reCloser.test(ch)) f |= CLOSER;
  if (reEmojiMod.test(ch)) f |= EMOJI_MOD;
  if (reRegional.test(ch)) f |= REGIONAL;
  return f;
}

const bmp = new Uint32Array(65536);
const astral = new Map<number, number>();

/** Flags of the BMP code unit `c` (a lone surrogate classifies as a symbol). */
export function classOfUnit(c: number): number {
  const f = bmp[c]!;
  if (f !== 0) return f;
  return (bmp[c] = classify(c));
}

/** Flags of any code point. */
export function classOf(cp: number): number {
  if (cp < 0x10000) return classOfUnit(cp);
  let f = astral.get(cp);
  if (f === undefined) astral.set(cp, (f = classify(cp)));
  return f;
}

/** The class table itself, for scanners that inline the lookup; fill entries with `classOfUnit`. */
export const BMP_CLASSES: Uint32Array = bmp;
