// Encoding a word-id token shard into a piece-id shard: every word id expands to
// its pieces through the CSR table (piece-table.ts). Rows, their order and the doc
// column are kept, so the output has the tokenize stage's layout.

import { ArrowFileWriter, listInt32Data, primitiveData } from '../../pipeline/arrow.js';
import { InputError } from '../../pipeline/errors.js';
import { readTokenShard, tokensSchema, UNK, type TokenShard } from '../../lib/formats/tokens.js';
import * as A from 'apache-arrow';
import type { PieceTable } from './piece-table.js';

export interface ExpandedShard extends TokenShard {
  /** Pieces that are <unk>. */
  unknown: number;
}

/** Expand word ids to piece ids; an id outside the table is an InputError naming `file`. */
export function expandShard(shard: TokenShard, table: PieceTable, file: string): ExpandedShard {
  const { offsets: tOff, pieces } = table;
  const nWords = tOff.length - 1;
  const { rows, offsets, ids } = shard;
  let total = 0;
  for (let k = 0; k < ids.length; k++) {
    const w = ids[k]!;
    if (w < 0 || w >= nWords) throw new InputError(file, `word id ${w} is outside the vocabulary (0..${nWords - 1})`, 'The shard and vocab.arrow come from different runs; rerun the tokenize stage');
    total += tOff[w + 1]! - tOff[w]!;
  }
  const out = new Int32Array(total);
  const outOffsets = new Int32Array(rows + 1);
  let pos = 0;
  let unknown = 0;
  for (let r = 0; r < rows; r++) {
    for (let k = offsets[r]!; k < offsets[r + 1]!; k++) {
      const w = ids[k]!;
      for (let j = tOff[w]!; j < tOff[w + 1]!; j++) {
        const p = pieces[j]!;
        if (p === UNK) unknown++;
        out[pos++] = p;
      }
    }
    outOffsets[r + 1] = pos;
  }
  return { rows, docs: shard.docs, offsets: outOffsets, ids: out, unknown };
}

export interface ShardSummary {
  rows: number;
  words: number;
  pieces: number;
  unknown: number;
}

/** Read `input`, expand it, write `output` as one record batch. */
export async function encodeShardFile(input: string, output: string, table: PieceTable): Promise<ShardSummary> {
  const shard = readTokenShard(input);
  const e = expandShard(shard, table, input);
  const w = new ArrowFileWriter(output, tokensSchema);
  await w.writeColumns([primitiveData(new A.Uint32(), e.docs), listInt32Data(e.offsets, e.ids)]);
  await w.close();
  return { rows: e.rows, words: shard.ids.length, pieces: e.ids.length, unknown: e.unknown };
}
