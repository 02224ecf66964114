// The model files of a streamed estimate (kneser-ney-stream.ts), written order
// by order from its flat columns: `<model>/order-N.arrow` in the record batches
// of writeModelArrow and `model.arpa` in the lines of writeArpa, byte for byte,
// with one bounded buffer per column.

import fs from 'node:fs';
import path from 'node:path';
import * as A from 'apache-arrow';
import { ArrowFileWriter, primitiveData } from '../../pipeline/arrow.js';
import { chunks } from '../../lib/spill/flat-file.js';
import { ArpaWriter } from './arpa-writer.js';
import { modelSchema } from './model-files.js';
import type { StreamedOrder } from './kneser-ney-stream.js';

/** writeModelArrow's batch size, so the files are the same bytes. */
const BATCH = 1 << 16;

/** KenLM clamps log10 p at 0 for numerical noise ("Take that IRST"); stored as float32. */
export function logprobOf(p: number): number {
  return Math.fround(Math.min(0, Math.log10(p)));
}

/** Write the Arrow tables (and `model.arpa` when `arpaTokens` is given); rows per file written. */
export async function writeStreamedModel(dir: string, orders: StreamedOrder[], arpaTokens?: readonly string[], onRows: (n: number) => void = () => {}): Promise<Record<string, number>> {
  fs.mkdirSync(dir, { recursive: true });
  const rows: Record<string, number> = {};
  const arpa = arpaTokens
    ? ArpaWriter.open(
        path.join(dir, 'model.arpa'),
        arpaTokens,
        orders.map((o) => o.rows),
      )
    : undefined;
  try {
    for (const o of orders) {
      const n = o.n;
      const file = path.join(dir, `order-${n}.arrow`);
      const w = new ArrowFileWriter(file, modelSchema(n));
      // The columns in chunks of the same rows as the words'.
      const prob = chunks(o.prob, Float64Array, 1, BATCH);
      const backoff = o.backoff ? chunks(o.backoff, Float32Array, 1, BATCH) : undefined;
      await arpa?.section(n);
      for (const c of chunks(o.words, Int32Array, n, BATCH)) {
        const cols: A.Data[] = [];
        for (let k = 0; k < n; k++) {
          const col = new Int32Array(c.rows);
          for (let r = 0; r < c.rows; r++) col[r] = c.data[r * n + k]!;
          cols.push(primitiveData(new A.Int32(), col));
        }
        const lp = new Float32Array(c.rows);
        const p = prob.next().value!.data;
        for (let r = 0; r < c.rows; r++) lp[r] = logprobOf(p[r]!);
        const bo = backoff ? backoff.next().value!.data.slice() : new Float32Array(c.rows);
        cols.push(primitiveData(new A.Float32(), lp), primitiveData(new A.Float32(), bo));
        await w.writeColumns(cols);
        onRows(c.rows);
        await arpa?.lines(n, c.data, lp, bo, 0, c.rows);
      }
      prob.return(undefined);
      backoff?.return(undefined);
      rows[file] = await w.close();
    }
  } catch (e) {
    await arpa?.abandon();
    throw e;
  }
  await arpa?.end();
  return rows;
}
