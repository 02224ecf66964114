// `--threads`, the one flag every command that starts a worker pool takes. Kept
// apart from cli/options.ts, which imports the stage registry: a stage's own
// command (lexflow tokenize) can check the flag without an import cycle.

import { UsageError } from './errors.js';
import { coerceParam, type IntParam } from './params.js';

export const THREADS_SPEC: IntParam = { type: 'int', min: 1, max: 1024, default: 1, describe: 'worker threads' };

/** `--threads` as given (flag or config file): a positive integer, checked before any work. */
export function parseThreads(raw: unknown, where: string): number | undefined {
  if (raw === undefined) return undefined;
  try {
    return coerceParam('threads', THREADS_SPEC, raw, where) as number;
  } catch {
    throw new UsageError(`${where}: --threads ${JSON.stringify(raw)} is not a thread count; give a whole number from 1 to ${THREADS_SPEC.max} (default: the available cores)`);
  }
}
