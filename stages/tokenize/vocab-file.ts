// Write vocab.arrow (id int32, token utf8, count int64) in one record batch.
// Built from typed arrays directly: the token column is one TextEncoder call
// over all tokens (not one per token) and counts go into int64 as two 32-bit
// halves (no BigInt per row); both matter at 400k+ types.

import * as A from 'apache-arrow';
import { ArrowFileWriter, primitiveData } from '../../pipeline/arrow.js';
import { vocabSchema } from '../../lib/formats/tokens.js';

/** A utf8 column of tokens that contain no '\n' (tokens never contain whitespace). */
export function tokenColumn(tokens: readonly string[]): A.Data<A.Utf8> {
  const joined = new TextEncoder().encode(tokens.join('\n'));
  const offsets = new Int32Array(tokens.length + 1);
  const data = new Uint8Array(Math.max(0, joined.length - Math.max(0, tokens.length - 1)));
  let k = 0;
  let row = 0;
  for (let i = 0; i < joined.length; i++) {
    const b = joined[i]!;
    if (b === 10) offsets[++row] = k;
    else data[k++] = b;
  }
  offsets[tokens.length] = k;
  return A.makeData({ type: new A.Utf8(), length: tokens.length, valueOffsets: offsets, data });
}

/** Non-negative integer counts (< 2^53) as int64, little-endian halves. */
export function int64Column(values: Float64Array): A.Data<A.Int64> {
  const out = new BigInt64Array(values.length);
  const halves = new Uint32Array(out.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    halves[2 * i] = v % 4294967296;
    halves[2 * i + 1] = Math.floor(v / 4294967296);
  }
  return primitiveData(new A.Int64(), out);
}

export async function writeVocab(file: string, tokens: readonly string[], counts: Float64Array): Promise<number> {
  const ids = new Int32Array(tokens.length);
  for (let i = 0; i < ids.length; i++) ids[i] = i;
  const w = new ArrowFileWriter(file, vocabSchema);
  await w.writeColumns([primitiveData(new A.Int32(), ids), tokenColumn(tokens), int64Column(counts)]);
  return w.close();
}
