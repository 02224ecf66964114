// The pmi stage: PMI, PPMI or shifted PPMI of the cooccur stage's matrix,
// streamed batch by batch into pmi.arrow (row, col, pmi; same ids and order
// as cooccur.arrow; for PPMI only positive cells are kept: the matrix stays sparse).

import path from 'node:path';
import * as A from 'apache-arrow';
import { ArrowFileWriter, columnValues, field, primitiveData, readBatches } from '../../pipeline/arrow.js';
import { inputRows } from '../../pipeline/input-rows.js';
import { defineStage } from '../../pipeline/stage.js';
import { readMarginals } from '../../lib/formats/marginals.js';
import { pmiTerms, pmiValue } from './pmi.js';

export const pmiSchema = new A.Schema([field('row', new A.Int32()), field('col', new A.Int32()), field('pmi', new A.Float32())]);

export default defineStage({
  name: 'pmi',
  describe: 'PMI / positive PMI / shifted PPMI with context distribution smoothing',
  version: 1,
  inputs: ['cooccur'],
  params: {
    positive: { type: 'bool', default: true, describe: 'keep only positive values (PPMI); false: PMI of every observed pair' },
    shift: { type: 'float', default: 1, min: 1, describe: 'subtract log k (shifted PPMI, k as SGNS negative samples)' },
    cds: { type: 'float', default: 0.75, min: 0, max: 1, exclusiveMin: true, describe: 'context distribution smoothing exponent (1: none)' },
  },
  async run(ctx) {
    const co = ctx.input('cooccur').dir;
    const m = await readMarginals(co);
    const terms = pmiTerms(m.rowSums, m.colSums, { cds: ctx.params.cds, shift: ctx.params.shift, positive: ctx.params.positive });
    const out = new ArrowFileWriter(path.join(ctx.outDir, 'pmi.arrow'), pmiSchema);
    const step = ctx.progress.step('computing PMI', await inputRows(ctx.input('cooccur'), 'cooccur.arrow'), 'cells');
    let cells = 0;
    let kept = 0;
    let sum = 0;
    for await (const b of readBatches(path.join(co, 'cooccur.arrow'))) {
      for (let d = 0; d < b.getChild('row')!.data.length; d++) {
        const rows = columnValues<Int32Array>(b.getChild('row')!.data[d]!);
        const cols = columnValues<Int32Array>(b.getChild('col')!.data[d]!);
        const ws = columnValues<Float32Array>(b.getChild('weight')!.data[d]!);
        const oRows = new Int32Array(rows.length);
        const oCols = new Int32Array(rows.length);
        const oPmi = new Float32Array(rows.length);
        let n = 0;
        for (let i = 0; i < rows.length; i++) {
          const v = pmiValue(ws[i]!, m.index.get(rows[i]!)!, m.index.get(cols[i]!)!, terms);
          if (ctx.params.positive && !(v > 0)) continue;
          oRows[n] = rows[i]!;
          oCols[n] = cols[i]!;
          oPmi[n++] = v;
          sum += v;
        }
        cells += rows.length;
        kept += n;
        await out.writeColumns([primitiveData(new A.Int32(), oRows.subarray(0, n)), primitiveData(new A.Int32(), oCols.subarray(0, n)), primitiveData(new A.Float32(), oPmi.subarray(0, n))]);
        step.tick(rows.length);
      }
    }
    const rows = await out.close();
    step.done(`${kept} of ${cells} cells kept`);
    return { rows: { 'pmi.arrow': rows }, metrics: { cells, kept, meanPmi: kept ? sum / kept : 0 } };
  },
});
