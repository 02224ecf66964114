// The distributed executor against a real redis-server on 127.0.0.1 and
// `lexflow worker` processes: tokenize, ngrams and cooccur give the same bytes
// (sha256 of every output file) as a local run, through a worker killed with
// kill -9 mid-job, a bad input, a Redis restart, and a second coordinator.
// Skipped when redis-server is not installed (.ci/run installs it).

import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { Redis } from 'ioredis';
import { writeCorpus } from '../../testkit/corpus.js';
import { freePort, redisServerBinary, startRedis } from '../../testkit/redis-server.js';
import { cliPath, distRoot, tmpDir } from '../../testkit/tmp.js';
import { queueName } from '../../pipeline/remote/executor.js';
import { FolderStore } from '../../pipeline/remote/store.js';
import { KEYS } from '../../pipeline/remote/redis.js';

// Children run without the test runner's import hooks.
type TT = { teardown(fn: () => void | Promise<void>): void };
const env = { ...process.env, NODE_OPTIONS: '', CI: '1' };
const STAGES = ['tokenize', 'ngrams', 'cooccur'];
const LOCK_S = 2;

interface Proc {
  child: ChildProcess;
  log: () => string;
  exited: Promise<number | null>;
}

/** Start a process; it is killed (SIGKILL) when the test ends, whatever happens. */
function start(t: TT, args: string[]): Proc {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, log: () => out, exited };
}

/** Run the CLI to the end (bounded in time). */
async function cli(t: TT, args: string[], ms = 120_000): Promise<{ code: number | null; out: string }> {
  const p = start(t, [cliPath, ...args]);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), ms);
  const code = await p.exited;
  clearTimeout(timer);
  return { code, out: p.log() };
}

async function waitFor(what: string, test: () => boolean, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!test()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function worker(t: TT, url: string): Proc {
  return start(t, [cliPath, 'worker', '--redis', url, '--threads', '1', '--lock-duration', String(LOCK_S)]);
}

async function readyWorker(t: TT, url: string): Promise<Proc> {
  const w = worker(t, url);
  await waitFor('a worker to start', () => w.log().includes('waiting for jobs'));
  return w;
}

/** sha256 of every output file of the three stages (the manifest holds timings, so it is left out). */
function hashes(runDir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of STAGES) {
    const base = path.join(runDir, s);
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const f = path.join(d, e.name);
        if (e.isDirectory()) walk(f);
        else if (e.name !== '_manifest.json') out[path.relative(runDir, f)] = crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');
      }
    };
    walk(base);
  }
  return out;
}

const runArgs = (corpus: string, out: string, extra: string[] = []): string[] => [
  'run',
  '--dataset',
  corpus,
  '--out',
  out,
  '--only',
  ...STAGES,
  '--threads',
  '2',
  '--tokenize.block-bytes',
  '16k',
  '--tokenize.shard-tokens',
  '20000',
  '--ngrams.order',
  '3',
  '--quiet',
  ...extra,
];

t.test('usage errors: one line naming the flag, exit 2', async (t) => {
  const dir = tmpDir(t);
  const shared = path.join(dir, 'shared');
  fs.mkdirSync(shared);
  const corpus = writeCorpus(path.join(dir, 'corpus'), 2, 5_000, 1);
  const port = await freePort(); // nothing listens there
  const cases: [string[], RegExp][] = [
    [['--executor', `redis://127.0.0.1:${port}`, '--shared-dir', shared], /^lexflow: --executor redis:\/\/127\.0\.0\.1:\d+: cannot reach Redis \(ECONNREFUSED\); start redis-server there, or run with --executor local\n$/],
    [['--executor', `redis://127.0.0.1:${port}`], /^lexflow: --executor redis:\/\/127\.0\.0\.1:\d+ needs --shared-dir DIR: .*\n$/],
    [['--executor', `redis://127.0.0.1:${port}`, '--shared-dir', path.join(dir, 'nope')], /^lexflow: --shared-dir .*nope: no such folder; .*\n$/],
    [['--executor', 'http://x:1', '--shared-dir', shared], /^lexflow: --executor http:\/\/x:1: give local or redis:\/\/HOST:PORT\n$/],
  ];
  for (const [extra, want] of cases) {
    const r = await cli(t, runArgs(corpus, path.join(shared, 'run'), extra), 30_000);
    t.equal(r.code, 2, extra.join(' '));
    t.match(r.out, want);
  }
  const outside = await cli(t, runArgs(corpus, path.join(dir, 'elsewhere'), ['--executor', `redis://127.0.0.1:${port}`, '--shared-dir', shared]), 30_000);
  t.equal(outside.code, 2);
  t.match(outside.out, /^lexflow: --out .*elsewhere is not inside --shared-dir .*; put the run directory in the shared folder/);
  const w = await cli(t, ['worker', '--redis', `redis://127.0.0.1:${port}`], 30_000);
  t.equal(w.code, 2);
  t.match(w.out, /^lexflow: --redis redis:\/\/127\.0\.0\.1:\d+: cannot reach Redis \(ECONNREFUSED\)/);
  t.notMatch(w.out, /\n\s+at /, 'no stack trace');
});

const bin = redisServerBinary();
t.test('through redis-server and lexflow workers', { skip: bin ? false : 'redis-server is not installed (apt-get install redis-server; .ci/run does it)' }, async (t) => {
  const redis = await startRedis(bin!, t);
  const dir = tmpDir(t);
  const shared = path.join(dir, 'shared');
  fs.mkdirSync(shared);
  const corpus = writeCorpus(path.join(dir, 'corpus'), 6, 60_000, 7);
  const local = path.join(dir, 'local');
  const l = await cli(t, runArgs(corpus, local));
  t.equal(l.code, 0, l.out);
  const want = hashes(local);
  t.ok(Object.keys(want).length >= 6, 'the local run wrote the three stages');
  const dist = ['--executor', redis.url, '--shared-dir', shared];

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
    const hang = start(t, [path.join(distRoot, 'testkit/fault-worker.js'), redis.url, String(LOCK_S * 1000)]);
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

  await t.test('a bad input fails the stage with the worker\'s message', async (t) => {
    const w = await readyWorker(t, redis.url);
    const bad = path.join(dir, 'bad');
    fs.cpSync(corpus, bad, { recursive: true });
    fs.writeFileSync(path.join(bad, 'zz-latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    const lr = await cli(t, runArgs(bad, path.join(dir, 'bad-local')));
    const rr = await cli(t, runArgs(bad, path.join(shared, 'bad'), dist));
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
    const hang = start(t, [path.join(distRoot, 'testkit/fault-worker.js'), redis.url, String(LOCK_S * 1000)]);
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
