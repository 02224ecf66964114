// `lexflow tokenize --tokenizer file.json "some text"`: print the subword pieces
// and ids of text (or of each line of stdin when no text is given) with a trained
// tokenizer file (the subword stage writes subword/tokenizer.json).

import readline from 'node:readline';
import type { CommandModule } from 'yargs';
import { splitWords } from '../../lib/subword/pieces.js';
import { loadTokenizer, type Tokenizer } from '../../lib/subword/tokenizer.js';

interface TokenizeArgs {
  tokenizer: string;
  text?: string[];
  json?: boolean;
}

/** The lines `lexflow tokenize` prints for one text: pieces, then ids (or one JSON object). */
export function formatEncoding(tok: Tokenizer, text: string, json = false): string {
  const ids: number[] = [];
  for (const w of splitWords(text)) tok.encodeWord(w, ids);
  const pieces = ids.map((id) => tok.pieces[id]!);
  if (json) return JSON.stringify({ pieces, ids }) + '\n';
  return `${pieces.join(' ')}\n${ids.join(' ')}\n`;
}

const command: CommandModule<object, TokenizeArgs> = {
  command: 'tokenize [text..]',
  describe: 'split text into subword pieces with a trained tokenizer (prints pieces, then ids)',
  builder: (y) =>
    y
      .positional('text', { type: 'string', array: true, describe: 'text to encode (default: each line of stdin)' })
      .option('tokenizer', { type: 'string', demandOption: true, describe: 'tokenizer file written by the subword stage (out/<run>/subword/tokenizer.json)' })
      .option('json', { type: 'boolean', describe: 'print {"pieces": [...], "ids": [...]} per text' }) as never,
  handler: async (argv) => {
    const tok = loadTokenizer(argv.tokenizer);
    if (argv.text && argv.text.length > 0) {
      process.stdout.write(formatEncoding(tok, argv.text.map(String).join(' '), argv.json));
      return;
    }
    const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of rl) process.stdout.write(formatEncoding(tok, line, argv.json));
  },
};

export default command;
