// Corpora that ship their own train/valid/test split (PTB, WikiText) keep it:
// a file's split is read from its name (`ptb.train.txt`, `wiki.valid.tokens`,
// `train.txt`, `dev/a.jsonl`), and the tokenize stage uses it instead of the
// hash split. Published perplexities are only comparable on the official split.

import type { DatasetHints, Split } from './source.js';

/** Words in a file's path that name a split. */
const SPLIT_WORDS: Readonly<Record<string, Split>> = {
  train: 'train',
  training: 'train',
  valid: 'valid',
  validation: 'valid',
  val: 'valid',
  dev: 'valid',
  test: 'test',
  testing: 'test',
};

/** The split a file id names, when it names exactly one (`a/train/x.test.txt` names none). */
export function splitOfId(id: string): Split | undefined {
  let found: Split | undefined;
  for (const word of id.toLowerCase().split(/[/._\-\s]+/)) {
    const s = SPLIT_WORDS[word];
    if (s === undefined) continue;
    if (found !== undefined && found !== s) return undefined;
    found = s;
  }
  return found;
}

/**
 * The splits of a plain folder or glob, when its files are pre-split: every
 * file names a split and one of them is `train` (the vocabulary comes from
 * train). Otherwise undefined, and documents are split by hash.
 */
export function detectSplits(ids: readonly string[]): Split[] | undefined {
  const splits = ids.map(splitOfId);
  if (splits.length === 0 || splits.some((s) => s === undefined)) return undefined;
  return splits.includes('train') ? (splits as Split[]) : undefined;
}

/** A known pre-split corpus: which files of its folder to read and how to tokenize them. */
export interface PresplitCorpus {
  /** As the user writes it: `ptb=FOLDER`. */
  readonly name: string;
  /** Matches the NAME of `NAME=FOLDER`. */
  readonly names: RegExp;
  /** Its split files, when the folder holds other files too (PTB's `ptb.char.*`). */
  readonly files: RegExp;
  readonly hints: DatasetHints;
  readonly describe: string;
}

// Both are tokenized already, one sentence (PTB) or paragraph (WikiText) per
// line: keep tokens as they are, one sentence per line.
const PRETOKENIZED: DatasetHints = { tokenizer: 'whitespace', sentences: 'line' };

export const PRESPLIT_CORPORA: readonly PresplitCorpus[] = [
  {
    name: 'ptb',
    names: /^(ptb|penn)$/i,
    files: /(^|\/)(ptb\.)?(train|valid|test)\.txt(\.gz)?$/,
    hints: PRETOKENIZED,
    describe: 'Penn Treebank (Mikolov): a folder with ptb.train.txt, ptb.valid.txt, ptb.test.txt',
  },
  {
    name: 'wikitext-2-raw',
    names: /^wikitext-\w+-raw$/i,
    files: /(^|\/)(wiki\.)?(train|valid|test)\.(raw|txt)(\.gz)?$/,
    hints: {},
    describe: 'WikiText raw, untokenized (also wikitext-103-raw=): a folder with wiki.train.raw, wiki.valid.raw, wiki.test.raw',
  },
  {
    name: 'wikitext-2',
    names: /^wikitext(-\w+)?$/i,
    files: /(^|\/)(wiki\.)?(train|valid|test)\.(tokens|txt)(\.gz)?$/,
    hints: PRETOKENIZED,
    describe: 'WikiText, tokenized (also wikitext-103=): a folder with wiki.train.tokens, wiki.valid.tokens, wiki.test.tokens',
  },
];

export function presplitCorpus(name: string): PresplitCorpus | undefined {
  return PRESPLIT_CORPORA.find((c) => c.names.test(name));
}

/** Hints for an auto-detected pre-split folder whose file names say which corpus it is. */
export function hintsFromFileNames(ids: readonly string[]): DatasetHints {
  if (ids.length > 0 && ids.every((id) => /(^|\/)ptb\.(train|valid|test)\.txt(\.gz)?$/.test(id))) return PRETOKENIZED;
  if (ids.length > 0 && ids.every((id) => /(^|\/)wiki\.(train|valid|test)\.tokens(\.gz)?$/.test(id))) return PRETOKENIZED;
  return {};
}
