// history.arrow (one row per logged step and per validation) and metrics.arrow
// (docs/ARCHITECTURE.md: metric, split, value, plus this stage's `model` and `note`).

import path from 'node:path';
import * as A from 'apache-arrow';
import { ArrowFileWriter, field, primitiveData } from '../../pipeline/arrow.js';
import { writeMetricsTable, type MetricsRow } from '../../pipeline/metrics.js';
import type { HistoryRow } from './checkpoint.js';

export const historySchema = new A.Schema([
  field('step', new A.Int32()),
  field('epoch', new A.Int32()),
  field('train_loss', new A.Float32()),
  field('valid_ppl', new A.Float32()),
  field('tokens_per_s', new A.Float32()),
  field('wall_s', new A.Float32()),
  field('lr', new A.Float32()),
]);

export async function writeHistory(dir: string, rows: HistoryRow[]): Promise<number> {
  const col = (f: (r: HistoryRow) => number | null): Float32Array => Float32Array.from(rows, (r) => f(r) ?? NaN);
  const w = new ArrowFileWriter(path.join(dir, 'history.arrow'), historySchema);
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

export interface MetricRow extends MetricsRow {
  note?: string;
}

export function writeMetrics(dir: string, model: string, rows: MetricRow[]): Promise<number> {
  return writeMetricsTable(path.join(dir, 'metrics.arrow'), rows, [
    { name: 'model', of: () => model },
    { name: 'note', of: (r) => r.note ?? '' },
  ]);
}
