// `lexflow tokenize --tokenizer file.json "some text"`: print the subword pieces
// and ids of text (or of each line of stdin when no text is given) with a trained
// tokenizer file (the subword stage writes subword/tokenizer.json). Stdin is read
// in blocks of whole lines, encoded on --threads worker threads (encode-lines.ts)
// and printed in input order.

import { once } from 'node:events';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { loadTokenizer, type Tokenizer } from '../../lib/subword/tokenizer.js';
import { createPool, defaultThreads } from '../../pipeline/pool.js';
import { parseThreads } from '../../pipeline/threads.js';
import { blockEnd, encodeBlock, formatEncoding } from './encode-lines.js';
import { TASKS } from './tasks.js';

export { formatEncoding };

interface TokenizeArgs {
  tokenizer: string;
  text?: string[];
  json?: boolean;
  threads?: string;
}

/**
 * Bytes of stdin per block, about one read: a task's cost still dwarfs its dispatch,
 * and output leaves as it is made (1 MB blocks cost 40 MB more peak RSS on one thread).
 */
const BLOCK_BYTES = 1 << 16;

/** Encode stdin to stdout, `threads` blocks at a time (1: on this thread). */
async function encodeStdin(file: string, tok: Tokenizer, json: boolean, threads: number): Promise<void> {
  const pool = threads > 1 ? createPool(threads) : undefined;
  const inFlight: Promise<Uint8Array>[] = [];
  const submit = (chunks: Buffer[], last: boolean): void => {
    // One copy into an ArrayBuffer of the block's own (stdin's reads share a pool): transferable.
    const block = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) block.set(c, (at += c.length) - c.length);
    inFlight.push(pool ? pool.run<Uint8Array>(TASKS.encodeLines, { tokenizer: file, block, json, last }, [block.buffer]) : Promise.resolve(encodeBlock(tok, block, json, last)));
  };
  const writeUntil = async (n: number): Promise<void> => {
    while (inFlight.length > n) if (!process.stdout.write(await inFlight.shift()!)) await once(process.stdout, 'drain');
  };
  try {
    let chunks: Buffer[] = [];
    let bytes = 0;
    for await (const data of process.stdin as AsyncIterable<Buffer>) {
      chunks.push(data);
      bytes += data.length;
      if (bytes < BLOCK_BYTES) continue;
      const end = blockEnd(data);
      if (end === 0) continue; // no line ends in this read: keep reading
      const rest = data.subarray(end);
      chunks[chunks.length - 1] = data.subarray(0, end);
      submit(chunks, false);
      chunks = rest.length ? [rest] : [];
      bytes = rest.length;
      await writeUntil(2 * threads);
    }
    submit(chunks, true);
    await writeUntil(0);
  } finally {
    await pool?.destroy();
  }
}

const command: CommandModule<object, TokenizeArgs> = {
  command: 'tokenize [text..]',
  describe: 'split text into subword pieces with a trained tokenizer (prints pieces, then ids)',
  builder: (y) =>
    y
      .positional('text', { type: 'string', array: true, describe: 'text to encode (default: each line of stdin)' })
      .option('tokenizer', { type: 'string', demandOption: true, describe: 'tokenizer file written by the subword stage (out/<run>/subword/tokenizer.json)' })
      .option('json', { type: 'boolean', describe: 'print {"pieces": [...], "ids": [...]} per text' })
      // A string, so that `--threads abc` reaches parseThreads as typed (yargs would make it NaN).
      .option('threads', { type: 'string', describe: 'worker threads encoding stdin (default: available cores)' }) as never,
  handler: async (argv) => {
    const threads = parseThreads(argv.threads, 'lexflow tokenize') ?? defaultThreads();
    const tok = loadTokenizer(argv.tokenizer);
    if (argv.text && argv.text.length > 0) {
      process.stdout.write(formatEncoding(tok, argv.text.map(String).join(' '), argv.json));
      return;
    }
    await encodeStdin(path.resolve(argv.tokenizer), tok, argv.json ?? false, threads);
  },
};

export default command;
