// The distributed executor's failures, against a real redis-server on
// 127.0.0.1: a bad input fails the stage with the worker's message (the same
// line as a local run, exit 2, no retries); a second coordinator of one run is
// refused; a Redis restart mid-run fails the run clearly, never completing it
// with missing shards, and a rerun gives the local run's bytes.
// Skipped when redis-server is not installed (.ci/run installs it).

import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { redisServerBinary } from '../../testkit/redis-server.js';
import { cliPath } from '../../testkit/tmp.js';
import { cli, faultWorker, hashes, readyWorker, runArgs, start, waitFor, localBaseline } from '../../testkit/remote-run.js';
import { Redis } from 'ioredis';
import { queueName } from '../../pipeline/remote/executor.js';
import { FolderStore } from '../../pipeline/remote/store.js';
import { KEYS } from '../../pipeline/remote/redis.js';

// Many child processes on a shared machine: more than the runner's default per file (bounded inside).
t.setTimeout(600_000);

const bin = redisServerBinary();
t.test('through redis-server and lexflow workers', { skip: bin ? false : 'redis-server is not installed (apt-get install redis-server; .ci/run does it)' }, async (t) => {
  const { redis, dir, shared, corpus, want, dist } = await localBaseline(t, bin!);

  await t.test('a bad input fails the stage with the worker\'s message', async (t) => {
    const w = await readyWorker(t, redis.url);
    const bad = path.join(dir, 'bad');
    fs.cpSync(corpus, bad, { recursive: true });
    fs.writeFileSync(path.join(bad, 'zz-latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    const [lr, rr] = await Promise.all([cli(t, runArgs(bad, path.join(dir, 'bad-local'))), cli(t, runArgs(bad, path.join(shared, 'bad'), dist))]);
    t.equal(lr.code, 2);
    t.equal(rr.code, 2);
    t.match(rr.out, /^lexflow: .*zz-latin1\.txt: invalid UTF-8 at byte offset 3 \(line 1\)\. .*\n$/);
    t.equal(rr.out, lr.out, 'the same message as the local run');
    t.notOk(fs.existsSync(path.join(shared, 'bad', 'tokenize', '_manifest.json')), 'no tokenize output');
    t.match(w.log(), /failed: UsageError: .*zz-latin1\.txt: invalid UTF-8/);
    t.equal((w.log().match(/ started \(attempt/g) ?? []).filter(Boolean).length, (w.log().match(/ done in | failed: /g) ?? []).length, 'the failed job was not retried');
    w.child.kill('SIGKILL');
  });

  await t.test('two coordinators cannot drive one run', async (t) => {
    const out = path.join(shared, 'two-coordinators');
    fs.mkdirSync(out);
    // Another machine's coordinator holds the run (the lock file cannot tell: the folder is shared).
    const c = new Redis({ host: '127.0.0.1', port: redis.port, lazyConnect: true });
    await c.connect();
    t.teardown(() => c.disconnect());
    const key = KEYS.coordinator(queueName(new FolderStore(shared), out));
    await c.set(key, JSON.stringify({ token: 'x', host: 'elsewhere', pid: 4242, started: '2026-01-01T00:00:00.000Z' }), 'PX', 60_000);
    const r = await cli(t, runArgs(corpus, out, dist));
    t.equal(r.code, 2);
    t.match(r.out, /^lexflow: --out .*two-coordinators: another coordinator \(host elsewhere, pid 4242, since 2026-01-01T00:00:00\.000Z\) drives this run through redis:\/\/127\.0\.0\.1:\d+; wait for it to finish or use another --out\n$/);
    t.equal(await c.get(key), JSON.stringify({ token: 'x', host: 'elsewhere', pid: 4242, started: '2026-01-01T00:00:00.000Z' }), 'the holder keeps the run');
    await c.del(key);
    const w = await readyWorker(t, redis.url);
    const again = await cli(t, runArgs(corpus, out, dist));
    t.equal(again.code, 0, again.out);
    t.equal(await c.get(key), null, 'the coordinator let go of the run at the end');
    w.child.kill('SIGKILL');
  });

  await t.test('Redis restarted mid-run: the run fails clearly, and a rerun completes', async (t) => {
    const hang = faultWorker(t, redis.url);
    await waitFor('the fault worker', () => hang.log().includes('waiting for jobs'));
    const out = path.join(shared, 'restart');
    const run = start(t, [cliPath, ...runArgs(corpus, out, dist)]);
    await waitFor('a job to hang', () => /HANG \S+/.test(hang.log()));
    await redis.restart();
    const code = await Promise.race([run.exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 60_000))]);
    t.equal(code, 1);
    t.match(run.log(), /lexflow: failed: Error: lost the run's state in Redis at redis:\/\/127\.0\.0\.1:\d+ \(.*\); the stage being written was discarded: rerun the same command to resume/);
    t.notOk(fs.existsSync(path.join(out, 'tokenize', '_manifest.json')), 'tokenize did not complete');
    hang.child.kill('SIGKILL');
    const w = await readyWorker(t, redis.url);
    const again = await cli(t, runArgs(corpus, out, dist));
    t.equal(again.code, 0, again.out);
    t.same(hashes(out), want);
    w.child.kill('SIGKILL');
  });
});
