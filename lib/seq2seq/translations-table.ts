// translations.arrow: every translated sentence of a run, one row per
// (split, decoding setting, sentence): `id` (int32, 0-based: the row of
// tokens/<split>.arrow, line id + 1 of the split's files), `source`,
// `hypothesis`, `reference` (utf8, detokenized text), `score` (float32, the
// hypothesis' log-probability under the model divided by its |Y| + 1 scored
// tokens, </s> included), `split` and `setting` (utf8: `greedy`, `beam4`, ...).

import * as A from 'apache-arrow';
import { ArrowFileWriter, field, primitiveData, utf8Data } from '../../pipeline/arrow.js';

export const translationsSchema = new A.Schema([
  field('id', new A.Int32()),
  field('source', new A.Utf8()),
  field('hypothesis', new A.Utf8()),
  field('reference', new A.Utf8()),
  field('score', new A.Float32()),
  field('split', new A.Utf8()),
  field('setting', new A.Utf8()),
]);

/** One split decoded with one setting: a record batch. */
export interface TranslatedSet {
  split: string;
  setting: string;
  sources: string[];
  hypotheses: string[];
  references: string[];
  /** ln P(hypothesis, </s>) and the number of output ids, per sentence. */
  logProbs: number[];
  lengths: number[];
}

/** Mean log-probability per scored token (the hypothesis and its </s>). */
export function lengthNormalizedScore(logProb: number, length: number): number {
  return logProb / (length + 1);
}

export async function writeTranslations(file: string, sets: TranslatedSet[]): Promise<number> {
  const out = new ArrowFileWriter(file, translationsSchema);
  for (const s of sets) {
    const n = s.hypotheses.length;
    await out.writeColumns([
      primitiveData(new A.Int32(), Int32Array.from({ length: n }, (_, i) => i)),
      utf8Data(s.sources),
      utf8Data(s.hypotheses),
      utf8Data(s.references),
      primitiveData(new A.Float32(), Float32Array.from(s.logProbs, (lp, i) => lengthNormalizedScore(lp, s.lengths[i]!))),
      utf8Data(new Array<string>(n).fill(s.split)),
      utf8Data(new Array<string>(n).fill(s.setting)),
    ]);
  }
  return out.close();
}
