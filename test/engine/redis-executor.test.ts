// The distributed executor against a real redis-server on 127.0.0.1 and two
// `lexflow worker` processes: tokenize, ngrams and cooccur give the same bytes
// (sha256 of every output file) as a local run, also when a worker is killed
// with kill -9 mid-job; `lexflow status` shows the workers and jobs per state.
// Skipped when redis-server is not installed (.ci/run installs it).

import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { redisServerBinary } from '../../testkit/redis-server.js';
import { cliPath } from '../../testkit/tmp.js';
import { cli, faultWorker, hashes, readyWorker, runArgs, start, waitFor, type Proc, localBaseline } from '../../testkit/remote-run.js';

// Many child processes on a shared machine: more than the runner's default per file (bounded inside).
t.setTimeout(600_000);

const bin = redisServerBinary();
t.test('through redis-server and lexflow workers', { skip: bin ? false : 'redis-server is not installed (apt-get install redis-server; .ci/run does it)' }, async (t) => {
  const { redis, dir, shared, corpus, want, dist } = await localBaseline(t, bin!);

  await t.test('two workers: the same bytes as a local run; status shows them', async (t) => {
    const w1 = await readyWorker(t, redis.url);
    const w2 = await readyWorker(t, redis.url);
    const out = path.join(shared, 'two');
    const r = await cli(t, runArgs(corpus, out, dist));
    t.equal(r.code, 0, r.out);
    t.same(hashes(out), want);
    const jobs = (w: Proc): number => (w.log().match(/ done in /g) ?? []).length;
    t.ok(jobs(w1) > 0 && jobs(w2) > 0, `both workers ran jobs (${jobs(w1)}, ${jobs(w2)})`);
    const s = await cli(t, ['status', '--out', out], 30_000);
    t.equal(s.code, 0);
    t.match(s.out, new RegExp(`jobs: waiting 0, active 0, delayed 0, completed ${jobs(w1) + jobs(w2)}, failed 0`));
    t.match(s.out, /workers seen: 2\n/);
    for (const w of [w1, w2]) t.match(s.out, new RegExp(`:${w.child.pid}\\s+1\\s+${jobs(w)}\\s`));
    w1.child.kill('SIGTERM');
    w2.child.kill('SIGTERM');
    t.same(await Promise.all([w1.exited, w2.exited]), [0, 0], 'workers stop on SIGTERM');
  });

  await t.test('a worker killed with kill -9 mid-job: the job is retried on another worker', async (t) => {
    const hang = faultWorker(t, redis.url);
    await waitFor('the fault worker', () => hang.log().includes('waiting for jobs'));
    const out = path.join(shared, 'killed');
    const run = start(t, [cliPath, ...runArgs(corpus, out, dist)]);
    await waitFor('a job to hang', () => /HANG \S+/.test(hang.log()));
    const job = /HANG (\S+)/.exec(hang.log())![1]!;
    const other = await readyWorker(t, redis.url);
    hang.child.kill('SIGKILL');
    await hang.exited;
    const code = await Promise.race([run.exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 120_000))]);
    t.equal(code, 0, run.log());
    t.match(other.log(), new RegExp(`job ${job} \\S+ started \\(attempt \\d+\\)[^]*job ${job} \\S+ done`), `the other worker ran ${job}`);
    t.same(hashes(out), want);
    other.child.kill('SIGKILL');
  });
});
