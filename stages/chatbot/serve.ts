// The chat box of `lexflow serve`: one conversation per browser page, kept
// between calls (the bot reads its last --turns turns, as `lexflow chat`
// does), answered by lib/chat's ChatSession over the model the chatbot stage
// wrote. "/reset" forgets the conversation. The model loads on the first call
// and stays loaded until the stage is rerun.

import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../pipeline/errors.js';
import type { ServeAnswer, ServeEndpoint } from '../../pipeline/serve-endpoint.js';
import type { Bot, BotMode, Reply } from '../../lib/chat/bot.js';
import type { ChatSession } from '../../lib/chat/session.js';

/** Conversations kept at once (pages open); the least recently used goes first. */
const MAX_SESSIONS = 200;
/** Turns of a conversation shown back to the page (the bot itself keeps only what it reads). */
const SHOWN_TURNS = 40;

interface Conversation {
  chat: ChatSession;
  shown: Record<string, string | number>[];
}

const bots = new Map<string, Promise<Partial<Record<BotMode, Bot>>>>();
const conversations = new Map<string, Conversation>();

/** The bots of a model folder: retrieval from its index; generative when the model has a generative part. */
function botsOf(dir: string, fingerprint: string): Promise<Partial<Record<BotMode, Bot>>> {
  const key = `${dir}\u0000${fingerprint}`;
  let p = bots.get(key);
  if (!p) {
    p = (async () => {
      const { loadBots } = await import('./model-files.js');
      return (await loadBots(dir)).bots; // what `lexflow chat` loads: the generative bot too, when the model has one
    })();
    p.catch(() => bots.delete(key));
    for (const k of bots.keys()) if (k.startsWith(`${dir}\u0000`)) bots.delete(k); // a rerun stage: the old model goes
    bots.set(key, p);
  }
  return p;
}

/** The modes model.json says the model has (read on every page load: a small file). */
function modesOf(dir: string): BotMode[] | null {
  try {
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as { generative?: unknown };
    return meta.generative ? ['retrieval', 'generative'] : ['retrieval'];
  } catch {
    return null;
  }
}

async function conversationOf(dir: string, fingerprint: string, session: string): Promise<Conversation> {
  const key = `${dir}\u0000${fingerprint}\u0000${session}`;
  let c = conversations.get(key);
  if (c) conversations.delete(key); // re-inserted below: the map's order is least recently used first
  else {
    const { ChatSession } = await import('../../lib/chat/session.js');
    c = { chat: new ChatSession(await botsOf(dir, fingerprint)), shown: [] };
  }
  conversations.set(key, c);
  while (conversations.size > MAX_SESSIONS) conversations.delete(conversations.keys().next().value!);
  return c;
}

function answer(c: Conversation, reply: Reply | undefined): ServeAnswer {
  const rows = c.shown.slice(-SHOWN_TURNS);
  if (reply) reply.candidates.forEach((x, i) => rows.push({ turn: '', who: `candidate ${i + 1}`, text: x.text, confidence: x.score }));
  return rows.length ? { rows } : { text: '(conversation forgotten)' };
}

export const chatEndpoint: ServeEndpoint = {
  name: 'chat',
  describe: 'talk to the chatbot: the conversation is kept for this page (the bot reads its last turns); /reset forgets it',
  fields(dir) {
    const modes = modesOf(dir);
    return modes
      ? [
          { name: 'message', type: 'text', default: '', clear: true },
          { name: 'mode', type: 'text', choices: modes, default: 'retrieval' },
          { name: 'candidates', type: 'number', default: 0 },
        ]
      : null;
  },
  async call({ dir, fingerprint, args, session }) {
    if (args.message !== undefined && typeof args.message !== 'string') throw new UsageError('message: give the message as text');
    const message = String(args.message ?? '');
    const mode = String(args.mode ?? 'retrieval');
    if (mode !== 'retrieval' && mode !== 'generative') throw new UsageError(`mode "${mode}": choose retrieval or generative`);
    const k = args.candidates === undefined || args.candidates === '' ? 0 : Number(args.candidates);
    if (!Number.isInteger(k) || k < 0 || k > 20) throw new UsageError('candidates: give a whole number from 0 to 20');
    if (message.trim() === '') throw new UsageError('message: say something (or /reset to forget the conversation)');
    const c = await conversationOf(dir, fingerprint, session);
    if (message.trim() === '/reset') {
      c.chat.reset();
      c.shown = [];
      return answer(c, undefined);
    }
    const why = c.chat.unavailable(mode);
    if (why) throw new UsageError(`mode ${mode}: ${why}`);
    c.chat.mode = mode;
    c.chat.k = k;
    const reply = c.chat.say(message);
    const turn = c.shown.filter((r) => r.who === 'you').length + 1;
    c.shown.push({ turn, who: 'you', text: message.trim(), confidence: '' }, { turn, who: `bot (${reply.mode})`, text: reply.text, confidence: reply.known ? reply.confidence : 0 });
    return answer(c, reply);
  },
};
