// metrics.arrow (docs/ARCHITECTURE.md: metric, split, value, plus this stage's
// `model` and `note`); history.arrow is lib/nn/history-table.ts.

import path from 'node:path';
import { writeMetricsTable, type MetricsRow } from '../../pipeline/metrics.js';

export interface MetricRow extends MetricsRow {
  note?: string;
}

export function writeMetrics(dir: string, model: string, rows: MetricRow[]): Promise<number> {
  return writeMetricsTable(path.join(dir, 'metrics.arrow'), rows, [
    { name: 'model', of: () => model },
    { name: 'note', of: (r) => r.note ?? '' },
  ]);
}
