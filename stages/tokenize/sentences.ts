// Sentence splitting over token spans.
//
// - `line`: every line break ends a sentence (Brown, PTB: one sentence per line).
// - `punct`: a sentence ends after a terminator token (. ! ? … 。 ！ ？ । ؟ ...)
//   together with the closing quotes and brackets right after it, unless
//   - the terminator is a `.` glued to a known abbreviation (Mr., Dr., etc.)
//     or to a single-letter initial (J. R. R. Tolkien), or
//   - the next token starts with a lowercase letter ("Wait!" he said).
//   A blank line (paragraph break) always ends a sentence; a single line
//   break inside a paragraph does not. The end of the text ends a sentence.
// Decisions look at the original case, before any lowercasing.

import { BMP_CLASSES, CLOSER, LETTER, LOWER, TERM, classOf, classOfUnit } from './charclass.js';
import type { TokenSpans } from './spans.js';

export type SentenceMode = 'line' | 'punct';

/** Abbreviations whose `.` does not end a sentence (lowercase, without the dot). */
export const ABBREVIATIONS: ReadonlySet<string> = new Set([
  // English
  'mr', 'mrs', 'ms', 'dr', 'st', 'gen', 'gov', 'sen', 'rep', 'jr', 'sr', 'vs', 'etc', 'no', 'co', 'inc', 'ltd',
  'messrs', 'hon', 'capt', 'col', 'lt', 'sgt', 'prof', 'rev', 'vol', 'pp', 'fig', 'jan', 'feb', 'mar', 'apr',
  'aug', 'sept', 'sep', 'oct', 'nov', 'dec', 'ft', 'mt', 'ave', 'approx', 'dept', 'est', 'cf', 'al',
  // Italian, Portuguese, Spanish
  'sig', 'sigg', 'dott', 'ing', 'avv', 'ecc', 'pag', 'art', 'sra', 'srta', 'dra', 'exmo', 'av', 'nº',
  // Russian, Greek
  'г', 'гг', 'т', 'п', 'см', 'стр', 'им', 'κ', 'κα', 'σελ',
]);

/** Sentence ends as token indices (exclusive), reused across texts. */
export class SentenceBounds {
  count = 0;
  ends = new Int32Array(1024);

  reset(): void {
    this.count = 0;
  }

  push(end: number): void {
    if (this.count === this.ends.length) {
      const e = new Int32Array(this.ends.length * 2);
      e.set(this.ends);
      this.ends = e;
    }
    this.ends[this.count++] = end;
  }
}

const table = BMP_CLASSES;

function flagsAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c < 0xd800 || c > 0xdbff) return table[c] || classOfUnit(c);
  return classOf(text.codePointAt(i)!);
}

/** True when every character of the token is a terminator: ".", "...", "!", "。". */
function isTerminator(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!(flagsAt(text, i) & TERM)) return false;
  return end > start;
}

/** True when the token before a `.` is an abbreviation or an initial. */
function isAbbreviation(text: string, start: number, end: number): boolean {
  const len = end - start;
  if (len === 1 || (len === 2 && text.codePointAt(start)! > 0xffff)) return (flagsAt(text, start) & LETTER) !== 0;
  if (len > 8) return false;
  return ABBREVIATIONS.has(text.slice(start, end).toLowerCase());
}

/** Append the sentence ends of `spans` (of `text`) to `out`. */
export function splitSentences(text: string, spans: TokenSpans, mode: SentenceMode, out: SentenceBounds): void {
  const n = spans.count;
  const { start, end, newlines } = spans;
  let first = 0; // first token of the open sentence
  let pending = false; // a terminator was seen; the next token decides
  for (let t = 0; t < n; t++) {
    const nl = newlines[t]!;
    if (t > first) {
      if (mode === 'line') {
        if (nl >= 1) {
          out.push(t);
          first = t;
        }
      } else if (nl >= 2) {
        out.push(t);
        first = t;
        pending = false;
      } else if (pending) {
        const f = flagsAt(text, start[t]!);
        // More terminators (?! or ". . .") or a closing quote glued to them: still the same sentence.
        if (nl === 0 && (f & TERM || (f & CLOSER && start[t] === end[t - 1]))) continue;
        pending = false;
        if (!(f & LOWER)) {
          out.push(t);
          first = t;
        }
      }
    }
    if (mode === 'punct' && isTerminator(text, start[t]!, end[t]!)) {
      const single = end[t]! - start[t]! === 1 && text.charCodeAt(start[t]!) === 0x2e;
      const glued = t > first && end[t - 1] === start[t];
      pending = !(single && glued && isAbbreviation(text, start[t - 1]!, end[t - 1]!));
    }
  }
  if (n > first) out.push(n);
}
