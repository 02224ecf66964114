// Stream a SourceFile as blocks of whole lines, each about `blockBytes` long
// (gunzipped when the file is gzip). A block ends at the first newline at or
// after `blockBytes` bytes, so block boundaries depend only on the content,
// never on read sizes or thread counts. Each block carries its byte offset
// and first line number, so later errors (invalid UTF-8) can say where.
// At most one block plus one line (bounded by `maxLineBytes`) is buffered.

import fs from 'node:fs';
import zlib from 'node:zlib';
import { InputError } from '../pipeline/errors.js';
import type { SourceFile } from './source.js';

export interface Block {
  /** Whole lines (the last block may end without a newline). Owns its ArrayBuffer, so it can be transferred. */
  readonly data: Uint8Array;
  /** Byte offset of data[0] in the (decompressed) file. */
  readonly offset: number;
  /** 1-based line number of the first line in the block. */
  readonly firstLine: number;
  /** Index of the block within its file. */
  readonly index: number;
  /** Bytes of the file on disk consumed so far (compressed bytes for gzip): for progress. */
  readonly sourceBytesRead: number;
}

export interface ReadOptions {
  blockBytes: number;
  maxLineBytes: number;
}

const NL = 10;

function fmtBytes(n: number): string {
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(n % 2 ** 20 ? 1 : 0)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(n % 1024 ? 1 : 0)} kB`;
  return `${n} bytes`;
}

function lineTooLong(file: SourceFile, line: number, maxLineBytes: number): InputError {
  return new InputError(file.path, `line ${line} is longer than ${fmtBytes(maxLineBytes)} (--max-line-bytes)`, 'Break the text into lines, or raise --max-line-bytes');
}

/** Newlines in `data` (which starts at a line start); throws when a line in it is longer than maxLineBytes. */
function countLines(file: SourceFile, data: Uint8Array, firstLine: number, maxLineBytes: number): number {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let n = 0;
  let start = 0;
  for (let i = b.indexOf(NL); i >= 0; i = b.indexOf(NL, i + 1)) {
    if (i - start > maxLineBytes) throw lineTooLong(file, firstLine + n, maxLineBytes);
    n++;
    start = i + 1;
  }
  if (data.length - start > maxLineBytes) throw lineTooLong(file, firstLine + n, maxLineBytes);
  return n;
}

function binaryCheck(file: SourceFile, data: Uint8Array): void {
  const nul = data.indexOf(0);
  if (nul >= 0)
    throw new InputError(file.path, `looks like a binary file (NUL byte at byte offset ${nul}), not text`, 'Remove it from the corpus, or point --dataset at the text files only');
}

function openError(file: SourceFile, e: unknown): InputError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new InputError(file.path, 'no such file', 'Check the --dataset path');
  if (code === 'EISDIR') return new InputError(file.path, 'is a directory, not a file', 'Point --dataset at the folder itself');
  return new InputError(file.path, `cannot be read (${code ?? (e as Error).message})`, 'Check its permissions');
}

/**
 * Plain files: read straight into the block's own buffer (no copy of the
 * block; only the partial line after the cut moves to the next buffer).
 */
async function* readPlainBlocks(file: SourceFile, opts: ReadOptions): AsyncGenerator<Block> {
  const { blockBytes, maxLineBytes } = opts;
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(file.path, 'r');
  } catch (e) {
    throw openError(file, e);
  }
  const slack = Math.min(blockBytes, 1 << 16);
  let buf = new Uint8Array(blockBytes + slack);
  let len = 0;
  let pos = 0;
  let eof = false;
  let offset = 0;
  let line = 1;
  let index = 0;
  try {
    for (;;) {
      while (!eof && len < buf.length) {
        const { bytesRead } = await fh.read(buf, len, buf.length - len, pos);
        if (bytesRead === 0) eof = true;
        len += bytesRead;
        pos += bytesRead;
      }
      if (len === 0) break;
      let cut = len;
      if (len >= blockBytes) {
        const b = Buffer.from(buf.buffer, 0, len);
        const i = b.indexOf(NL, blockBytes - 1);
        if (i >= 0) cut = i + 1;
        else if (!eof) {
          // The line across the block size is longer than the slack: grow, up to one line of maxLineBytes.
          const lineStart = b.lastIndexOf(NL, blockBytes - 1) + 1;
          if (len - lineStart > maxLineBytes) throw lineTooLong(file, line + countLines(file, buf.subarray(0, lineStart), line, maxLineBytes), maxLineBytes);
          const bigger = new Uint8Array(Math.min(buf.length * 2, blockBytes + maxLineBytes + slack + 1));
          bigger.set(buf.subarray(0, len));
          buf = bigger;
          continue;
        }
      }
      const data = buf.subarray(0, cut);
      if (index === 0) binaryCheck(file, data);
      const lines = countLines(file, data, line, maxLineBytes);
      const next = new Uint8Array(Math.max(blockBytes + slack, len - cut + slack));
      next.set(buf.subarray(cut, len));
      yield { data, offset, firstLine: line, index: index++, sourceBytesRead: pos };
      offset += cut;
      line += lines;
      buf = next;
      len -= cut;
      if (eof && len === 0) break;
    }
  } finally {
    await fh.close();
  }
}

function countNewlines(buf: Uint8Array, from = 0, to = buf.length): number {
  let n = 0;
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let i = b.indexOf(NL, from); i >= 0 && i < to; i = b.indexOf(NL, i + 1)) n++;
  return n;
}

/** A chunk source: the raw bytes of the file, gunzipped when needed, with open/read errors named. */
function openChunks(file: SourceFile): { chunks: AsyncIterable<Buffer>; bytesRead: () => number; close: () => void } {
  let fd: number;
  try {
    fd = fs.openSync(file.path, 'r');
  } catch (e) {
    throw openError(file, e);
  }
  const raw = fs.createReadStream(file.path, { fd, highWaterMark: 1 << 20 });
  if (!file.gzip) return { chunks: raw, bytesRead: () => raw.bytesRead, close: () => raw.destroy() };
  const gunzip = zlib.createGunzip({ chunkSize: 1 << 18 });
  raw.on('error', (e) => gunzip.destroy(e));
  raw.pipe(gunzip);
  return {
    chunks: gunzip,
    bytesRead: () => raw.bytesRead,
    close: () => {
      raw.destroy();
      gunzip.destroy();
    },
  };
}

/**
 * Yield the blocks of a file. Throws InputError for a missing file, a binary
 * file (a NUL byte in the first block), a corrupt gzip stream, and a line
 * longer than `maxLineBytes` (naming its line number and the flag).
 */
export async function* readBlocks(file: SourceFile, opts: ReadOptions): AsyncGenerator<Block> {
  if (!file.gzip) {
    yield* readPlainBlocks(file, opts);
    return;
  }
  const { blockBytes, maxLineBytes } = opts;
  const { chunks, bytesRead, close } = openChunks(file);
  let pending: Buffer[] = [];
  let pendingLen = 0;
  let searchedTo = 0; // bytes of `pending` already searched for a cut newline
  let blockOffset = 0;
  let blockLine = 1;
  let blockIndex = 0;
  let linesRead = 0; // newlines in every byte read so far
  let lineLen = 0; // bytes of the current (unfinished) line

  const take = (len: number): Uint8Array => {
    // A fresh ArrayBuffer per block (Buffer.concat may hand out a shared pool slab, which cannot be transferred).
    const out = new Uint8Array(len);
    let pos = 0;
    while (pos < len) {
      const c = pending[0]!;
      const n = Math.min(c.length, len - pos);
      out.set(n === c.length ? c : c.subarray(0, n), pos);
      pos += n;
      if (n === c.length) pending.shift();
      else pending[0] = c.subarray(n);
    }
    pendingLen -= len;
    return out;
  };

  const makeBlock = (data: Uint8Array): Block => {
    if (blockIndex === 0) {
      const nul = data.indexOf(0);
      if (nul >= 0)
        throw new InputError(
          file.path,
          `looks like a binary file (NUL byte at byte offset ${nul}), not text`,
          'Remove it from the corpus, or point --dataset at the text files only',
        );
    }
    const block: Block = { data, offset: blockOffset, firstLine: blockLine, index: blockIndex++, sourceBytesRead: bytesRead() };
    blockOffset += data.length;
    blockLine += countNewlines(data);
    return block;
  };

  /** Relative index of the first newline in `pending` at or after `from`, or -1. */
  const findNewline = (from: number): number => {
    let base = 0;
    for (const c of pending) {
      if (from < base + c.length) {
        const i = c.indexOf(NL, Math.max(0, from - base));
        if (i >= 0) return base + i;
      }
      base += c.length;
    }
    return -1;
  };

  try {
    for await (const chunk of chunks as AsyncIterable<Buffer>) {
      // Line lengths, checked as bytes arrive so a huge line is refused before it is buffered whole.
      let start = 0;
      for (let i = chunk.indexOf(NL); i >= 0; i = chunk.indexOf(NL, i + 1)) {
        if (lineLen + (i - start) > maxLineBytes) break;
        linesRead++;
        lineLen = 0;
        start = i + 1;
      }
      lineLen += chunk.length - start;
      if (lineLen > maxLineBytes) {
        throw new InputError(
          file.path,
          `line ${linesRead + 1} is longer than ${fmtBytes(maxLineBytes)} (--max-line-bytes)`,
          'Break the text into lines, or raise --max-line-bytes',
        );
      }
      pending.push(chunk);
      pendingLen += chunk.length;
      while (pendingLen >= blockBytes) {
        const cut = findNewline(Math.max(searchedTo, blockBytes - 1));
        if (cut < 0) {
          searchedTo = pendingLen;
          break;
        }
        searchedTo = 0;
        yield makeBlock(take(cut + 1));
      }
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code && code.startsWith('Z_'))
      throw new InputError(file.path, `corrupt gzip data (${(e as Error).message})`, 'Recompress it, or remove it from the corpus');
    throw new InputError(file.path, `read failed (${(e as Error).message})`, 'Check the file');
  } finally {
    close();
  }
  if (pendingLen > 0) yield makeBlock(take(pendingLen));
  pending = [];
}
