// metrics.arrow, as every evaluating stage writes it (docs/ARCHITECTURE.md): one row per
// figure with `metric`, `split` and `value`, then the stage's own columns
// (lm-ngram: model; lm-neural: model, note; eval-embeddings: set, found, total).

import * as A from 'apache-arrow';
import { ArrowFileWriter, field, primitiveData, utf8Data } from './arrow.js';

export interface MetricsRow {
  metric: string;
  split: string;
  value: number;
}

/** A stage's own column: text, or int32 with `int`. */
export interface MetricsColumn<R> {
  name: string;
  int?: boolean;
  of: (row: R) => string | number;
}

/** Write `rows` to `file`; returns the row count. */
export async function writeMetricsTable<R extends MetricsRow>(file: string, rows: R[], columns: MetricsColumn<R>[] = []): Promise<number> {
  const schema = new A.Schema([
    field('metric', new A.Utf8()),
    field('split', new A.Utf8()),
    field('value', new A.Float64()),
    ...columns.map((c) => field(c.name, c.int ? new A.Int32() : new A.Utf8())),
  ]);
  const w = new ArrowFileWriter(file, schema);
  await w.writeColumns([
    utf8Data(rows.map((r) => r.metric)),
    utf8Data(rows.map((r) => r.split)),
    primitiveData(new A.Float64(), Float64Array.from(rows, (r) => r.value)),
    ...columns.map((c) => (c.int ? primitiveData(new A.Int32(), Int32Array.from(rows, (r) => c.of(r) as number)) : utf8Data(rows.map((r) => String(c.of(r)))))),
  ]);
  return w.close();
}
