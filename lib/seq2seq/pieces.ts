// A reversible word tokenizer for translation: words and punctuation become
// tokens, and a token that followed a space carries a leading ▁ (as
// SentencePiece marks it), so detokenize(tokenize(s)) === s up to runs of
// whitespace. BLEU is then scored on the detokenized text, as sacreBLEU expects.
// Scripts without spaces (Japanese) are split into single characters.

import { SPECIALS, UNK } from '../formats/tokens.js';

export const SPACE = '\u2581';

// A run of letters/digits/marks, one CJK/kana character, or one other non-space symbol.
const TOKEN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc]|[\p{L}\p{N}\p{M}]+|[^\s\p{L}\p{N}\p{M}]/gu;

export function tokenize(s: string): string[] {
  const out: string[] = [];
  let last = 0;
  for (const m of s.normalize('NFC').matchAll(TOKEN)) {
    const spaced = m.index! > last && /\s/u.test(s.normalize('NFC').slice(last, m.index!));
    out.push((spaced || out.length === 0 ? SPACE : '') + m[0]);
    last = m.index! + m[0].length;
  }
  return out;
}

export function detokenize(tokens: readonly string[]): string {
  return tokens.join('').replaceAll(SPACE, ' ').trim();
}

export interface SideVocab {
  tokens: string[];
  index: Map<string, number>;
}

/** The specials, then the training tokens by count (ties in first-seen order), capped at `max` ids. */
export function buildVocab(sentences: readonly string[][], max: number, minCount: number): SideVocab {
  const counts = new Map<string, number>();
  for (const s of sentences) for (const t of s) counts.set(t, (counts.get(t) ?? 0) + 1);
  const words = [...counts.entries()].filter(([, c]) => c >= minCount).sort((a, b) => b[1] - a[1]).map(([w]) => w);
  const tokens = [...SPECIALS, ...words].slice(0, Math.max(max, SPECIALS.length + 1));
  return { tokens, index: new Map(tokens.map((t, i) => [t, i])) };
}

export function encode(v: SideVocab, toks: readonly string[]): Int32Array {
  return Int32Array.from(toks, (t) => v.index.get(t) ?? UNK);
}

/** Ids back to text; specials are dropped, <unk> kept visible. */
export function decode(v: SideVocab, ids: ArrayLike<number>): string {
  const out: string[] = [];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (id === UNK) out.push(`${SPACE}<unk>`);
    else if (id >= SPECIALS.length) out.push(v.tokens[id]!);
  }
  return detokenize(out);
}
