// `lexflow worker`: take jobs from the queues of the runs being driven now and
// run them with the same task functions as the local pool, in a piscina pool
// of --threads threads (docs/ARCHITECTURE.md, "The pool"). Tasks run off this
// process's main thread, so BullMQ keeps renewing the job locks while they
// compute; a worker killed mid-job stops renewing, and BullMQ's stalled checker
// (run by every other worker) hands the job to another worker.

import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { isUsageError, reviveWorkerError } from '../errors.js';
import { createPool, type Pool } from '../pool.js';
import { decodeMessage, encodeMessage, LOCAL_ONLY } from './codec.js';
import { INSTALL_ROOT, type JobData, type JobResult } from './executor.js';
import { KEYS, bullConnection, connectRedis, type RedisAddress } from './redis.js';
import { FolderStore, type SharedStore } from './store.js';

export interface WorkerOptions {
  redis: RedisAddress;
  threads: number;
  /** Where this machine mounts the shared folder; default: the coordinator's path. */
  sharedDir?: string;
  /** A job's lock lifetime: a killed worker's job is retried after about this long. */
  lockMs: number;
  log: (line: string) => void;
  /** Called before each task runs (testkit's fault injection). */
  beforeTask?: (job: Job<JobData, JobResult>) => Promise<void>;
}

export interface RunningWorker {
  readonly name: string;
  close(): Promise<void>;
}

/** How often the list of active runs is read. */
const DISCOVER_MS = 500;
/**
 * Idle this long, the worker's threads end (Pool.recycle): a stage's tasks follow each other
 * within milliseconds, so a pause this long is a stage boundary or a step on the coordinator,
 * and what the finished tasks left in the threads goes back to the machine.
 */
const RECYCLE_IDLE_MS = 2000;

export async function startWorker(opts: WorkerOptions): Promise<RunningWorker> {
  const redis: Redis = await connectRedis(opts.redis, '--redis', 'start redis-server there, or point --redis at it');
  const name = `${os.hostname()}:${process.pid}`;
  const pool: Pool = createPool(opts.threads);
  const stores = new Map<string, SharedStore>();
  const storeFor = (coordinatorDir: string): SharedStore => {
    const dir = opts.sharedDir ?? coordinatorDir;
    let s = stores.get(dir);
    if (!s) stores.set(dir, (s = new FolderStore(dir)));
    return s;
  };
  const workers = new Map<string, Worker<JobData, JobResult>>();
  const connection = bullConnection(opts.redis);
  /** Jobs this worker took, by queue (for `lexflow status`). */
  const taken = new Map<string, number>();

  let running = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  const runJob = async (queue: string, job: Job<JobData, JobResult>): Promise<JobResult> => {
    running++;
    clearTimeout(idleTimer);
    try {
      return await runJobNow(queue, job);
    } finally {
      if (--running === 0) {
        idleTimer = setTimeout(() => void (running === 0 && pool.recycle()), RECYCLE_IDLE_MS);
        idleTimer.unref();
      }
    }
  };
  const runJobNow = async (queue: string, job: Job<JobData, JobResult>): Promise<JobResult> => {
    const t0 = performance.now();
    const { module, input, sharedDir } = job.data;
    if (module.startsWith('..') || path.isAbsolute(module)) throw new UnrecoverableError(`task module ${module} is outside the lexflow install`);
    const jobs = (taken.get(queue) ?? 0) + 1;
    taken.set(queue, jobs);
    await redis.hset(KEYS.workers(queue), name, JSON.stringify({ host: os.hostname(), pid: process.pid, threads: opts.threads, jobs, lastSeen: new Date().toISOString() }));
    opts.log(`worker ${name}: job ${queue}/${job.id} ${job.name} started (attempt ${job.attemptsMade + 1})`);
    await opts.beforeTask?.(job);
    const store = storeFor(sharedDir);
    const task = decodeMessage(await store.get(input), store);
    let result: unknown;
    try {
      result = await pool.run(pathToFileURL(path.join(INSTALL_ROOT, module)).href, task);
    } catch (e) {
      const err = reviveWorkerError(e);
      // Bad input fails the same way on every attempt: fail the job now, with the task's message
      // (the prefix makes the coordinator raise it as a usage error, exit 2).
      if (isUsageError(err)) throw new UnrecoverableError(`UsageError: ${(err as Error).message}`);
      throw err;
    }
    const chunks = encodeMessage(result, store);
    if (chunks === LOCAL_ONLY) throw new UnrecoverableError(`task ${module} returned shared memory, which cannot leave this machine`);
    // Named by attempt, so a late duplicate of this job never overwrites the result the coordinator reads.
    const output = `${path.posix.dirname(input)}/${job.id}.out-${job.attemptsStarted}-${process.pid}`;
    await store.put(output, chunks);
    opts.log(`worker ${name}: job ${queue}/${job.id} ${job.name} done in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    return { output, worker: name };
  };

  const open = (queue: string): void => {
    const w = new Worker<JobData, JobResult>(queue, (job) => runJob(queue, job), {
      connection,
      name,
      concurrency: opts.threads,
      lockDuration: opts.lockMs,
      stalledInterval: Math.max(500, Math.floor(opts.lockMs / 2)),
      // A job may be recovered from a lost worker twice before it fails.
      maxStalledCount: 2,
      drainDelay: 1,
    });
    w.on('error', () => {}); // connection trouble: BullMQ reconnects; the coordinator decides whether the run is lost
    w.on('failed', (job, err) => opts.log(`worker ${name}: job ${queue}/${job?.id} failed: ${err.message}`));
    workers.set(queue, w);
    opts.log(`worker ${name}: taking jobs of ${queue}`);
  };

  let stopped = false;
  const discover = async (): Promise<void> => {
    try {
      const active = new Set(await redis.smembers(KEYS.runs));
      for (const q of active) if (!workers.has(q)) open(q);
      for (const [q, w] of workers)
        if (!active.has(q)) {
          workers.delete(q);
          await w.close();
          opts.log(`worker ${name}: run ${q} ended`);
        }
    } catch {
      // Redis unreachable for now: keep the open queues, try again.
    }
  };
  await discover();
  const timer = setInterval(() => void (stopped || discover()), DISCOVER_MS);
  opts.log(`worker ${name}: ${opts.threads} thread${opts.threads === 1 ? '' : 's'}, waiting for jobs on ${opts.redis.url}`);
  return {
    name,
    async close() {
      stopped = true;
      clearInterval(timer);
      clearTimeout(idleTimer);
      await Promise.allSettled([...workers.values()].map((w) => w.close()));
      redis.disconnect();
      await pool.destroy();
    },
  };
}
