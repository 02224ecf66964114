// One piscina pool per run, shared by every stage (docs/ARCHITECTURE.md, "The pool").
// A task is named by its module's file URL: a stage lists its task modules in
// its definition (`tasks`, from the stage's tasks.ts), and each module's default
// export runs in a worker thread. Large buffers go in `transferList` (moved, not
// cloned) or live in SharedArrayBuffers.

import os from 'node:os';
import type { TransferListItem } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { reviveWorkerError } from './errors.js';

export interface Pool {
  /** Worker threads in the pool (`--threads`). */
  readonly threads: number;
  /** Run `task` in the module at `taskFile` (a file URL); its default export receives the task. */
  run<R = unknown>(taskFile: string, task: unknown, transferList?: TransferListItem[]): Promise<R>;
  /**
   * End the worker threads; the next `run` starts fresh ones. The runner calls it after each
   * stage, so what a finished stage's tasks left in their threads (heaps not yet collected,
   * WebAssembly memories, which never shrink, module-level tables) is handed back before the
   * next stage starts, instead of adding to its peak.
   */
  recycle(): Promise<void>;
  destroy(): Promise<void>;
  /** Set by the distributed executor (pipeline/remote/executor.ts): where its jobs go, for run.json and `lexflow status`. */
  readonly remote?: { redis: string; queue: string; sharedDir: string };
}

export function defaultThreads(): number {
  return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
}

const HOOK_FLAGS = ['--import', '--loader', '--experimental-loader', '--require', '-r'];

/** Node flags minus module loader hooks (`--import X`, `--import=X`, ...). */
export function withoutLoaderHooks(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (HOOK_FLAGS.includes(a)) {
      i++; // its value
      continue;
    }
    if (HOOK_FLAGS.some((f) => a.startsWith(`${f}=`))) continue;
    out.push(a);
  }
  return out;
}

export function createPool(threads = defaultThreads()): Pool {
  const start = (): Piscina =>
    new Piscina({
      minThreads: threads,
      maxThreads: threads,
      // One task per thread at a time: tasks are CPU-bound.
      concurrentTasksPerWorker: 1,
      idleTimeout: 60_000,
      // Callers bound their own in-flight work; piscina's 'auto' limit (threads²)
      // refused a stage's tasks with one thread ("Task queue is at limit").
      maxQueue: Infinity,
      // Workers run compiled JS: drop loader hooks a test runner put on the main
      // thread (tap's TypeScript loader costs seconds per worker start).
      execArgv: withoutLoaderHooks(process.execArgv),
    });
  // Started at the first task, so a stage without pool tasks (or a recycle before one) starts no threads.
  let piscina: Piscina | undefined;
  const end = async (): Promise<void> => {
    const p = piscina;
    piscina = undefined;
    await p?.destroy();
  };
  return {
    threads,
    async run<R>(taskFile: string, task: unknown, transferList?: TransferListItem[]): Promise<R> {
      try {
        return (await (piscina ??= start()).run(task, { filename: taskFile, transferList: transferList as never })) as R;
      } catch (e) {
        throw reviveWorkerError(e);
      }
    },
    recycle: end,
    destroy: end,
  };
}

/**
 * Worker-side: wrap a task function so a UsageError thrown inside a worker
 * reaches the main thread as a UsageError (exit 2), not as a crash.
 */
export function workerTask<T, R>(fn: (task: T) => R | Promise<R>): (task: T) => Promise<R> {
  return async (task: T) => {
    try {
      return await fn(task);
    } catch (e) {
      if (e && typeof e === 'object' && (e as { exitCode?: number }).exitCode === 2) {
        throw new Error(`UsageError: ${(e as Error).message}`);
      }
      throw e;
    }
  };
}
