// A `lexflow worker` for fault tests: the first job it takes is announced on
// stderr ("HANG <queue>/<job>") and then never finishes, so the test can kill
// this process with kill -9 while the job is active and its lock held.
//   node dist/testkit/fault-worker.js redis://127.0.0.1:PORT LOCK_MS

import { parseRedisUrl } from '../pipeline/remote/redis.js';
import { startWorker } from '../pipeline/remote/worker.js';

const [url, lockMs] = process.argv.slice(2);
let hung = false;
await startWorker({
  redis: parseRedisUrl(url!, 'redis'),
  threads: 1,
  lockMs: Number(lockMs ?? 2000),
  log: (l) => process.stderr.write(`${l}\n`),
  async beforeTask(job) {
    if (hung) return;
    hung = true;
    process.stderr.write(`HANG ${job.queueName}/${job.id}\n`);
    await new Promise(() => {});
  },
});
