// Redis connections for the distributed executor: connect with a bounded
// first attempt, so that an unreachable server is one usage error, not a hang;
// and the keys lexflow keeps beside BullMQ's.

import { Redis } from 'ioredis';
import { UsageError } from '../errors.js';
import type { RedisAddress } from './address.js';

export { parseRedisUrl, type RedisAddress } from './address.js';

/** What BullMQ's Queue, Worker and QueueEvents take as `connection`. */
export function bullConnection(a: RedisAddress): { host: string; port: number; db: number; maxRetriesPerRequest: null } {
  // BullMQ requires maxRetriesPerRequest null: its blocking commands wait on reconnects.
  return { host: a.host, port: a.port, db: a.db, maxRetriesPerRequest: null };
}

/** A client for lexflow's own keys, connected (or a UsageError naming the flag within `timeoutMs`). */
export async function connectRedis(a: RedisAddress, flag: string, hint: string, timeoutMs = 5000): Promise<Redis> {
  const client = new Redis({ host: a.host, port: a.port, db: a.db, lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: timeoutMs, retryStrategy: (n) => Math.min(200 * n, 2000) });
  let firstError: string | undefined;
  let failFirst: (e: Error) => void = () => {};
  // Later connection errors surface as rejected commands and 'close'; the first one fails the connect.
  client.on('error', (e: Error & { code?: string }) => {
    firstError ??= e.code ?? e.message;
    failFirst(e);
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect().then(() => client.ping()),
      new Promise((_, reject) => {
        failFirst = reject;
        timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs / 1000} s`)), timeoutMs);
      }),
    ]);
    failFirst = () => {};
  } catch (e) {
    failFirst = () => {};
    client.disconnect();
    const why = firstError ?? (e as { code?: string }).code ?? (e as Error).message;
    throw new UsageError(`${flag} ${a.url}: cannot reach Redis (${why}); ${hint}`);
  } finally {
    clearTimeout(timer);
  }
  return client;
}

/** Redis keys lexflow keeps beside BullMQ's queues. */
export const KEYS = {
  /** Set of the queues of runs being driven now: workers take jobs from these. */
  runs: 'lexflow:runs',
  /** The coordinator holding a run: SET NX with a TTL it renews. */
  coordinator: (queue: string) => `lexflow:${queue}:coordinator`,
  /**
   * The coordinator's token without a TTL, for as long as it drives the run: if only the key
   * above is gone, the coordinator's event loop was blocked past the TTL (lm-ngram estimates on
   * the main thread for minutes) and it takes the key back; if both are gone, Redis lost the run.
   */
  epoch: (queue: string) => `lexflow:${queue}:epoch`,
  /** Hash worker name -> JSON {host, pid, threads, jobs, lastSeen}: the workers that took the run's jobs. */
  workers: (queue: string) => `lexflow:${queue}:workers`,
};
