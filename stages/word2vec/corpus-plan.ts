// One pass over the train shards before training: how many words each
// sentence brings (vocabulary words plus its sentence end, as word2vec.c counts
// them), so the words per epoch are exact for the learning-rate decay, the
// threads get equal shares of contiguous rows, and a corpus with nothing to
// train on is refused before any work.

import { InputError } from '../../pipeline/errors.js';
import { readTokenShard } from '../../lib/formats/tokens.js';
import type { RowRange } from './train.js';

export interface CorpusPlan {
  /** Vocabulary words + sentence ends in one epoch. */
  wordsPerEpoch: number;
  sentences: number;
  /** Sentences with at least two vocabulary words (skip-gram/CBOW need a pair). */
  trainableSentences: number;
  /** Row ranges per thread, in corpus order. */
  ranges: RowRange[][];
}

export function planCorpus(shards: readonly string[], indexOfId: Int32Array, threads: number): CorpusPlan {
  const perShard: { file: string; prefix: Float64Array }[] = [];
  let words = 0;
  let sentences = 0;
  let trainable = 0;
  for (const file of shards) {
    const { rows, offsets, ids } = readTokenShard(file);
    // prefix[r] = words before row r in this shard
    const prefix = new Float64Array(rows + 1);
    for (let r = 0; r < rows; r++) {
      let n = 0;
      for (let p = offsets[r]!; p < offsets[r + 1]!; p++) {
        const id = ids[p]!;
        if (!(id >= 0 && id < indexOfId.length))
          throw new InputError(file, `token id ${id} in row ${r} is outside the vocabulary (${indexOfId.length} ids)`, 'The shards and vocab.arrow do not belong together; rerun the tokenize stage');
        if (indexOfId[id]! >= 0) n++;
      }
      if (n >= 2) trainable++;
      prefix[r + 1] = prefix[r]! + n + 1;
    }
    words += prefix[rows]!;
    sentences += rows;
    perShard.push({ file, prefix });
  }
  // Thread t takes the rows whose first word falls in [t W/T, (t+1) W/T).
  const ranges: RowRange[][] = Array.from({ length: threads }, () => []);
  let before = 0;
  for (const { file, prefix } of perShard) {
    const rows = prefix.length - 1;
    let start = 0;
    let owner = -1;
    for (let r = 0; r < rows; r++) {
      const t = Math.min(threads - 1, Math.floor(((before + prefix[r]!) * threads) / Math.max(1, words)));
      if (t !== owner) {
        if (owner >= 0 && r > start) ranges[owner]!.push({ file, rowStart: start, rowEnd: r });
        owner = t;
        start = r;
      }
    }
    if (owner >= 0 && rows > start) ranges[owner]!.push({ file, rowStart: start, rowEnd: rows });
    before += prefix[rows]!;
  }
  return { wordsPerEpoch: words, sentences, trainableSentences: trainable, ranges };
}
