// `lexflow status` for a distributed run: the workers that took its jobs, and
// its jobs per state, read from Redis (run.json records where the run's queue is).

import { Queue } from 'bullmq';
import { KEYS, bullConnection, connectRedis, parseRedisUrl } from './redis.js';

export interface WorkerSeen {
  name: string;
  host: string;
  pid: number;
  threads: number;
  jobs: number;
  lastSeen: string;
  /** Connected to the queue now. */
  connected: boolean;
}

export interface RemoteStatus {
  redis: string;
  queue: string;
  /** The coordinator driving the run now, if any. */
  coordinator?: { host: string; pid: number; started: string };
  workers: WorkerSeen[];
  jobs: Record<string, number>;
  /** Why Redis could not be read (then workers and jobs are empty). */
  error?: string;
}

export async function remoteStatus(redisUrl: string, queue: string): Promise<RemoteStatus> {
  const out: RemoteStatus = { redis: redisUrl, queue, workers: [], jobs: {} };
  let redis;
  try {
    redis = await connectRedis(parseRedisUrl(redisUrl, 'run.json executor'), 'run.json executor', 'its Redis is down', 2000);
  } catch (e) {
    out.error = (e as Error).message;
    return out;
  }
  const q = new Queue(queue, { connection: bullConnection(parseRedisUrl(redisUrl, 'run.json executor')) });
  q.on('error', () => {});
  try {
    const coord = await redis.get(KEYS.coordinator(queue));
    if (coord) {
      const c = JSON.parse(coord) as { host: string; pid: number; started: string };
      out.coordinator = { host: c.host, pid: c.pid, started: c.started };
    }
    const connected = new Set((await q.getWorkers()).map((w) => String(w.rawname ?? '').split(':w:')[1] ?? ''));
    for (const [name, v] of Object.entries(await redis.hgetall(KEYS.workers(queue)))) {
      const w = JSON.parse(v) as Omit<WorkerSeen, 'name' | 'connected'>;
      out.workers.push({ name, ...w, connected: connected.has(name) });
    }
    out.workers.sort((a, b) => a.name.localeCompare(b.name));
    out.jobs = await q.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
  } catch (e) {
    out.error = (e as Error).message;
  } finally {
    redis.disconnect();
    await q.close().catch(() => {});
  }
  return out;
}
