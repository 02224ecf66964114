// history.arrow: the training curve of a neural stage, one row per logged step
// (valid_ppl NaN) and one per validation (docs/ARCHITECTURE.md, "Arrow tables").
// lm-neural, seq2seq and the chatbot's generative model all train through
// lib/nn's loop, so they share this table.

import path from 'node:path';
import * as A from 'apache-arrow';
import { ArrowFileWriter, field, primitiveData } from '../../pipeline/arrow.js';
import type { HistoryRow } from './checkpoint.js';

export const HISTORY_FILE = 'history.arrow';

export const historySchema = new A.Schema([
  field('step', new A.Int32()),
  field('epoch', new A.Int32()),
  field('train_loss', new A.Float32()),
  field('valid_ppl', new A.Float32()),
  field('tokens_per_s', new A.Float32()),
  field('wall_s', new A.Float32()),
  field('lr', new A.Float32()),
]);

/** Write `rows` as DIR/history.arrow; returns the row count. */
export async function writeHistory(dir: string, rows: HistoryRow[]): Promise<number> {
  const col = (f: (r: HistoryRow) => number | null): Float32Array => Float32Array.from(rows, (r) => f(r) ?? NaN);
  const w = new ArrowFileWriter(path.join(dir, HISTORY_FILE), historySchema);
  await w.writeColumns([
    primitiveData(new A.Int32(), Int32Array.from(rows, (r) => r.step)),
    primitiveData(new A.Int32(), Int32Array.from(rows, (r) => r.epoch)),
    primitiveData(new A.Float32(), col((r) => r.trainLoss)),
    primitiveData(new A.Float32(), col((r) => r.validPpl)),
    primitiveData(new A.Float32(), col((r) => r.tokensPerS)),
    primitiveData(new A.Float32(), col((r) => r.wallS)),
    primitiveData(new A.Float32(), col((r) => r.lr)),
  ]);
  return w.close();
}
