// What a chatbot is to `lexflow chat` and to the evaluation: something that
// answers a context (the conversation so far, last message last). A retrieval
// bot (retrieval.ts) picks a reply from its index; the generative bot
// (generative.ts: a seq2seq model decoding a reply) implements the same interface.

export type BotMode = 'retrieval' | 'generative';
export const BOT_MODES: readonly BotMode[] = ['retrieval', 'generative'];

/** One reply the bot considered: an index row's reply, or a decoded sequence. */
export interface Candidate {
  readonly id: string;
  /** The turns this candidate answered (an index row's context). */
  readonly context: readonly string[];
  readonly text: string;
  readonly score: number;
}

export interface Reply {
  readonly text: string;
  readonly mode: BotMode;
  /** False when the bot says it does not know (below its threshold, no known word, bad input). */
  readonly known: boolean;
  /** In [0, 1]. Retrieval: the cosine (or BM25 score relative to a perfect match) of the best row; generative: the geometric mean probability of the reply's tokens. */
  readonly confidence: number;
  /** The k best candidates, best first, when asked for. */
  readonly candidates: readonly Candidate[];
  /** Why the bot did not answer, when it did not. */
  readonly reason?: string;
}

export interface Bot {
  readonly mode: BotMode;
  /** Turns of context it reads (1: the last message only). */
  readonly turns: number;
  answer(context: readonly string[], k: number): Reply;
}

/** A reply that is not an answer. */
export function noAnswer(mode: BotMode, text: string, reason: string): Reply {
  return { text, mode, known: false, confidence: 0, candidates: [], reason };
}
