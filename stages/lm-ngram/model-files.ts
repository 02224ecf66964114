// A model on disk, in the lm-ngram stage folder: `<model>/order-N.arrow`
// (w1..wN int32, logprob and backoff float32, log10 as ARPA) and
// `<model>/model.arpa`; `models.json` lists the models, the order and the
// checksum of the vocabulary they were estimated with.

import fs from 'node:fs';
import path from 'node:path';
import * as A from 'apache-arrow';
import { ArrowFileWriter, columnValues, field, primitiveData, readBatches } from '../../pipeline/arrow.js';
import { InputError } from '../../pipeline/errors.js';
import { makeBackoffOrder, BackoffModel, type BackoffOrder } from './backoff-model.js';

export const MODELS_JSON = 'models.json';

export interface ModelsInfo {
  order: number;
  vocabSize: number;
  /** sha256 of the tokenize stage's vocab.arrow. */
  vocabSha256: string;
  /** Model name -> whether it is normalized and has ARPA/Arrow files. */
  models: Record<string, { normalized: boolean; files: boolean; params?: Record<string, unknown> }>;
}

export function modelSchema(n: number): A.Schema {
  const fields = [];
  for (let k = 1; k <= n; k++) fields.push(field(`w${k}`, new A.Int32()));
  fields.push(field('logprob', new A.Float32()), field('backoff', new A.Float32()));
  return new A.Schema(fields);
}

export async function writeModelArrow(dir: string, model: BackoffModel): Promise<Record<string, number>> {
  fs.mkdirSync(dir, { recursive: true });
  const rows: Record<string, number> = {};
  const batch = 1 << 16;
  for (const o of model.orders) {
    const file = path.join(dir, `order-${o.n}.arrow`);
    const w = new ArrowFileWriter(file, modelSchema(o.n));
    for (let s = 0; s < o.rows; s += batch) {
      const e = Math.min(o.rows, s + batch);
      const cols: A.Data[] = [];
      for (let k = 0; k < o.n; k++) {
        const c = new Int32Array(e - s);
        for (let r = s; r < e; r++) c[r - s] = o.words[r * o.n + k]!;
        cols.push(primitiveData(new A.Int32(), c));
      }
      cols.push(primitiveData(new A.Float32(), o.logprob.slice(s, e)), primitiveData(new A.Float32(), o.backoff.slice(s, e)));
      await w.writeColumns(cols);
    }
    rows[file] = await w.close();
  }
  return rows;
}

export async function readModelArrow(dir: string, vocabSize: number, normalized = true): Promise<BackoffModel> {
  const orders: BackoffOrder[] = [];
  for (let n = 1; fs.existsSync(path.join(dir, `order-${n}.arrow`)); n++) {
    const file = path.join(dir, `order-${n}.arrow`);
    const parts: { cols: Int32Array[]; lp: Float32Array; bo: Float32Array }[] = [];
    let rows = 0;
    for await (const b of readBatches(file)) {
      const cols = [...Array(n)].map((_, k) => columnValues<Int32Array>(b.getChild(`w${k + 1}`)!.data[0]!));
      parts.push({ cols, lp: columnValues<Float32Array>(b.getChild('logprob')!.data[0]!), bo: columnValues<Float32Array>(b.getChild('backoff')!.data[0]!) });
      rows += b.numRows;
    }
    const words = new Int32Array(rows * n);
    const lps = new Float32Array(rows);
    const bos = new Float32Array(rows);
    let r0 = 0;
    for (const p of parts) {
      lps.set(p.lp, r0);
      bos.set(p.bo, r0);
      for (let r = 0; r < p.lp.length; r++) for (let k = 0; k < n; k++) words[(r0 + r) * n + k] = p.cols[k]![r]!;
      r0 += p.lp.length;
    }
    orders.push(makeBackoffOrder(n, words, lps, bos));
  }
  if (orders.length === 0) throw new InputError(dir, 'no order-1.arrow model table here', 'Point --model at an lm-ngram stage folder (or one of its model folders)');
  return new BackoffModel(orders, vocabSize, normalized);
}

export function readModelsInfo(stageDir: string): ModelsInfo {
  const file = path.join(stageDir, MODELS_JSON);
  if (!fs.existsSync(file)) throw new InputError(stageDir, `no ${MODELS_JSON}: not an lm-ngram stage folder`, 'Point --model at out/<run>/lm-ngram, or at an .arpa file with --tokens');
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ModelsInfo;
}
