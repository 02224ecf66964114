// Every stage, registered once: to add a stage, write stages/<name>/ whose
// index.ts default-exports its `defineStage(...)`, and add one line below.

import type { StageDef } from '../pipeline/stage.js';

export const STAGES: StageDef[] = [
  (await import('./tokenize/index.js')).default,
  (await import('./subword/index.js')).default,
  (await import('./ngrams/index.js')).default,
  (await import('./lm-ngram/index.js')).default,
  (await import('./lm-neural/index.js')).default,
] as StageDef[];
