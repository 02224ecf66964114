// The `13a` tokenizer of the WMT scoring script mteval-v13a.pl, as sacreBLEU
// implements it (Post 2018, "A Call for Clarity in Reporting BLEU Scores";
// sacrebleu/tokenizers/tokenizer_13a.py and tokenizer_re.py): unescape four
// XML entities, split off punctuation and symbols, split periods and commas
// unless they sit between digits, split a dash after a digit.

/** Python's str.split() whitespace (wider than JS's \s in \x1c-\x1f and \x85, narrower in \ufeff). */
export const PY_WHITESPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u;

/** Python's `' '.join(s.split())`. */
export function squeezeSpaces(s: string): string {
  return s.split(PY_WHITESPACE).filter((w) => w.length > 0).join(' ');
}

const RULES: [RegExp, string][] = [
  // language-dependent part (assuming Western languages): { | } ~ [ \ ] ^ _ ` space ! " # $ % & ( ) * + : ; < = > ? @ /
  [/([{-~[-` -&(-+:-@/])/gu, ' $1 '],
  // period and comma unless preceded by a digit
  [/([^0-9])([.,])/gu, '$1 $2 '],
  // period and comma unless followed by a digit
  [/([.,])([^0-9])/gu, ' $1 $2'],
  // dash when preceded by a digit
  [/([0-9])(-)/gu, '$1 $2 '],
];

export function tokenize13a(line: string): string {
  let s = line.replaceAll('<skipped>', '').replaceAll('-\n', '').replaceAll('\n', ' ');
  if (s.includes('&')) s = s.replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>');
  s = ` ${s} `;
  for (const [re, rep] of RULES) s = s.replace(re, rep);
  return squeezeSpaces(s);
}
