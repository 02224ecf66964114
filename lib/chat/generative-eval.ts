// The generative bot on held-out conversations: its reply to each context
// (the last N turns) against the reference next turn, as corpus BLEU
// (sacreBLEU's defaults, lib/metrics/bleu.ts), distinct-1 and distinct-2 of
// its replies (Li et al. 2016, lib/metrics/distinct.ts), and the model's
// per-token perplexity of the reference replies (teacher forcing).

import { corpusBleu } from '../metrics/bleu.js';
import { distinctN } from '../metrics/distinct.js';
import { perplexityOf } from '../seq2seq/train.js';
import type { ContextPair } from './evaluate.js';
import { GenerativeBot } from './generative.js';
import { pairIds } from './generative-data.js';

export interface GenerativeFigures {
  /** Context turns the source was given. */
  turns: number;
  pairs: number;
  bleu: number;
  bleuSignature: string;
  distinct1: number;
  distinct2: number;
  ppl: number;
  /** Mean milliseconds to decode one reply (batched where the decoder allows). */
  msPerReply: number;
  replies: string[];
}

/** Evaluate `bot` on `pairs`, its source cut to `turns` turns (at most the bot's own). */
export function evaluateGenerative(bot: GenerativeBot, pairs: readonly ContextPair[], turns: number): GenerativeFigures {
  const shape = { ...bot.m.shape, turns: Math.min(turns, bot.m.shape.turns) };
  const view = new GenerativeBot({ ...bot.m, shape }, bot.decoding);
  const t0 = performance.now();
  const replies = view.generate(pairs.map((p) => p.context)).map((t) => view.text(t));
  const ms = (performance.now() - t0) / Math.max(1, pairs.length);
  const refs = pairs.map((p) => p.reply);
  const bleu = corpusBleu(replies, [refs]);
  const { data } = pairIds(pairs, bot.m, shape);
  return {
    turns: shape.turns,
    pairs: pairs.length,
    bleu: bleu.score,
    bleuSignature: bleu.signature,
    distinct1: distinctN(replies, 1).score,
    distinct2: distinctN(replies, 2).score,
    ppl: pairs.length ? perplexityOf(bot.m.model, data) : NaN,
    msPerReply: ms,
    replies,
  };
}
