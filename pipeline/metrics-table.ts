// The comparison `lexflow run` prints at the end: every model's test
// perplexity from the stages' metrics.arrow tables (metric, split, value, and
// a `model` column where a stage estimates several), side by side.

import fs from 'node:fs';
import path from 'node:path';
import { readBatches } from './arrow.js';

export interface PerplexityRow {
  stage: string;
  model: string;
  split: string;
  metric: string;
  value: number;
}

export async function collectPerplexities(runDir: string, stages: string[], split = 'test'): Promise<PerplexityRow[]> {
  const rows: PerplexityRow[] = [];
  for (const stage of stages) {
    const file = path.join(runDir, stage, 'metrics.arrow');
    if (!fs.existsSync(file)) continue;
    for await (const b of readBatches(file)) {
      const metric = b.getChild('metric');
      const sp = b.getChild('split');
      const value = b.getChild('value');
      const model = b.getChild('model');
      if (!metric || !sp || !value) continue;
      for (let i = 0; i < b.numRows; i++) {
        const m = String(metric.get(i));
        if (!/^(ppl|perplexity)$/i.test(m) || String(sp.get(i)) !== split) continue;
        rows.push({ stage, model: model ? String(model.get(i)) : stage, split, metric: m, value: Number(value.get(i)) });
      }
    }
  }
  return rows;
}
