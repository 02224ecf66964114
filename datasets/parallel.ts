// Parallel (translation) datasets: line-aligned sentence pairs, one split per
// file pair. Two layouts:
//   - a folder of `<split>.<lang>` files (Multi30K: train.en/train.de,
//     val.*, test2016.*), read by line only: a TAB inside a sentence is text;
//   - `<split>.tsv` files with exactly one TAB per line, source then target
//     (Tatoeba en–ja, whose Japanese side has no spaces).
// `multi30k=FOLDER` (en→de) and `tatoeba-en-ja=FOLDER` are known; any other
// folder works with `--source LANG --target LANG`. Lines that do not align
// (different line counts, an empty side, a TSV line without exactly one TAB)
// are one InputError naming the file and line.

import fs from 'node:fs';
import path from 'node:path';
import { InputError, UsageError } from '../pipeline/errors.js';
import { contentHashes, datasetFingerprint } from './content-hash.js';
import type { DatasetSource, SourceFile, Split } from './source.js';

/** One split's files: a pair of line-aligned files, or one TSV. */
export type ParallelPart = { split: Split; source: string; target: string } | { split: Split; tsv: string; swap: boolean };

export interface ParallelLayout {
  /** Language codes as the files name them (`en`, `de`). */
  source: string;
  target: string;
  parts: ParallelPart[];
}

export interface ParallelSource extends DatasetSource {
  readonly kind: 'parallel';
  readonly parallel: ParallelLayout;
}

export function isParallel(d: DatasetSource | undefined): d is ParallelSource {
  return d?.kind === 'parallel' && (d as Partial<ParallelSource>).parallel !== undefined;
}

export interface ParallelOptions {
  source?: string;
  target?: string;
}

interface KnownParallel {
  names: RegExp;
  source: string;
  target: string;
  /** Languages of a TSV's two columns. */
  columns?: [string, string];
  describe: string;
}

export const PARALLEL_CORPORA: readonly KnownParallel[] = [
  { names: /^multi30k$/i, source: 'en', target: 'de', describe: 'Multi30K: a folder with train.en/train.de, val.*, test2016.* (en→de; --source/--target pick others, e.g. fr)' },
  { names: /^tatoeba-(en|eng)-(ja|jpn)$/i, source: 'en', target: 'ja', columns: ['en', 'ja'], describe: 'Tatoeba en–ja: train.tsv, valid.tsv, test.tsv, English TAB Japanese' },
];

/** File extensions that are formats, not language codes. */
const NOT_A_LANGUAGE = new Set(['txt', 'raw', 'gz', 'tsv', 'csv', 'md', 'json', 'xml', 'sgm', 'arrow', 'bin', 'zip', 'bz2', 'xz']);

/** The split a file stem names: `train`, `val`/`valid`/`dev`, `test` (also `test2016`, `newstest2014`). */
export function splitOfStem(stem: string): Split | undefined {
  const s = stem.toLowerCase();
  if (/^(train|training)(\b|_|-|\d|$)/.test(s)) return 'train';
  if (/^(val|valid|validation|dev)(\b|_|-|\d|$)/.test(s)) return 'valid';
  if (/^(news)?(test|testing)(\b|_|-|\d|$)/.test(s)) return 'test';
  return undefined;
}

export function knownParallel(name: string): KnownParallel | undefined {
  return PARALLEL_CORPORA.find((c) => c.names.test(name));
}

/**
 * The layout of a parallel folder, or undefined when it holds neither
 * `<split>.<lang>` pairs nor `<split>.tsv` files.
 */
export function parallelLayout(folder: string, name: string | undefined, o: ParallelOptions): ParallelLayout | undefined {
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) return undefined;
  const known = name ? knownParallel(name) : undefined;
  const entries = fs.readdirSync(folder).filter((f) => !f.startsWith('.')).sort();
  const tsv = entries.filter((f) => /\.tsv$/i.test(f) && splitOfStem(f.replace(/\.tsv$/i, '')));
  const pairs = entries
    .map((f) => /^([^.]+)\.([A-Za-z]{2,3}(?:[-_][A-Za-z]+)?)$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null && splitOfStem(m[1]!) !== undefined && !NOT_A_LANGUAGE.has(m[2]!.toLowerCase()));
  if (tsv.length > 0) {
    const cols = known?.columns;
    const source = o.source ?? known?.source;
    const target = o.target ?? known?.target;
    if (!source || !target) throw new UsageError(`--dataset ${name ?? folder}: a TSV parallel corpus needs --source LANG --target LANG (its columns, in order)`);
    let swap = false;
    if (cols) {
      if (!cols.includes(source) || !cols.includes(target) || source === target) throw new UsageError(`--source ${source} --target ${target}: ${name} has the languages ${cols.join(' and ')}`);
      swap = cols[0] !== source;
    }
    return { source, target, parts: tsv.map((f) => ({ split: splitOfStem(f.replace(/\.tsv$/i, ''))!, tsv: path.join(folder, f), swap })) };
  }
  if (pairs.length === 0) return undefined;
  const langs = [...new Set(pairs.map((m) => m[2]!))].sort();
  const source = o.source ?? known?.source ?? (langs.length === 2 && langs.includes('en') ? 'en' : undefined);
  const target = o.target ?? known?.target ?? (langs.length === 2 && source ? langs.find((l) => l !== source) : undefined);
  if (!source || !target) throw new UsageError(`--dataset ${name ?? folder}: it has the languages ${langs.join(', ')}; say which to translate with --source LANG --target LANG`);
  for (const l of [source, target]) if (!langs.includes(l)) throw new UsageError(`--source ${source} --target ${target}: ${folder} has no ${l} files (it has ${langs.join(', ')})`);
  const stems = [...new Set(pairs.map((m) => m[1]!))];
  const parts: ParallelPart[] = [];
  for (const stem of stems) {
    const s = path.join(folder, `${stem}.${source}`);
    const t = path.join(folder, `${stem}.${target}`);
    const has = (f: string): boolean => fs.existsSync(f);
    if (!has(s) && !has(t)) continue;
    if (!has(s) || !has(t)) throw new InputError(has(s) ? s : t, `has no ${has(s) ? target : source} counterpart (${path.basename(has(s) ? t : s)})`, 'Each split needs both sides, line-aligned');
    parts.push({ split: splitOfStem(stem)!, source: s, target: t });
  }
  if (!parts.some((p) => p.split === 'train')) throw new UsageError(`--dataset ${name ?? folder}: no train.${source}/train.${target} pair in ${folder}`);
  return { source, target, parts };
}

function readLines(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

export interface SentencePairs {
  source: string[];
  target: string[];
}

/** Every pair of one split, checked: same line counts, no empty side, one TAB per TSV line. */
export function readPairs(layout: ParallelLayout, split: Split): SentencePairs {
  const out: SentencePairs = { source: [], target: [] };
  for (const part of layout.parts) {
    if (part.split !== split) continue;
    if ('tsv' in part) {
      readLines(part.tsv).forEach((line, i) => {
        const cols = line.split('\t');
        if (cols.length !== 2) throw new InputError(`${part.tsv}:${i + 1}`, `has ${cols.length - 1} TABs; a parallel TSV line is source TAB target`, 'Fix or remove the line');
        const [a, b] = part.swap ? [cols[1]!, cols[0]!] : [cols[0]!, cols[1]!];
        if (a.trim() === '' || b.trim() === '') throw new InputError(`${part.tsv}:${i + 1}`, `the ${a.trim() === '' ? 'source' : 'target'} side is empty`, 'Every line needs both sentences; fix or remove it');
        out.source.push(a);
        out.target.push(b);
      });
      continue;
    }
    const s = readLines(part.source);
    const t = readLines(part.target);
    if (s.length !== t.length) {
      const [short, long] = s.length < t.length ? [part.source, part.target] : [part.target, part.source];
      throw new InputError(short, `has ${Math.min(s.length, t.length)} lines, ${path.basename(long)} has ${Math.max(s.length, t.length)}: line ${Math.min(s.length, t.length) + 1} has no counterpart`, 'The two sides must be line-aligned, one sentence per line');
    }
    for (let i = 0; i < s.length; i++) {
      if (s[i]!.trim() === '') throw new InputError(`${part.source}:${i + 1}`, 'empty source line', `Every line needs a sentence on both sides; fix or remove line ${i + 1} of both files`);
      if (t[i]!.trim() === '') throw new InputError(`${part.target}:${i + 1}`, 'empty target line', `Every line needs a sentence on both sides; fix or remove line ${i + 1} of both files`);
      out.source.push(s[i]!);
      out.target.push(t[i]!);
    }
  }
  return out;
}

function partFiles(layout: ParallelLayout): SourceFile[] {
  const f = (p: string, split: Split): SourceFile => ({ id: path.basename(p), path: path.resolve(p), format: 'txt', gzip: false, bytes: fs.statSync(p).size, split });
  return layout.parts.flatMap((p) => ('tsv' in p ? [f(p.tsv, p.split)] : [f(p.source, p.split), f(p.target, p.split)]));
}

export function parallelSource(name: string, layout: ParallelLayout): ParallelSource {
  const files = partFiles(layout);
  return {
    name,
    kind: 'parallel',
    parallel: layout,
    hints: {},
    textField: 'text',
    async files() {
      return files;
    },
    async fingerprint() {
      const hashes = await contentHashes(files.map((x) => x.path));
      return datasetFingerprint(files, hashes, { parallel: { source: layout.source, target: layout.target, swap: layout.parts.map((p) => 'tsv' in p && p.swap) } });
    },
  };
}
