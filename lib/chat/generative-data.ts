// What a generative chatbot reads and writes, as ids: the source is the last N
// turns of the context, each tokenized (lib/seq2seq/pieces.ts) and lowercased
// (a user's "what is ai" should read as the corpus's "What is AI?"), joined by
// the separator token <sep> so the encoder sees where one turn ends; the
// target is the reply as written (its case is what the bot will say). Only
// the last `maxSource` source tokens are kept: the most recent turns matter
// most, and a huge message cannot make the encoder run for minutes.

import { SPECIALS } from '../formats/tokens.js';
import { buildVocab, encode, tokenize, type SideVocab } from '../seq2seq/pieces.js';
import type { PairData } from '../seq2seq/data.js';
import { lastTurns } from './retrieval.js';
import type { ContextPair } from './evaluate.js';

/** Between two turns of a source; always the first id after the specials. */
export const SEP = '<sep>';
export const SEP_ID = SPECIALS.length;

export interface GenerativeShape {
  /** Turns of context the source holds (1: the last message only). */
  readonly turns: number;
  /** Source tokens kept (the last ones). */
  readonly maxSource: number;
}

/** A turn's source tokens: the reversible word pieces of its lowercased text. */
export function turnTokens(turn: string): string[] {
  return tokenize(turn.normalize('NFC').toLowerCase());
}

/** The source tokens of a context: its last N turns' tokens joined by <sep>, at most maxSource (the last ones). */
export function sourceTokens(context: readonly string[], shape: GenerativeShape): string[] {
  const out: string[] = [];
  for (const t of lastTurns(context, shape.turns)) {
    if (out.length) out.push(SEP);
    out.push(...turnTokens(t));
  }
  return out.length > shape.maxSource ? out.slice(out.length - shape.maxSource) : out;
}

export function encodeSource(src: SideVocab, context: readonly string[], shape: GenerativeShape): Int32Array {
  return encode(src, sourceTokens(context, shape));
}

export interface ChatVocabs {
  src: SideVocab;
  tgt: SideVocab;
}

/** Source vocabulary: the specials, <sep>, then the training turns' tokens by count; target: the replies' tokens. */
export function buildChatVocabs(pairs: readonly ContextPair[], shape: GenerativeShape, maxVocab: number, minCount: number): ChatVocabs {
  const srcToks = pairs.map((p) => lastTurns(p.context, shape.turns).flatMap(turnTokens));
  const plain = buildVocab(srcToks, Math.max(maxVocab - 1, SPECIALS.length + 1), minCount);
  const tokens = [...SPECIALS, SEP, ...plain.tokens.slice(SPECIALS.length).filter((t) => t !== SEP)];
  const src: SideVocab = { tokens, index: new Map(tokens.map((t, i) => [t, i])) };
  const tgt = buildVocab(pairs.map((p) => tokenize(p.reply)), maxVocab, minCount);
  return { src, tgt };
}

/**
 * The (source, target) ids of pairs. With `maxTarget`, pairs whose reply is
 * longer (in tokens) or empty are left out (training); `dropped` counts them.
 */
export function pairIds(pairs: readonly ContextPair[], v: ChatVocabs, shape: GenerativeShape, maxTarget?: number): { data: PairData; dropped: number } {
  const data: PairData = { src: [], tgt: [] };
  let dropped = 0;
  for (const p of pairs) {
    const tgt = encode(v.tgt, tokenize(p.reply));
    if (maxTarget !== undefined && (tgt.length === 0 || tgt.length > maxTarget)) {
      dropped++;
      continue;
    }
    data.src.push(encodeSource(v.src, p.context, shape));
    data.tgt.push(tgt);
  }
  return { data, dropped };
}
