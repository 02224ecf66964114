// Words of a chat message: NFKC, lowercased, runs of letters, marks and digits
// (an apostrophe inside a word keeps it whole: what's, l'uomo). Punctuation
// and symbols are dropped: a retrieval bot matches on words.

const WORD = /[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}\p{N}]+)*/gu;

export function words(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().replace(/’/g, "'").match(WORD) ?? [];
}
