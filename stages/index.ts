// Every stage, registered once: to add a stage, write stages/<name>/ whose
// index.ts default-exports its `defineStage(...)`, and add one line below.

import type { StageDef } from '../pipeline/stage.js';

export const STAGES: StageDef[] = [
  (await import('./tokenize/index.js')).default,
  (await import('./subword/index.js')).default,
  (await import('./ngrams/index.js')).default,
  (await import('./lm-ngram/index.js')).default,
  (await import('./cooccur/index.js')).default,
  (await import('./pmi/index.js')).default,
  (await import('./svd/index.js')).default,
  (await import('./eval-embeddings/index.js')).default,
  (await import('./word2vec/index.js')).default,
  (await import('./glove/index.js')).default,
  (await import('./lm-neural/index.js')).default,
  (await import('./chatbot/index.js')).default,
] as StageDef[];
