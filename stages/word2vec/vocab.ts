// The training vocabulary, as the word2vec C tool builds it (LearnVocabFromTrainFile,
// SortVocab): index 0 is the sentence end `</s>`, counted once per sentence; then
// every word whose count reaches --min-count, by count descending. Tokens below
// the cut map to -1 and are skipped (the C tool drops them from the text), so a
// different --min-count never needs the tokenize stage to run again.

import { SPECIALS, UNK } from '../../lib/formats/tokens.js';

export interface TrainingVocab {
  /** Lexflow token id -> training index, or -1 for a skipped token. */
  indexOfId: Int32Array;
  /** Training index -> lexflow token id (index 0, `</s>`, maps to -1). */
  idOfIndex: Int32Array;
  /** Training index -> count (index 0: the number of training sentences). */
  counts: Float64Array;
  size: number;
}

/**
 * @param counts train counts by lexflow token id (vocab.arrow)
 * @param sentences number of training sentences (the count of `</s>`)
 */
export function buildTrainingVocab(counts: Float64Array, sentences: number, minCount: number): TrainingVocab {
  const kept: number[] = [];
  for (let id = 0; id < counts.length; id++) {
    // <s>, </s>, <pad> are never text; <unk> is, when the corpus spells it (PTB, WikiText).
    if (id < SPECIALS.length && id !== UNK) continue;
    if (counts[id]! >= minCount) kept.push(id);
  }
  kept.sort((a, b) => counts[b]! - counts[a]! || a - b);
  const size = kept.length + 1;
  const indexOfId = new Int32Array(counts.length).fill(-1);
  const idOfIndex = new Int32Array(size);
  const vcounts = new Float64Array(size);
  idOfIndex[0] = -1;
  vcounts[0] = sentences;
  for (let i = 0; i < kept.length; i++) {
    indexOfId[kept[i]!] = i + 1;
    idOfIndex[i + 1] = kept[i]!;
    vcounts[i + 1] = counts[kept[i]!]!;
  }
  return { indexOfId, idOfIndex, counts: vcounts, size };
}

export const SENTENCE_END = '</s>';

/**
 * Subsampling keep thresholds (word2vec.c): a word is kept when
 * ran = (sqrt(cn / (sample * T)) + 1) * (sample * T) / cn  >=  (rand & 0xFFFF) / 65536.
 * Stored as ran * 65536 so the hot loop compares integers directly. 0 = no subsampling.
 */
export function subsampleThresholds(counts: Float64Array, trainWords: number, sample: number): Float64Array {
  const out = new Float64Array(counts.length);
  for (let w = 0; w < counts.length; w++) {
    if (sample <= 0 || counts[w]! === 0) {
      out[w] = Infinity;
      continue;
    }
    const st = sample * trainWords;
    out[w] = Math.fround((Math.sqrt(counts[w]! / st) + 1) * st / counts[w]!) * 65536;
  }
  return out;
}

/** Noise table for negative sampling: word w fills a share count^0.75 / sum (word2vec.c InitUnigramTable); written `into` a given array of tableSize when one is passed. */
export function unigramTable(counts: Float64Array, tableSize: number, power = 0.75, into?: Int32Array): Int32Array {
  const table = into ?? new Int32Array(new SharedArrayBuffer(tableSize * 4));
  const V = counts.length;
  let total = 0;
  for (let a = 0; a < V; a++) total += Math.pow(counts[a]!, power);
  let i = 0;
  let d1 = Math.pow(counts[0]!, power) / total;
  for (let a = 0; a < tableSize; a++) {
    table[a] = i;
    if (a / tableSize > d1) {
      i++;
      d1 += Math.pow(counts[i] ?? 0, power) / total;
    }
    if (i >= V) i = V - 1;
  }
  return table;
}
