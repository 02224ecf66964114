// `lexflow chat --model out/bot/chatbot`: talk to a chatbot stage's model.
//   on a terminal: an interactive session (readline with history; /reset, /mode
//                  retrieval|generative, /k N to show N candidates with scores, /quit)
//   --ask "what is AI?"  answers once
//   piped stdin          one message per line, the context kept across lines (the
//                        commands work there too); one reply per message
//   --json               one JSON object per reply, for scripts

import readline from 'node:readline';
import type { CommandModule } from 'yargs';
import { UsageError } from '../../pipeline/errors.js';
import { DECODERS, type DecoderKind } from '../../lib/chat/decoding.js';
import { ChatSession, parseMode } from '../../lib/chat/session.js';
import type { Reply } from '../../lib/chat/bot.js';
import { loadBots } from './model-files.js';

interface ChatArgs {
  model: string;
  ask?: string;
  json?: boolean;
  k: number;
  mode: string;
  decode?: string;
}

const HELP = 'commands: /reset (forget the conversation), /mode retrieval|generative, /k N (show N candidates with scores; /k 0 hides them), /quit';

function short(s: string, n = 100): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

function formatReply(message: string, r: Reply, json: boolean): string {
  if (json)
    return JSON.stringify({
      message,
      reply: r.text,
      mode: r.mode,
      known: r.known,
      confidence: Number(r.confidence.toFixed(6)),
      ...(r.reason ? { reason: r.reason } : {}),
      candidates: r.candidates.map((c) => ({ id: c.id, score: Number(c.score.toFixed(6)), context: c.context, text: c.text })),
    });
  const lines = [r.text];
  r.candidates.forEach((c, i) => lines.push(`  ${String(i + 1).padStart(2)}. ${c.score.toFixed(3)}  ${short(c.text, 70)}   <- ${short(c.context[c.context.length - 1] ?? '', 40)}`));
  return lines.join('\n');
}

/** A line starting with "/" is a command: returns what to print, or 'quit'. */
function command(session: ChatSession, line: string): string | 'quit' {
  const [name, arg] = line.trim().split(/\s+/, 2);
  switch (name) {
    case '/quit':
    case '/exit':
      return 'quit';
    case '/reset':
      session.reset();
      return '(conversation forgotten)';
    case '/mode': {
      const m = parseMode(arg ?? '');
      if (!m) return `(/mode takes retrieval or generative; now ${session.mode})`;
      const why = session.unavailable(m);
      if (why) return `(${why})`;
      session.mode = m;
      return `(mode ${m})`;
    }
    case '/k': {
      const k = Number(arg);
      if (!Number.isInteger(k) || k < 0 || k > 100) return '(/k takes a whole number from 0 to 100, e.g. /k 5)';
      session.k = k;
      return k ? `(showing ${k} candidates with their scores)` : '(candidates hidden)';
    }
    case '/help':
      return HELP;
    default:
      return `(unknown command ${name}; ${HELP})`;
  }
}

async function interactive(session: ChatSession, json: boolean): Promise<void> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, historySize: 200, prompt: 'you> ' });
  process.stdout.write(`${HELP}\n`);
  rl.prompt();
  for await (const line of rl) {
    if (line.trim().startsWith('/')) {
      const out = command(session, line);
      if (out === 'quit') break;
      process.stdout.write(`${out}\n`);
    } else if (line.trim() !== '') process.stdout.write(`${json ? '' : 'bot> '}${formatReply(line, session.say(line), json)}\n`);
    rl.prompt();
  }
  rl.close();
}

async function piped(session: ChatSession, json: boolean): Promise<void> {
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    if (line.trim().startsWith('/')) {
      const out = command(session, line);
      if (out === 'quit') break;
      if (!json) process.stdout.write(`${out}\n`);
      continue;
    }
    process.stdout.write(`${formatReply(line, session.say(line), json)}\n`);
  }
}

const chat: CommandModule<object, ChatArgs> = {
  command: 'chat',
  describe: 'talk to a chatbot stage model: interactive on a terminal, --ask once, or one message per line on stdin',
  builder: (y) =>
    y
      .option('model', { type: 'string', demandOption: true, describe: 'the chatbot stage folder of a run (e.g. out/bot/chatbot), or the run folder' })
      .option('ask', { type: 'string', describe: 'answer this one message and exit' })
      .option('json', { type: 'boolean', default: false, describe: 'print each reply as one JSON object (reply, known, confidence, candidates)' })
      .option('k', { type: 'number', default: 0, describe: 'show the k best candidates with their scores' })
      .option('mode', { type: 'string', default: 'retrieval', describe: 'retrieval or generative (a model built with --chatbot.generative rnn)' })
      .option('decode', { type: 'string', describe: 'generative: greedy, beam or sample (default: what the model was built with)' }) as never,
  handler: async (argv) => {
    if (!Number.isInteger(argv.k) || argv.k < 0 || argv.k > 100) throw new UsageError(`--k ${argv.k}: give a whole number from 0 to 100`);
    const mode = parseMode(argv.mode);
    if (!mode) throw new UsageError(`--mode ${argv.mode}: choose retrieval or generative`);
    if (argv.ask !== undefined && String(argv.ask).trim() === '') throw new UsageError('--ask is empty: give a message, e.g. --ask "what is AI?"');
    if (argv.decode !== undefined && !DECODERS.includes(argv.decode as DecoderKind)) throw new UsageError(`--decode ${argv.decode}: choose ${DECODERS.join(', ')}`);
    const { bots } = await loadBots(argv.model, argv.decode ? { decode: { kind: argv.decode as DecoderKind } } : {});
    const session = new ChatSession(bots, argv.k);
    if (mode !== 'retrieval') {
      const why = session.unavailable(mode);
      if (why) throw new UsageError(`--mode ${mode}: ${why.replace('/mode retrieval', '--mode retrieval')}`);
      session.mode = mode;
    }
    const json = Boolean(argv.json);
    if (argv.ask !== undefined) process.stdout.write(`${formatReply(String(argv.ask), session.say(String(argv.ask)), json)}\n`);
    else if (process.stdin.isTTY) await interactive(session, json);
    else await piped(session, json);
  },
};

export default chat;
