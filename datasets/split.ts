// Deterministic train/valid/test split by a hash of the document id: the split
// of a document depends only on its id and the fractions, so adding documents
// to a corpus never moves the ones already there. Files that ship their own
// split (ptb.train.txt, ...) keep it.

import { UsageError } from '../pipeline/errors.js';
import { md5Prefix48 } from '../lib/hash/md5.js';
import { SPLITS, type SourceFile, type Split } from './source.js';

/** Index of a split in SPLITS: 0 train, 1 valid, 2 test. */
export type SplitIndex = 0 | 1 | 2;

/** Cumulative upper bounds of train and valid in [0, 1), from `--split 0.9,0.05,0.05`. */
export interface SplitFractions {
  readonly train: number;
  readonly valid: number;
  readonly test: number;
}

export function parseSplitFractions(parts: readonly number[]): SplitFractions {
  if (parts.length !== 3) throw new UsageError(`--split needs three fractions train,valid,test (got ${parts.join(',')})`);
  if (parts.some((p) => !(p >= 0))) throw new UsageError(`--split fractions must be non-negative (got ${parts.join(',')})`);
  const sum = parts[0]! + parts[1]! + parts[2]!;
  if (!(sum > 0)) throw new UsageError('--split fractions must not all be zero');
  // Normalized, so 9,0.5,0.5 means the same as 0.9,0.05,0.05.
  return { train: parts[0]! / sum, valid: parts[1]! / sum, test: parts[2]! / sum };
}

/** A uniform number in [0, 1) from the first 48 bits of md5(id): well mixed, identical on every platform. */
export function idUniform(id: string): number {
  return md5Prefix48(id) / 2 ** 48;
}

/** The split of a document by the hash of its id. */
export function splitOfId(id: string, f: SplitFractions): SplitIndex {
  const u = idUniform(id);
  if (u < f.train) return 0;
  if (u < f.train + f.valid) return 1;
  // Rounding can leave u just above train+valid with test = 0: fall back to the last non-empty split.
  if (f.test > 0) return 2;
  return f.valid > 0 ? 1 : 0;
}

/** The split of a whole file's document: its own, else by the hash of its id. */
export function splitOfFile(file: SourceFile, f: SplitFractions): SplitIndex {
  if (file.split) return SPLITS.indexOf(file.split) as SplitIndex;
  return splitOfId(file.id, f);
}

/** The id of the record on line `line` (1-based) of a jsonl file: stable when records are appended. */
export function recordId(fileId: string, line: number): string {
  return `${fileId}:${line}`;
}

export function splitName(i: SplitIndex): Split {
  return SPLITS[i]!;
}
