// The model files of a streamed estimate (kneser-ney-stream.ts), written order
// by order from its flat columns: `<model>/order-N.arrow` in the record batches
// of writeModelArrow and `model.arpa` in the lines of writeArpa, byte for byte,
// with one bounded buffer per column.

import fs from 'node:fs';
import path from 'node:path';
import * as A from 'apache-arrow';
import { ArrowFileWriter, primitiveData } from '../../pipeline/arrow.js';
import { chunks } from '../../lib/spill/flat-file.js';
import { ByteSink } from './arpa.js';
import { modelSchema } from './model-files.js';
import type { StreamedOrder } from './kneser-ney-stream.js';

/** writeModelArrow's batch size, so the files are the same bytes. */
const BATCH = 1 << 16;
const TAB = 9;
const SPACE = 32;
const NL = 10;

/** KenLM clamps log10 p at 0 for numerical noise ("Take that IRST"); stored as float32. */
export function logprobOf(p: number): number {
  return Math.fround(Math.min(0, Math.log10(p)));
}

/** Write the Arrow tables (and `model.arpa` when `arpaTokens` is given); rows per file written. */
export async function writeStreamedModel(dir: string, orders: StreamedOrder[], arpaTokens?: readonly string[], onRows: (n: number) => void = () => {}): Promise<Record<string, number>> {
  fs.mkdirSync(dir, { recursive: true });
  const rows: Record<string, number> = {};
  const N = orders.length;
  let sink: ByteSink | undefined;
  let fd: number | undefined;
  let spelled: Uint8Array[] = [];
  if (arpaTokens) {
    const enc = new TextEncoder();
    spelled = arpaTokens.map((t) => enc.encode(t));
    fd = fs.openSync(path.join(dir, 'model.arpa'), 'w');
    sink = new ByteSink(fd);
    sink.ascii('\\data\\\n');
    for (const o of orders) sink.ascii(`ngram ${o.n}=${o.rows}\n`);
  }
  try {
    for (const o of orders) {
      const n = o.n;
      const file = path.join(dir, `order-${n}.arrow`);
      const w = new ArrowFileWriter(file, modelSchema(n));
      // The columns in chunks of the same rows as the words'.
      const prob = chunks(o.prob, Float64Array, 1, BATCH);
      const backoff = o.backoff ? chunks(o.backoff, Float32Array, 1, BATCH) : undefined;
      sink?.ascii(`\n\\${n}-grams:\n`);
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
        if (sink) {
          for (let r = 0; r < c.rows; r++) {
            sink.number(lp[r]!);
            sink.byte(TAB);
            sink.bytes(spelled[c.data[r * n]!]!);
            for (let k = 1; k < n; k++) {
              sink.byte(SPACE);
              sink.bytes(spelled[c.data[r * n + k]!]!);
            }
            if (n < N) {
              sink.byte(TAB);
              sink.number(bo[r]!);
            }
            sink.byte(NL);
          }
        }
      }
      prob.return(undefined);
      backoff?.return(undefined);
      rows[file] = await w.close();
    }
    if (sink) {
      sink.ascii('\n\\end\\\n');
      sink.flush();
    }
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  return rows;
}
