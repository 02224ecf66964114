// lmplz numbers words in the order they first appear in the training text
// (<unk> 0, <s> 1, </s> 2, then the corpus). Kneser–Ney needs that order to
// reproduce one detail of lmplz's counts of counts (see kneser-ney.ts).

import { BOS, EOS, UNK } from '../../lib/formats/tokens.js';
import { readTokenShard } from '../../lib/formats/tokens.js';

/** rank[id] = lmplz's id of the word (-1 for words absent from the text). */
export function firstAppearanceRanks(shards: string[], vocabSize: number): Float64Array {
  const rank = new Float64Array(vocabSize).fill(-1);
  rank[UNK] = 0;
  rank[BOS] = 1;
  rank[EOS] = 2;
  let next = 3;
  for (const file of shards) {
    const ids = readTokenShard(file).ids;
    for (let i = 0; i < ids.length; i++) {
      const w = ids[i]!;
      if (w < vocabSize && (rank[w]! < 0 || (w === UNK && rank[w] === 0))) rank[w] = next++;
    }
  }
  return rank;
}
