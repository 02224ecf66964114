// Reading the cooccur stage's marginals.arrow: the matrix vocabulary (matrix
// index i <-> vocabulary id, token, count) and the row and column sums.

import path from 'node:path';
import { readTableSync } from '../../pipeline/arrow.js';
import { InputError } from '../../pipeline/errors.js';

export interface Marginals {
  ids: Int32Array;
  tokens: string[];
  counts: Float64Array;
  rowSums: Float64Array;
  colSums: Float64Array;
  /** vocabulary id -> matrix index */
  index: Map<number, number>;
}

export async function readMarginals(cooccurDir: string): Promise<Marginals> {
  const file = path.join(cooccurDir, 'marginals.arrow');
  const t = readTableSync(file);
  const need = ['id', 'token', 'count', 'row_sum', 'col_sum'];
  for (const n of need) if (!t.getChild(n)) throw new InputError(file, `no column ${n}`, 'Rerun the cooccur stage (lexflow stage cooccur --force)');
  const ids = Int32Array.from(t.getChild('id')!.toArray() as Int32Array);
  const tokens: string[] = [];
  const tok = t.getChild('token')!;
  for (let i = 0; i < t.numRows; i++) tokens.push(tok.get(i) as string);
  const counts = Float64Array.from(t.getChild('count')!.toArray() as BigInt64Array, Number);
  const rowSums = Float64Array.from(t.getChild('row_sum')!.toArray() as Float64Array);
  const colSums = Float64Array.from(t.getChild('col_sum')!.toArray() as Float64Array);
  const index = new Map<number, number>();
  ids.forEach((id, i) => index.set(id, i));
  return { ids, tokens, counts, rowSums, colSums, index };
}
