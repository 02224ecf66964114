// The block reader: whole lines, boundaries set by content only, byte
// offsets and line numbers, gzip, and the bad inputs it must name.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import t from 'tap';
import { readBlocks, type Block } from '../datasets/read.js';
import type { SourceFile } from '../datasets/source.js';
import { InputError } from '../pipeline/errors.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lexflow-read-'));
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));

function source(name: string, content: Buffer | string, gzip = false): SourceFile {
  const p = path.join(tmp, name);
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  fs.writeFileSync(p, gzip ? zlib.gzipSync(bytes) : bytes);
  return { id: name, path: p, format: 'txt', gzip, bytes: fs.statSync(p).size };
}

async function collect(file: SourceFile, blockBytes: number, maxLineBytes = 1 << 20): Promise<Block[]> {
  const out: Block[] = [];
  for await (const b of readBlocks(file, { blockBytes, maxLineBytes })) out.push(b);
  return out;
}

// 2000 lines of varying length, some non-ASCII, no final newline.
const lines = Array.from({ length: 2000 }, (_, i) => `line ${i} ${'wörd '.repeat(i % 37)}`);
const text = lines.join('\n');

t.test('blocks are whole lines cut at the first newline past blockBytes', async (t) => {
  const blocks = await collect(source('a.txt', text), 4096);
  t.ok(blocks.length > 10, `${blocks.length} blocks`);
  t.equal(Buffer.concat(blocks.map((b) => b.data)).toString(), text, 'concatenated blocks give the file back');
  let offset = 0;
  let line = 1;
  for (const [i, b] of blocks.entries()) {
    t.equal(b.offset, offset, `block ${i} offset`);
    t.equal(b.firstLine, line, `block ${i} first line`);
    t.equal(b.index, i);
    const s = Buffer.from(b.data).toString();
    t.equal(s.split('\n')[0], lines[line - 1], `block ${i} starts at the start of its line`);
    if (i < blocks.length - 1) {
      t.equal(b.data[b.data.length - 1], 10, 'ends with a newline');
      // The cut is the FIRST newline at or past blockBytes: no newline in [blockBytes-1, len-1).
      t.ok(b.data.length >= 4096 && b.data.subarray(4095, b.data.length - 1).indexOf(10) < 0, 'cut at the first newline past blockBytes');
    }
    offset += b.data.length;
    line += s.split('\n').length - 1;
  }
});

t.test('boundaries depend on content only: same blocks from gzip and plain, whatever the chunking', async (t) => {
  const plain = await collect(source('b.txt', text), 3000);
  const gz = await collect(source('b.txt.gz', text, true), 3000);
  t.same(
    gz.map((b) => [b.offset, b.firstLine, b.data.length]),
    plain.map((b) => [b.offset, b.firstLine, b.data.length]),
  );
  t.ok(
    [...plain, ...gz].every((b) => b.data.byteOffset === 0) && new Set([...plain, ...gz].map((b) => b.data.buffer)).size === plain.length + gz.length,
    'each block owns its ArrayBuffer (transferable)',
  );
});

t.test('bad inputs', async (t) => {
  const bin = Buffer.from('PK\x03\x04 hello\x00\x00 binary');
  await t.rejects(collect(source('bin.txt', bin), 4096), { name: 'UsageError', message: /bin\.txt: looks like a binary file \(NUL byte at byte offset 10\)/ });
  await t.rejects(collect({ id: 'gone.txt', path: path.join(tmp, 'gone.txt'), format: 'txt', gzip: false, bytes: 0 }, 4096), {
    message: /gone\.txt: no such file/,
  });
  const bad = { ...source('bad.txt.gz', 'not gzip at all'), gzip: true };
  await t.rejects(collect(bad, 4096), { message: /bad\.txt\.gz: corrupt gzip data/ });
  t.same(await collect(source('empty.txt', ''), 4096), [], 'an empty file has no blocks');
});

t.test('a 50 MB line is one clear error, found without buffering it whole', async (t) => {
  const p = path.join(tmp, 'long.txt');
  const fd = fs.openSync(p, 'w');
  fs.writeSync(fd, 'first line\nsecond line\n');
  const chunk = Buffer.alloc(1 << 20, 'x');
  for (let i = 0; i < 50; i++) fs.writeSync(fd, chunk);
  fs.writeSync(fd, '\nlast\n');
  fs.closeSync(fd);
  const file: SourceFile = { id: 'long.txt', path: p, format: 'txt', gzip: false, bytes: fs.statSync(p).size };
  const rss0 = process.memoryUsage().rss;
  const err = await collect(file, 1 << 20, 16 << 20).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof InputError, 'an InputError');
  t.match((err as Error).message, /long\.txt: line 3 is longer than 16 MB \(--max-line-bytes\)\. Break the text into lines, or raise --max-line-bytes/);
  t.ok(process.memoryUsage().rss - rss0 < 45 << 20, 'did not hold the 50 MB line in memory');
  // With a limit above it, the line is read (it is not an error in itself).
  const ok = await collect(file, 1 << 20, 64 << 20);
  // Block 0 runs to the first newline past 1 MB: the end of line 3 (the long one).
  t.same(ok.map((b) => [b.firstLine, b.offset]), [[1, 0], [4, 23 + 50 * 2 ** 20 + 1]], 'line numbers and offsets past the long line');
  fs.rmSync(p);
});

t.test('a long line inside a block is found too, with its line number (plain and gzip)', async (t) => {
  const content = Array.from({ length: 200 }, (_, i) => (i === 56 ? 'z'.repeat(500) : `short ${i}`)).join('\n') + '\n';
  for (const gzip of [false, true]) {
    await t.rejects(collect(source(gzip ? 'mid.txt.gz' : 'mid.txt', content, gzip), 4096, 100), {
      message: /line 57 is longer than 100 bytes \(--max-line-bytes\)/,
    });
  }
  t.equal((await collect(source('mid2.txt', content), 4096, 500)).length, 1, 'a line of exactly the limit is fine');
});
