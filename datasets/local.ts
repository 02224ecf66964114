// Local datasets: a file, a folder (recursive) or a glob of .txt / .tokens /
// .raw / .jsonl files, each optionally gzipped. A text file is one document; a
// jsonl record is one document. A folder whose every file names a split
// (`ptb.train.txt`, `valid.txt`) keeps that split.

import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../pipeline/errors.js';
import { isGlob, matchGlob, walkFiles } from './glob.js';
import { detectSplits, hintsFromFileNames, presplitCorpus, splitOfId } from './presplit.js';
import type { DatasetHints, FileFormat, SourceFile, Split } from './source.js';

/** File names a folder or glob picks up (a file named explicitly is read whatever its name). */
export const DOCUMENT_FILE = /\.(txt|tokens|raw|jsonl)(\.gz)?$/i;
const DOCUMENT_KINDS = '.txt, .tokens, .raw or .jsonl files (optionally .gz)';

export interface Listing {
  files: SourceFile[];
  hints: DatasetHints;
}

export function formatOf(name: string): FileFormat {
  return /\.jsonl(\.gz)?$/i.test(name) ? 'jsonl' : 'txt';
}

export function sourceFile(id: string, file: string, split?: Split): SourceFile {
  const abs = path.resolve(file);
  return {
    id,
    path: abs,
    format: formatOf(abs),
    gzip: /\.gz$/i.test(abs),
    bytes: fs.statSync(abs).size,
    ...(split ? { split } : {}),
  };
}

/** A path or glob: list its files, read splits from their names when they all have one. */
export function listLocal(spec: string): Listing {
  let base: string;
  let ids: string[];
  const st = fs.statSync(spec, { throwIfNoEntry: false });
  if (st?.isFile()) {
    base = path.dirname(spec);
    ids = [path.basename(spec)];
  } else if (st?.isDirectory()) {
    base = spec;
    ids = walkFiles(spec).filter((f) => DOCUMENT_FILE.test(f));
    if (ids.length === 0) throw new InputError(spec, `holds no ${DOCUMENT_KINDS}`, 'Point --dataset at a folder of text files, or at a file');
  } else if (isGlob(spec)) {
    const m = matchGlob(spec);
    base = m.base;
    ids = m.files.filter((f) => DOCUMENT_FILE.test(f));
    if (ids.length === 0) {
      throw new InputError(spec, `the pattern matches no ${DOCUMENT_KINDS}`, "Check the pattern, and quote it ('corpus/**/*.txt') so the shell leaves it alone");
    }
  } else {
    throw new InputError(spec, 'no such file or folder', 'Check the path, or run `lexflow datasets list` for the registered datasets');
  }
  const splits = detectSplits(ids);
  const files = ids.map((id, i) => sourceFile(id, path.join(base, id), splits?.[i]));
  checkNotEmpty(spec, files);
  return { files, hints: splits ? hintsFromFileNames(ids) : {} };
}

/** `NAME=FOLDER`: a pre-split corpus; only files that name a split are read. */
export function listPresplit(name: string, folder: string): Listing {
  const spec = `${name}=${folder}`;
  const st = fs.statSync(folder, { throwIfNoEntry: false });
  if (!st) throw new InputError(folder, 'no such folder', `Check the path in --dataset ${spec}`);
  if (!st.isDirectory()) throw new InputError(folder, 'is not a folder', `${name}=FOLDER takes the folder holding its train, valid and test files`);
  const corpus = presplitCorpus(name);
  let ids = walkFiles(folder).filter((f) => DOCUMENT_FILE.test(f) && splitOfId(f) !== undefined);
  // A known corpus reads its own files only (PTB's folder may hold ptb.char.*.txt too).
  const own = corpus ? ids.filter((f) => corpus.files.test(f)) : [];
  if (own.length > 0) ids = own;
  if (ids.length === 0) {
    throw new InputError(folder, `holds no train/valid/test ${DOCUMENT_KINDS}`, 'Name them like ptb.train.txt, valid.txt, wiki.test.tokens');
  }
  const files = ids.map((id) => sourceFile(id, path.join(folder, id), splitOfId(id)));
  if (!files.some((f) => f.split === 'train')) {
    throw new InputError(folder, `has ${ids.join(', ')} but no train file`, 'Add the train split (e.g. ptb.train.txt): the vocabulary is counted on it');
  }
  checkNotEmpty(spec, files);
  return { files, hints: corpus?.hints ?? {} };
}

/** A gzip member's last 4 bytes are the uncompressed size mod 2^32 (RFC 1952, ISIZE). */
function gzipIsEmpty(file: string, bytes: number): boolean {
  if (bytes < 18 || bytes > 1 << 16) return bytes < 18;
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(4);
    fs.readSync(fd, b, 0, 4, bytes - 4);
    return b.readUInt32LE(0) === 0;
  } finally {
    fs.closeSync(fd);
  }
}

export function checkNotEmpty(spec: string, files: readonly SourceFile[]): void {
  const empty = (f: SourceFile): boolean => f.bytes === 0 || (f.gzip && gzipIsEmpty(f.path, f.bytes));
  if (files.every(empty)) {
    const what = files.length === 1 ? 'the file is empty' : `all ${files.length} files are empty`;
    throw new InputError(spec, `empty corpus: ${what}`, 'Point --dataset at files that hold text');
  }
}
