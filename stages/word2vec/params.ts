// word2vec's parameters, named as the C tool's flags (-size is --dim, -iter is
// --epochs, -cbow 0/1 is --model). Defaults are the C tool's except three, set
// for a corpus of Brown's size (1M tokens), where the C defaults under-train:
// --dim 50, --epochs 15, --sample 1e-4. On Brown these give MEN 0.38 and
// WS-353 0.33 (the C defaults at 3 epochs: 0.14 and 0.15, as word2vec.c
// itself), at about the cost of the old 3 epochs of 100 dimensions.

import type { ParamSchema } from '../../pipeline/params.js';

/** --negative's upper bound: the skip-gram kernel's per-thread scratch holds the word and this many draws (train.ts). */
export const MAX_NEGATIVE = 100;

export const word2vecParams = {
  model: { type: 'enum', choices: ['skipgram', 'cbow'] as const, default: 'skipgram', describe: 'skip-gram (word2vec -cbow 0) or CBOW with the mean of the context (-cbow 1)' },
  dim: { type: 'int', default: 50, min: 1, max: 10000, describe: 'vector size (-size; the C default is 100)' },
  window: { type: 'int', default: 5, min: 1, max: 100, describe: 'maximal context window; each word draws its own window in 1..N (-window)' },
  negative: { type: 'int', default: 5, min: 0, max: MAX_NEGATIVE, describe: 'negative samples per word from the unigram^0.75 distribution; 0 = none (-negative)' },
  hs: { type: 'bool', default: false, describe: 'hierarchical softmax over a Huffman tree (-hs 1)' },
  sample: { type: 'float', default: 1e-4, min: 0, max: 1, describe: 'subsampling threshold for frequent words; 0 = off (-sample; the C default is 1e-3)' },
  'min-count': { type: 'int', default: 5, min: 1, describe: 'drop words seen fewer times in the train split (-min-count); no need to rerun tokenize' },
  epochs: { type: 'int', default: 15, min: 1, max: 1000, describe: 'passes over the train split (-iter; the C default is 5, too few for a small corpus)' },
  alpha: { type: 'float', default: 0, min: 0, max: 1, describe: 'starting learning rate, decayed linearly to alpha*1e-4; 0 = the C default (0.025 skip-gram, 0.05 CBOW)' },
  seed: { type: 'int', default: 1, min: 0, describe: 'random seed (initial weights, windows, subsampling, negatives); 1 = the C tool\'s' },
  'save-context': { type: 'bool', default: false, describe: 'also write the output (context) vectors to context.arrow and context.txt' },
  'checkpoint-every': { type: 'int', default: 10_000_000, min: 10_000, describe: 'save a checkpoint every N words (and at each epoch end) to resume a killed run', fingerprint: false },
} satisfies ParamSchema;

/**
 * Negative-sampling table size: 100 slots per word, at least 1e6 and at most 1e7
 * (40 MB, shared by all threads); word2vec.c always uses 1e8 (400 MB).
 */
export function unigramTableSize(vocabSize: number): number {
  return Math.min(10_000_000, Math.max(1_000_000, vocabSize * 100));
}
