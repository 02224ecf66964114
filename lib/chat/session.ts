// A chat session: the conversation so far, the mode, how many candidates to
// show, and the checks every message goes through before a bot sees it (an
// empty or oversized message gets a plain answer, never an error).

import { BOT_MODES, noAnswer, type Bot, type BotMode, type Reply } from './bot.js';

/** Longer messages are not read: no turn of a chat corpus is near this long. */
export const MAX_MESSAGE_CHARS = 20000;

export class ChatSession {
  /** Turns so far, oldest first: the user's messages and the bot's known replies. */
  history: string[] = [];
  mode: BotMode;
  constructor(
    private readonly bots: Partial<Record<BotMode, Bot>>,
    /** Candidates to return with each reply (0: none). */
    public k = 0,
  ) {
    this.mode = bots.retrieval ? 'retrieval' : 'generative';
  }

  reset(): void {
    this.history = [];
  }

  /** The reason a mode cannot be used, or undefined when it can. */
  unavailable(mode: BotMode): string | undefined {
    if (this.bots[mode]) return undefined;
    if (mode === 'generative') return 'This model has no generative part (it was built with --generative none); /mode retrieval answers from its index.';
    return 'This model has no retrieval index.';
  }

  say(message: string): Reply {
    const text = message.trim();
    if (text === '') return noAnswer(this.mode, 'Say something and I will answer.', 'empty message');
    if (text.length > MAX_MESSAGE_CHARS)
      return noAnswer(this.mode, `That message is too long for me (${text.length} characters; I read up to ${MAX_MESSAGE_CHARS}). Send a shorter one.`, 'message too long');
    const bot = this.bots[this.mode];
    if (!bot) return noAnswer(this.mode, this.unavailable(this.mode)!, 'no such part in this model');
    this.history.push(text);
    const reply = bot.answer(this.history, this.k);
    if (reply.known) this.history.push(reply.text);
    // Only the turns a bot can read are kept.
    const keep = Math.max(...Object.values(this.bots).map((b) => b!.turns));
    if (this.history.length > keep) this.history = this.history.slice(this.history.length - keep);
    return reply;
  }
}

export function parseMode(s: string): BotMode | undefined {
  return BOT_MODES.find((m) => m === s);
}
