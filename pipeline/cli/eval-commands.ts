// Subcommands of `lexflow eval` (ppl, similarity, analogy, ...), one line each.
// Each is a default-exported yargs CommandModule living in its stage's folder.

import type { CommandModule } from 'yargs';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const EVAL_COMMANDS: CommandModule<any, any>[] = [
  (await import('../../stages/lm-ngram/eval-ppl.js')).default,
  (await import('../../stages/eval-embeddings/eval-similarity.js')).default,
  (await import('../../stages/eval-embeddings/eval-analogy.js')).default,
];
