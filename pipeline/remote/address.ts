// `redis://HOST[:PORT][/DB]` for --executor and --redis. Apart from the Redis
// client, so that checking the flags loads neither ioredis nor BullMQ.

import { UsageError } from '../errors.js';

export interface RedisAddress {
  host: string;
  port: number;
  db: number;
  url: string;
}

/** `redis://HOST[:PORT][/DB]`; `flag` names the flag in the error. */
export function parseRedisUrl(url: string, flag: string): RedisAddress {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`${flag} ${url}: not a URL; give redis://HOST:PORT (e.g. redis://127.0.0.1:6379)`);
  }
  if (u.protocol !== 'redis:' || !u.hostname) throw new UsageError(`${flag} ${url}: give redis://HOST:PORT (e.g. redis://127.0.0.1:6379)`);
  const db = u.pathname && u.pathname !== '/' ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new UsageError(`${flag} ${url}: the database after the port must be a number (redis://HOST:PORT/0)`);
  const port = u.port ? Number(u.port) : 6379;
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port, db, url: `redis://${u.host}${db ? `/${db}` : ''}` };
}
