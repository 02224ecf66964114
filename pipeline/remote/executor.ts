// The distributed executor (docs/ARCHITECTURE.md, "The pool"): the same Pool
// interface as the local piscina pool, with tasks sent as BullMQ jobs on a
// queue of this run to `lexflow worker` processes on any machine.
//
// - A job holds the task module's path relative to the lexflow install and the
//   store key of its message file (codec.ts); its result names the file the
//   worker wrote. Redis carries no payload.
// - Retries, stalled-job recovery (a worker killed mid-job) and backoff are
//   BullMQ's: attempts and backoff on the job, lockDuration and the stalled
//   checker on the workers. An input error fails the job without retries
//   (UnrecoverableError) and the stage with the worker's message.
// - One coordinator per run: the queue is named from the run directory's path
//   inside the shared store (the same on every machine), and a key taken with
//   SET NX and renewed while the run lasts refuses a second coordinator.
// - Redis losing the run (a restart, a dropped connection) fails the run with
//   a message saying so; the runner then discards the stage being written, so
//   a run never completes with missing shards, and a rerun resumes from the
//   stages already committed.
// - Tasks whose message holds a SharedArrayBuffer run on the local pool.

import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TransferListItem } from 'node:worker_threads';
import { Queue, QueueEvents } from 'bullmq';
import { UsageError, reviveWorkerError } from '../errors.js';
import type { Pool } from '../pool.js';
import { LOCAL_ONLY, decodeMessage, encodeMessage } from './codec.js';
import { KEYS, bullConnection, connectRedis, type RedisAddress } from './redis.js';
import { FolderStore, type SharedStore } from './store.js';

/** The lexflow install this file belongs to (dist/pipeline/remote/ -> the package root). */
export const INSTALL_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** What a job carries: small, and the same on every machine. */
export interface JobData {
  /** The task module, relative to the lexflow install (e.g. dist/stages/ngrams/count.task.js). */
  module: string;
  /** Store key of the task's message file. */
  input: string;
  /** The coordinator's path of the shared store, for workers started without --shared-dir. */
  sharedDir: string;
}

export interface JobResult {
  /** Store key of the result's message file. */
  output: string;
  worker: string;
}

export interface RedisPoolOptions {
  redis: RedisAddress;
  sharedDir: string;
  runDir: string;
  /** Parallel tasks the stages plan for (`--threads`): give it the workers' total threads. */
  threads: number;
  /** Runs the tasks that must stay on this machine. */
  local: Pool;
  log?: (line: string) => void;
}

export interface RedisPool extends Pool {
  readonly queue: string;
  readonly store: SharedStore;
  /** Tasks sent to workers / run on the local pool, by module. */
  readonly placement: Record<string, { remote: number; local: number }>;
}

/** Attempts per job: a retry covers a worker lost mid-job or a transient failure. */
const ATTEMPTS = 3;
/** The coordinator key's lifetime; renewed at a third of it. */
const COORDINATOR_TTL_MS = 15_000;

/** `p`, or nothing after `ms` (a ref'd timer: the process stays up to see it). */
export async function within(ms: number, p: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

/** The queue of a run: named from the run directory's path inside the shared store. */
export function queueName(store: SharedStore, runDir: string): string {
  const rel = store.relative(path.resolve(runDir));
  if (rel === undefined) throw new UsageError(`--out ${runDir} is not inside --shared-dir ${store.description}; put the run directory in the shared folder, so every machine sees its shards`);
  return `lexflow-${crypto.createHash('sha256').update(rel).digest('hex').slice(0, 16)}`;
}

export function moduleOf(taskFile: string): string {
  const file = taskFile.startsWith('file:') ? fileURLToPath(taskFile) : taskFile;
  const rel = path.relative(INSTALL_ROOT, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new Error(`task module ${file} is outside the lexflow install, so remote workers cannot load it`);
  return rel.split(path.sep).join('/');
}

export async function createRedisPool(opts: RedisPoolOptions): Promise<RedisPool> {
  const store = new FolderStore(opts.sharedDir);
  const queue = queueName(store, opts.runDir);
  const redis = await connectRedis(opts.redis, '--executor', 'start redis-server there, or run with --executor local');
  const token = `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;
  const lockKey = KEYS.coordinator(queue);
  const coordinatorValue = JSON.stringify({ token, host: os.hostname(), pid: process.pid, started: new Date().toISOString(), runDir: path.resolve(opts.runDir) });
  const taken = await redis.set(lockKey, coordinatorValue, 'PX', COORDINATOR_TTL_MS, 'NX');
  if (taken !== 'OK') {
    const held = JSON.parse((await redis.get(lockKey)) ?? '{}') as { host?: string; pid?: number; started?: string };
    redis.disconnect();
    throw new UsageError(
      `--out ${opts.runDir}: another coordinator (host ${held.host ?? '?'}, pid ${held.pid ?? '?'}, since ${held.started ?? '?'}) drives this run through ${opts.redis.url}; wait for it to finish or use another --out`,
    );
  }
  const connection = bullConnection(opts.redis);
  const q = new Queue<JobData, JobResult>(queue, { connection });
  const events = new QueueEvents(queue, { connection });
  q.on('error', () => {});
  events.on('error', () => {});
  // A fresh run starts from an empty queue (the previous run's jobs stayed for `lexflow status`).
  await q.obliterate({ force: true });
  await redis.del(KEYS.workers(queue));
  await redis.set(KEYS.epoch(queue), token);
  await events.waitUntilReady();
  await redis.sadd(KEYS.runs, queue);

  let closing = false;
  let lostReason: Error | undefined;
  let rejectLost!: (e: Error) => void;
  const lost = new Promise<never>((_, reject) => (rejectLost = reject));
  lost.catch(() => {});
  const loseRun = (why: string): void => {
    if (closing || lostReason) return;
    lostReason = new Error(`lost the run's state in Redis at ${opts.redis.url} (${why}); the stage being written was discarded: rerun the same command to resume from the stages already done`);
    rejectLost(lostReason);
  };
  redis.on('close', () => loseRun('the connection closed'));
  const renew = setInterval(async () => {
    try {
      // Renew only our own key: gone or someone else's means Redis lost the run (a restart without persistence).
      // An expired key with our epoch still there: this process was busy past the TTL; take the key back unless another coordinator has.
      const ok = await redis.eval(
        `local v = redis.call('get', KEYS[1])
         if v then if string.find(v, ARGV[1], 1, true) then return redis.call('pexpire', KEYS[1], ARGV[2]) else return -2 end end
         if redis.call('get', KEYS[2]) ~= ARGV[1] then return -1 end
         return redis.call('set', KEYS[1], ARGV[3], 'PX', ARGV[2]) and 1 or -2`,
        2,
        lockKey,
        KEYS.epoch(queue),
        token,
        String(COORDINATOR_TTL_MS),
        coordinatorValue,
      );
      if (ok === -1) loseRun('the run\'s coordinator key is gone: Redis restarted or was flushed');
      if (ok === -2) loseRun('another coordinator took the run while this one was busy');
    } catch (e) {
      loseRun((e as Error).message);
    }
  }, COORDINATOR_TTL_MS / 3);
  renew.unref();

  const jobsPrefix = `.lexflow-jobs/${queue}`;
  const placement: Record<string, { remote: number; local: number }> = {};
  let seq = 0;
  return {
    threads: opts.threads,
    remote: { redis: opts.redis.url, queue, sharedDir: store.description },
    queue,
    store,
    placement,
    async run<R>(taskFile: string, task: unknown, transferList?: TransferListItem[]): Promise<R> {
      const module = moduleOf(taskFile);
      const p = (placement[module] ??= { remote: 0, local: 0 });
      const chunks = encodeMessage(task, store);
      if (chunks === LOCAL_ONLY) {
        p.local++;
        return opts.local.run<R>(taskFile, task, transferList);
      }
      p.remote++;
      if (lostReason) throw lostReason;
      const id = String(++seq).padStart(6, '0');
      const input = `${jobsPrefix}/${id}.in`;
      await store.put(input, chunks);
      // The stage and task (`ngrams/count.task`), as worker logs and BullMQ show the job: cooccur and ngrams both have a count task.
      const name = module.replace(/^dist\/stages\//, '').replace(/\.js$/, '');
      const job = await q.add(name, { module, input, sharedDir: store.description }, {
        jobId: id,
        attempts: ATTEMPTS,
        backoff: { type: 'exponential', delay: 1000 },
      });
      let result: JobResult;
      try {
        result = await Promise.race([job.waitUntilFinished(events), lost]);
      } catch (e) {
        if (e === lostReason) throw e;
        throw reviveWorkerError(new Error((e as Error).message));
      } finally {
        await store.remove(input);
      }
      if (!result || typeof result.output !== 'string') throw new Error(`job ${queue}/${id} (${module}) completed without naming its result file`);
      const bytes = await store.get(result.output);
      await store.remove(result.output);
      return decodeMessage(bytes, store) as R;
    },
    // The workers' machines keep their pools (`lexflow worker` outlives runs); the threads here end.
    recycle: () => opts.local.recycle(),
    async destroy() {
      closing = true;
      const where = Object.entries(placement).map(([m, n]) => `${m.replace(/^dist\/stages\//, '').replace(/\.task\.js$/, '')} ${n.remote} on workers${n.local ? `, ${n.local} here (shared memory)` : ''}`);
      if (where.length) opts.log?.(`executor ${queue}: ${where.join('; ')}`);
      clearInterval(renew);
      const release = async (): Promise<void> => {
        await redis.srem(KEYS.runs, queue);
        await redis.eval(`if redis.call('get', KEYS[1]) and string.find(redis.call('get', KEYS[1]), ARGV[1], 1, true) then return redis.call('del', KEYS[1]) else return 0 end`, 1, lockKey, token);
        await redis.eval(`if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`, 1, KEYS.epoch(queue), token);
      };
      // With Redis gone this gives up after a moment; the coordinator key expires by itself.
      await within(2000, release().catch(() => {}));
      redis.disconnect();
      // close() waits for Redis; with Redis gone it would wait forever on no handle, and Node would
      // exit mid-await (code 13) instead of reporting the failure: give it a bounded, ref'd wait.
      await within(3000, Promise.allSettled([events.close(), q.close()]));
      await store.remove(jobsPrefix).catch(() => {});
      await opts.local.destroy();
    },
  };
}
