// `lexflow worker --redis redis://HOST:PORT`: run the jobs of distributed runs
// on this machine until stopped (docs/ARCHITECTURE.md, "The pool").

import fs from 'node:fs';
import type { CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import { defaultThreads } from '../pool.js';
import { parseRedisUrl } from '../remote/address.js';

interface WorkerArgs {
  redis?: string;
  threads?: number;
  'shared-dir'?: string;
  'lock-duration'?: number;
  quiet?: boolean;
}

const command: CommandModule<object, WorkerArgs> = {
  command: 'worker',
  describe: 'take jobs of distributed runs (--executor redis://...) from Redis and run them here',
  builder: (y) =>
    y
      .option('redis', { type: 'string', describe: 'the Redis the coordinators use: redis://HOST:PORT' })
      .option('threads', { type: 'number', describe: 'jobs run at once, one thread each (default: available cores)' })
      .option('shared-dir', { type: 'string', describe: "where this machine mounts the runs' shared folder (default: the coordinator's path)" })
      .option('lock-duration', { type: 'number', default: 30, describe: 'seconds a job stays locked without renewal: a killed worker\'s job is retried after about this long' }) as never,
  handler: async (argv) => {
    if (!argv.redis) throw new UsageError('lexflow worker needs --redis redis://HOST:PORT: the address the runs give in --executor');
    const redis = parseRedisUrl(argv.redis, '--redis');
    const threads = argv.threads ?? defaultThreads();
    if (!Number.isInteger(threads) || threads < 1) throw new UsageError(`--threads ${argv.threads}: give a whole number of threads, 1 or more`);
    const lock = argv['lock-duration']!;
    if (!(lock >= 1)) throw new UsageError(`--lock-duration ${lock}: give at least 1 second`);
    if (argv['shared-dir'] && !fs.existsSync(argv['shared-dir'])) throw new UsageError(`--shared-dir ${argv['shared-dir']}: no such folder; give where this machine mounts the shared folder`);
    const log = argv.quiet ? () => {} : (l: string) => process.stderr.write(`${l}\n`);
    // Loaded here: BullMQ and ioredis cost every other command's start-up time.
    const { startWorker } = await import('../remote/worker.js');
    const w = await startWorker({ redis, threads, lockMs: Math.round(lock * 1000), log, ...(argv['shared-dir'] ? { sharedDir: argv['shared-dir'] } : {}) });
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        log(`worker ${w.name}: stopping`);
        void w.close().then(resolve);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  },
};

export default command;
