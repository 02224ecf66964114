// `--executor local` (the piscina pool, the default) or `--executor redis://HOST:PORT`
// (BullMQ workers on any machine, pipeline/remote/): which Pool a run gets
// (docs/ARCHITECTURE.md, "The pool").

import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from './errors.js';
import { createPool, type Pool } from './pool.js';
import { parseRedisUrl, type RedisAddress } from './remote/address.js';

export interface ExecutorSpec {
  /** `local` or `redis://HOST:PORT`. */
  executor?: string;
  /** The folder every machine sees; required with a redis executor. */
  sharedDir?: string;
}

export type Executor = { kind: 'local' } | { kind: 'redis'; redis: RedisAddress; sharedDir: string; runDir: string };

/** Check the flags before any work starts; every mistake is one usage error naming the flag. */
export function checkExecutor(spec: ExecutorSpec, runDir: string): Executor {
  const e = spec.executor ?? 'local';
  if (e === 'local') {
    if (spec.sharedDir) throw new UsageError('--shared-dir is for a distributed run; add --executor redis://HOST:PORT, or drop --shared-dir');
    return { kind: 'local' };
  }
  if (!e.startsWith('redis://')) throw new UsageError(`--executor ${e}: give local or redis://HOST:PORT`);
  const redis = parseRedisUrl(e, '--executor');
  if (!spec.sharedDir) throw new UsageError(`--executor ${e} needs --shared-dir DIR: a folder every machine sees, holding the run directory (--out)`);
  let st: fs.Stats;
  try {
    st = fs.statSync(spec.sharedDir);
  } catch {
    throw new UsageError(`--shared-dir ${spec.sharedDir}: no such folder; create it (on storage every machine mounts) or fix the path`);
  }
  if (!st.isDirectory()) throw new UsageError(`--shared-dir ${spec.sharedDir}: not a folder`);
  const shared = fs.realpathSync(spec.sharedDir);
  let out = path.resolve(runDir);
  // The run directory may not exist yet: compare through its nearest existing parent.
  let probe = out;
  while (!fs.existsSync(probe) && path.dirname(probe) !== probe) probe = path.dirname(probe);
  out = path.join(fs.realpathSync(probe), path.relative(probe, out));
  if (out !== shared && !out.startsWith(shared + path.sep))
    throw new UsageError(`--out ${runDir} is not inside --shared-dir ${spec.sharedDir}; put the run directory in the shared folder, so every machine sees its shards`);
  return { kind: 'redis', redis, sharedDir: shared, runDir: out };
}

/** The pool for a run: local, or BullMQ queues on Redis with a local pool for the tasks that stay here. */
export async function createExecutorPool(ex: Executor, threads: number, log: (line: string) => void): Promise<Pool> {
  if (ex.kind === 'local') return createPool(threads);
  const { createRedisPool } = await import('./remote/executor.js');
  const local = createPool(threads);
  try {
    return await createRedisPool({ redis: ex.redis, sharedDir: ex.sharedDir, runDir: ex.runDir, threads, local, log });
  } catch (e) {
    await local.destroy();
    throw e;
  }
}
