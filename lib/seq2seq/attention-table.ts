// attention.arrow: the attention weights of translated sentences, one row per
// (sentence, layer, head, target position, source position), so a report
// page can draw them. The RNN has one layer and one head (0, 0); the
// Transformer's rows are its encoder–decoder attention, per layer and head.

import * as A from 'apache-arrow';
import { ArrowFileWriter, field, primitiveData } from '../../pipeline/arrow.js';
import type { Translation } from './decode.js';

export const attentionSchema = new A.Schema([
  field('sentence', new A.Int32()),
  field('layer', new A.Int32()),
  field('head', new A.Int32()),
  field('target_pos', new A.Int32()),
  field('source_pos', new A.Int32()),
  field('weight', new A.Float32()),
]);

export async function writeAttention(file: string, translations: Translation[], maps: { layers: number; heads: number } = { layers: 1, heads: 1 }): Promise<number> {
  const cols = { sentence: [] as number[], layer: [] as number[], head: [] as number[], tp: [] as number[], sp: [] as number[], w: [] as number[] };
  const perStep = maps.layers * maps.heads;
  translations.forEach((t, s) =>
    (t.attention ?? []).forEach((row, tp) => {
      const n = row.length / perStep; // each output position holds layers·heads maps of n source weights (decode.ts)
      row.forEach((w, i) => {
        const a = Math.floor(i / n);
        cols.sentence.push(s);
        cols.layer.push(Math.floor(a / maps.heads));
        cols.head.push(a % maps.heads);
        cols.tp.push(tp);
        cols.sp.push(i % n);
        cols.w.push(w);
      });
    }),
  );
  const n = cols.w.length;
  const out = new ArrowFileWriter(file, attentionSchema);
  await out.writeColumns([
    primitiveData(new A.Int32(), Int32Array.from(cols.sentence)),
    primitiveData(new A.Int32(), Int32Array.from(cols.layer)),
    primitiveData(new A.Int32(), Int32Array.from(cols.head)),
    primitiveData(new A.Int32(), Int32Array.from(cols.tp)),
    primitiveData(new A.Int32(), Int32Array.from(cols.sp)),
    primitiveData(new A.Float32(), Float32Array.from(cols.w)),
  ]);
  return out.close();
}
