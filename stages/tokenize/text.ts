// Tokenize a string the way the tokenize stage does (same parts, same order),
// for callers that handle small texts: tests, a chatbot's user input, a
// prompt to sample from. Returns the sentences as arrays of token strings.

import { lowercaseInPlace, normalizeText, type NormalForm } from './normalize.js';
import { SentenceBounds, splitSentences, type SentenceMode } from './sentences.js';
import { TokenSpans } from './spans.js';
import { preTokenizer, type PreTokenizerName } from './words.js';

export interface TextTokenizerOptions {
  normalize?: NormalForm;
  lowercase?: boolean;
  tokenizer?: PreTokenizerName;
  sentences?: SentenceMode;
}

export function tokenizeText(raw: string, opts: TextTokenizerOptions = {}): string[][] {
  const text = normalizeText(raw, opts.normalize ?? 'nfc');
  const spans = new TokenSpans();
  preTokenizer(opts.tokenizer ?? 'words')(text, spans);
  const bounds = new SentenceBounds();
  splitSentences(text, spans, opts.sentences ?? 'punct', bounds);
  const lower = opts.lowercase ? lowercaseInPlace(text) : undefined;
  const out: string[][] = [];
  let t = 0;
  for (let s = 0; s < bounds.count; s++) {
    const sentence: string[] = [];
    for (const end = bounds.ends[s]!; t < end; t++) {
      const tok = (lower ?? text).slice(spans.start[t], spans.end[t]);
      sentence.push(opts.lowercase && lower === undefined ? tok.toLowerCase() : tok);
    }
    out.push(sentence);
  }
  return out;
}
