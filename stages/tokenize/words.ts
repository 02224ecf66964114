// Pre-tokenizers: text -> token spans. Two of them:
//
// - `words`: Unicode-aware word splitting for any script. A word is a run of
//   letters, combining marks and digits; apostrophes and hyphens join it when
//   a letter or digit follows (don't, l'uomo, кто-то), `.` and `,` join digits
//   (3.14, 1,000), geresh/gershayim join Hebrew letters (צה"ל, ג׳), and
//   initials with dots stay whole (U.S., e.g.). Han, Hiragana and Katakana
//   are written without spaces: one character per token. Every other visible
//   character is a token of its own (with its combining marks), except runs
//   of `.` or `-` ("...", "--"). Whitespace and control characters separate
//   tokens and are dropped; nothing else is dropped.
// - `whitespace`: tokens are the runs between whitespace, untouched (PTB,
//   WikiText-2 are already tokenized and must stay token for token).
//
// Hand-written scanners over a class table (charclass.ts): a table lookup per
// character instead of a regex match object per token.

import {
  APOS,
  BMP_CLASSES,
  CJK,
  DIGIT,
  EMOJI_MOD,
  GERESH,
  HEBREW,
  HYPHEN,
  LETTER,
  MARK,
  NUMSEP,
  REGIONAL,
  SPACE,
  WORD,
  classOf,
  classOfUnit,
} from './charclass.js';
import type { TokenSpans } from './spans.js';

export type PreTokenizerName = 'words' | 'whitespace';
export type PreTokenizer = (text: string, out: TokenSpans) => void;

const table = BMP_CLASSES;

/** Flags of the code point at i (0 past the end). */
function flagsAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c !== c) return 0; // NaN: past the end
  if (c < 0xd800 || c > 0xdbff) return table[c] || classOfUnit(c);
  return classOf(text.codePointAt(i)!);
}

/** Length in UTF-16 units of the code point at i. */
function widthAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1;
}

/** Skip combining marks (and, after a symbol, emoji modifiers and ZWJ sequences) from i. */
function skipAttached(text: string, i: number, symbol: boolean): number {
  for (;;) {
    const f = flagsAt(text, i);
    if (f & MARK || (symbol && f & EMOJI_MOD)) {
      // ZWJ (a MARK) inside an emoji sequence glues the next symbol too: 👩‍💻.
      if (symbol && text.charCodeAt(i) === 0x200d && i + 1 < text.length && !(flagsAt(text, i + 1) & (SPACE | WORD))) {
        i += 1 + widthAt(text, i + 1);
        continue;
      }
      i += widthAt(text, i);
      continue;
    }
    return i;
  }
}

/** End of the word starting at i (text[i] is a letter, digit or mark). */
function scanWord(text: string, i: number): number {
  const n = text.length;
  let base = 0; // flags of the last letter or digit (marks do not change it)
  let dotted = true; // the word so far is initials: L. or L.L. ...
  let run = 0; // letters since the last dot
  let dots = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const f = c < 0xd800 || c > 0xdbff ? table[c] || classOfUnit(c) : classOf(text.codePointAt(i)!);
    if (f & WORD) {
      if (f & MARK) {
        if (base === 0) base = f; // a word may start with a mark (after a space)
      } else {
        base = f;
        if (f & DIGIT || ++run > 1) dotted = false;
      }
      i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
      continue;
    }
    if (f & SPACE || f & CJK) break;
    const next = flagsAt(text, i + 1);
    // Joiners: step over the joiner only; the loop then takes the character after it.
    if (f & NUMSEP && base & DIGIT && next & DIGIT) {
      i++;
      dotted = false;
      continue;
    }
    if (f & (APOS | HYPHEN) && next & (LETTER | DIGIT)) {
      i++;
      dotted = false;
      continue;
    }
    if (f & GERESH && base & HEBREW) {
      if (next & HEBREW) {
        i++;
        continue;
      }
      // A trailing geresh marks an abbreviation or a foreign sound (פרופ׳, ג'): part of the word.
      if (c === 0x05f3 || c === 0x27) i++;
      break;
    }
    if (c === 0x2e && dotted && run === 1) {
      if (next & LETTER && text.charCodeAt(i + 2) === 0x2e) {
        i++;
        dots++;
        run = 0;
        continue;
      }
      if (dots > 0) i++; // the closing dot of U.S.
      break;
    }
    break;
  }
  return i;
}

/** The `words` pre-tokenizer. */
export function splitWords(text: string, out: TokenSpans): void {
  const n = text.length;
  let i = 0;
  let nl = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const f = c < 0xd800 || c > 0xdbff ? table[c] || classOfUnit(c) : classOf(text.codePointAt(i)!);
    if (f & SPACE) {
      if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10) || c === 0x2028) nl++;
      else if (c === 0x2029) nl += 2;
      i++;
      continue;
    }
    const start = i;
    if (f & WORD) {
      i = scanWord(text, i);
    } else if (f & CJK) {
      i = skipAttached(text, i + widthAt(text, i), false);
    } else if (c === 0x3c && text.startsWith('<unk>', i)) {
      i += 5; // PTB's unknown-word token stays whole
    } else {
      i += widthAt(text, i);
      if (c === 0x2e || c === 0x2d) {
        while (text.charCodeAt(i) === c) i++;
      } else if (f & REGIONAL && flagsAt(text, i) & REGIONAL) {
        i += 2;
      }
      i = skipAttached(text, i, true);
    }
    out.push(start, i, nl);
    nl = 0;
  }
}

/** The `whitespace` pre-tokenizer: runs of non-whitespace, as they are. */
export function splitWhitespace(text: string, out: TokenSpans): void {
  const n = text.length;
  let i = 0;
  let nl = 0;
  while (i < n) {
    let c = text.charCodeAt(i);
    if ((table[c] || classOfUnit(c)) & SPACE) {
      if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10) || c === 0x2028) nl++;
      else if (c === 0x2029) nl += 2;
      i++;
      continue;
    }
    const start = i;
    while (i < n) {
      c = text.charCodeAt(i);
      if ((table[c] || classOfUnit(c)) & SPACE) break;
      i++;
    }
    out.push(start, i, nl);
    nl = 0;
  }
}

export function preTokenizer(name: PreTokenizerName): PreTokenizer {
  return name === 'whitespace' ? splitWhitespace : splitWords;
}
