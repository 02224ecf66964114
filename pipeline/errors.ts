// Two kinds of failure, two exit codes (docs/ARCHITECTURE.md, "CLI"):
// a UsageError is bad usage or bad input (exit 2) and is printed as one line;
// anything else is a failure of lexflow itself (exit 1) and keeps its stack.

export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly exitCode = 2;
}

/** Bad input data: names the file (and where in it) and says what to do. */
export class InputError extends UsageError {
  constructor(
    readonly file: string,
    problem: string,
    fix: string,
  ) {
    super(`${file}: ${problem}. ${fix}`);
  }
}

export function isUsageError(e: unknown): e is UsageError {
  return e instanceof UsageError || (typeof e === 'object' && e !== null && (e as { exitCode?: number }).exitCode === 2);
}

/** Errors cross the worker boundary as plain objects; rebuild a UsageError from one. */
export function reviveWorkerError(e: unknown): unknown {
  if (e && typeof e === 'object' && (e as { name?: string }).name === 'UsageError' && !(e instanceof UsageError)) {
    return new UsageError((e as Error).message);
  }
  if (e instanceof Error && /^(UsageError|InputError)\b/.test(e.message)) return new UsageError(e.message.replace(/^\w+:\s*/, ''));
  return e;
}
