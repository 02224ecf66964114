// `lexflow tokenize` over stdin: lines encoded in blocks, on the calling thread
// or on worker threads, printed in input order. A block is cut after its last
// '\n', so no line, UTF-8 sequence or "\r\n" is split between two blocks; line
// breaks are readline's (\r\n, \n, or a lone \r), so a block's lines are the
// lines the serial loop would see.

import { splitWords } from '../../lib/subword/pieces.js';
import { loadTokenizer, type Tokenizer } from '../../lib/subword/tokenizer.js';

const LINE_BREAK = /\r\n|\n|\r/;

/** The lines `lexflow tokenize` prints for one text: pieces, then ids (or one JSON object). */
export function formatEncoding(tok: Tokenizer, text: string, json = false): string {
  const ids: number[] = [];
  for (const w of splitWords(text)) tok.encodeWord(w, ids);
  const pieces = ids.map((id) => tok.pieces[id]!);
  if (json) return JSON.stringify({ pieces, ids }) + '\n';
  return `${pieces.join(' ')}\n${ids.join(' ')}\n`;
}

/**
 * The output of a block of input lines, as UTF-8. `last` marks the end of the input: its
 * final line need not end in a line break (an empty remainder is no line, as for readline).
 */
export function encodeBlock(tok: Tokenizer, block: Uint8Array, json: boolean, last: boolean): Uint8Array {
  let text = Buffer.from(block.buffer, block.byteOffset, block.byteLength).toString('utf8');
  if (text === '') return new Uint8Array(0);
  // The break after the block's last line ends that line; it starts no empty one.
  if (text.endsWith('\r\n')) text = text.slice(0, -2);
  else if (text.endsWith('\n') || text.endsWith('\r')) text = text.slice(0, -1);
  else if (!last) throw new Error('a block that is not the last must end with a line break');
  let out = '';
  for (const line of text.split(LINE_BREAK)) out += formatEncoding(tok, line, json);
  return Buffer.from(out, 'utf8');
}

/** Where to cut `buf` so that the block ends after a complete line: after its last '\n' (0: no complete line). */
export function blockEnd(buf: Uint8Array): number {
  return buf.lastIndexOf(0x0a) + 1;
}

/** The worker side: one tokenizer per file, loaded on the first block. */
const loaded = new Map<string, Tokenizer>();
export function encodeBlockTask(task: { tokenizer: string; block: Uint8Array; json: boolean; last: boolean }): Uint8Array {
  let tok = loaded.get(task.tokenizer);
  if (!tok) loaded.set(task.tokenizer, (tok = loadTokenizer(task.tokenizer)));
  return encodeBlock(tok, task.block, task.json, task.last);
}
