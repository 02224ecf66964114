// Every top-level CLI command: the engine's own, then those the registered
// stages declare in their definitions (`commands`). Subcommands of `lexflow eval`
// are gathered the same way in eval.ts.

import type { Command } from './command.js';
import { allStages } from '../registry.js';

export type { Command };

export const COMMANDS: Command[] = [
  (await import('./run.js')).default,
  (await import('./stage.js')).default,
  (await import('./status.js')).default,
  (await import('./worker.js')).default,
  (await import('./inspect.js')).default,
  (await import('./eval.js')).default,
  (await import('./sample.js')).default,
  (await import('../../datasets/cli.js')).default,
  // The report of a run reads every stage's outputs, so it belongs to no stage.
  (await import('../report/report-command.js')).default,
  (await import('../report/serve-command.js')).default,
  ...allStages().flatMap((s) => s.commands ?? []),
];
