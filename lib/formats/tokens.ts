// The token interchange every downstream stage reads (docs/ARCHITECTURE.md, "Arrow tables"):
//   vocab.arrow                 id int32, token utf8, count int64; ids 0..3 are the specials
//   tokens/<split>-NNNNN.arrow  doc uint32, ids List<int32>; one row per sentence
// Each shard is one record batch of bounded size, so a worker reads a whole
// shard and sees its ids as one Int32Array without copying.

import fs from 'node:fs';
import path from 'node:path';
import * as A from 'apache-arrow';
import { columnValues, field, listInt32, listOfInt32, readBatches, readTableSync } from '../../pipeline/arrow.js';
import { InputError } from '../../pipeline/errors.js';
import type { Split } from '../../datasets/source.js';

export const SPECIALS = ['<unk>', '<s>', '</s>', '<pad>'] as const;
export const UNK = 0;
export const BOS = 1;
export const EOS = 2;
export const PAD = 3;

export const vocabSchema = new A.Schema([field('id', new A.Int32()), field('token', new A.Utf8()), field('count', new A.Int64())]);
export const tokensSchema = new A.Schema([field('doc', new A.Uint32()), field('ids', listOfInt32())]);

export const TOKENS_DIR = 'tokens';

export function shardName(split: Split, index: number): string {
  return `${split}-${String(index).padStart(5, '0')}.arrow`;
}

/** Absolute paths of a split's shards under a tokens-producing stage folder, in order. */
export function listTokenShards(stageDir: string, split: Split): string[] {
  const dir = path.join(stageDir, TOKENS_DIR);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const re = new RegExp(`^${split}-\\d{5}\\.arrow$`);
  return names
    .filter((n) => re.test(n))
    .sort()
    .map((n) => path.join(dir, n));
}

/** A shard as typed arrays: sentence i is ids[offsets[i] .. offsets[i+1]) from document docs[i]. */
export interface TokenShard {
  rows: number;
  docs: Uint32Array;
  offsets: Int32Array;
  ids: Int32Array;
}

/** Read a whole shard (bounded size). Zero-copy when the shard is one record batch, as lexflow writes them. */
export function readTokenShard(file: string): TokenShard {
  const table = readTableSync(file);
  // An empty split is written as a file with a schema and no record batches.
  if (table.numRows === 0) return { rows: 0, docs: new Uint32Array(0), offsets: new Int32Array(1), ids: new Int32Array(0) };
  const docCol = table.getChild('doc');
  const idsCol = table.getChild('ids');
  if (!docCol || !idsCol) throw new InputError(file, 'not a token shard (needs columns doc and ids)', 'Point at a tokenize or subword stage output');
  if (idsCol.data.length === 1) {
    const { offsets, values } = listInt32(idsCol.data[0]!);
    return { rows: table.numRows, docs: columnValues<Uint32Array>(docCol.data[0]!), offsets, ids: values };
  }
  // Several batches (a file written by another tool): concatenate.
  const docs = new Uint32Array(table.numRows);
  const parts = idsCol.data.map((d) => listInt32(d));
  const total = parts.reduce((s, p) => s + p.values.length, 0);
  const ids = new Int32Array(total);
  const offsets = new Int32Array(table.numRows + 1);
  let row = 0;
  let pos = 0;
  for (let c = 0; c < parts.length; c++) {
    const p = parts[c]!;
    const dv = columnValues<Uint32Array>(docCol.data[c]!);
    docs.set(dv, row);
    ids.set(p.values, pos);
    for (let i = 1; i < p.offsets.length; i++) offsets[row + i] = pos + p.offsets[i]!;
    row += p.offsets.length - 1;
    pos += p.values.length;
  }
  return { rows: table.numRows, docs, offsets, ids };
}

/** The vocabulary: tokens by id and their train counts. Small enough to hold (it is not the corpus). */
export interface Vocab {
  tokens: string[];
  counts: Float64Array;
  index: Map<string, number>;
}

// Arrow's own utf8 decoding drops a leading U+FEFF (a real token in WikiText-2): decode with ignoreBOM.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** The strings of a utf8 column chunk, decoded exactly (a leading U+FEFF kept). */
export function utf8Strings(data: A.Data): string[] {
  const offsets = data.valueOffsets as Int32Array;
  const bytes = data.values as Uint8Array;
  const out: string[] = new Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = utf8.decode(bytes.subarray(offsets[data.offset + i]!, offsets[data.offset + i + 1]!));
  return out;
}

export async function readVocab(stageDir: string): Promise<Vocab> {
  const file = path.join(stageDir, 'vocab.arrow');
  const tokens: string[] = [];
  const countParts: number[] = [];
  for await (const b of readBatches(file)) {
    const cnt = b.getChild('count')!;
    for (const d of b.getChild('token')!.data) for (const s of utf8Strings(d)) tokens.push(s);
    for (let i = 0; i < b.numRows; i++) countParts.push(Number(cnt.get(i) as bigint));
  }
  const index = new Map<string, number>();
  tokens.forEach((t, i) => index.set(t, i));
  return { tokens, counts: Float64Array.from(countParts), index };
}
