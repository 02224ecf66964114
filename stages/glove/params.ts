// GloVe's parameters, named and defaulted as GloVe's `glove` flags (-vector-size
// is --dim, default 50 as glove.c; -iter is --epochs) but for two, set for a
// corpus of Brown's size: --epochs 15 (demo.sh's; glove.c's is 25) and --x-max 10
// (glove.c's 100 leaves almost every pair of a 1M-token corpus below the cutoff,
// so the weighting starves it). On Brown: MEN 0.22, WS-353 0.10; at 5 epochs
// and x-max 100, MEN 0.03 and WS-353 0.00. --dim 100 adds WS-353 0.13 for twice the time.

import type { ParamSchema } from '../../pipeline/params.js';

export const gloveParams = {
  dim: { type: 'int', default: 50, min: 1, max: 10000, describe: 'vector size (-vector-size)' },
  epochs: { type: 'int', default: 15, min: 1, max: 1000, describe: 'passes over the shuffled co-occurrences (-iter; glove.c default 25, demo.sh 15)' },
  eta: { type: 'float', default: 0.05, min: 0, exclusiveMin: true, max: 10, describe: 'AdaGrad initial learning rate (-eta)' },
  'x-max': { type: 'float', default: 10, min: 0, exclusiveMin: true, describe: 'weighting cutoff: f(x) = (x / x_max)^alpha below it, 1 above (-x-max; glove.c default 100, for billions of tokens)' },
  alpha: { type: 'float', default: 0.75, min: 0, max: 10, describe: 'exponent of the weighting function (-alpha)' },
  'grad-clip': { type: 'float', default: 100, min: 0, exclusiveMin: true, describe: 'clip each gradient component to [-c, c] (-grad-clip)' },
  model: { type: 'int', default: 2, min: 1, max: 2, describe: 'output vectors: 2 = word + context vectors W + W~ (GloVe -model 2), 1 = word vectors W only' },
  seed: { type: 'int', default: 1, min: 0, describe: 'random seed for the initial weights and the shuffle' },
  'shuffle-chunk': { type: 'int', default: 2_000_000, min: 1000, describe: 'entries shuffled in memory at once (GloVe shuffle -array-size; memory is 12 bytes x this); changes the order, so the result' },
} satisfies ParamSchema;
