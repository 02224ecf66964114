// Every stage, registered once: to add a stage, write stages/<name>/ whose
// index.ts default-exports its `defineStage(...)`, and add one line below.

import type { StageDef } from '../pipeline/stage.js';

export const STAGES: StageDef[] = [
  // (await import('./tokenize/index.js')).default,
  // lm-neural reads tokenize's output: enable with the tokenize line (the registry refuses a missing input).
  // (await import('./lm-neural/index.js')).default,
] as StageDef[];
