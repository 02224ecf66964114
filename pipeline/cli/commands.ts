// Every top-level CLI command, registered once. A stage that brings its own
// command (sample, neighbors, ...) keeps it in its folder as a default-exported
// yargs CommandModule and adds one line here. Subcommands of `lexflow eval`
// are registered in eval-commands.ts instead.

import type { CommandModule } from 'yargs';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Command = CommandModule<any, any>;

export const COMMANDS: Command[] = [
  (await import('./run.js')).default,
  (await import('./stage.js')).default,
  (await import('./status.js')).default,
  (await import('./inspect.js')).default,
  (await import('./eval.js')).default,
  (await import('../../datasets/cli.js')).default,
  (await import('../../stages/subword/tokenize-command.js')).default,
  (await import('../../stages/lm-ngram/sample-command.js')).default,
  (await import('../../stages/eval-embeddings/neighbors-command.js')).default,
  (await import('../../stages/eval-embeddings/analogy-command.js')).default,
  (await import('../../lib/report/report-command.js')).default,
  (await import('../../lib/report/serve-command.js')).default,
];
