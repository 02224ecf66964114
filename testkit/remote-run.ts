// What the distributed-executor tests share: child processes that are killed
// when the test ends (CLI runs bounded in time, `lexflow worker`s), waiting for
// a log line, the sha256 of every output file of tokenize, ngrams and cooccur,
// and the run arguments (small blocks and shards, so a run makes many jobs).

import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { cliPath, distRoot, tmpDir } from './tmp.js';
import { writeCorpus } from './corpus.js';
import { startRedis, type TestRedis } from './redis-server.js';

export type TT = { teardown(fn: () => void | Promise<void>): void };
// Children run without the test runner's import hooks.
export const env = { ...process.env, NODE_OPTIONS: '', CI: '1' };
export const STAGES = ['tokenize', 'ngrams', 'cooccur'];
export const LOCK_S = 2;

export interface Proc {
  child: ChildProcess;
  log: () => string;
  exited: Promise<number | null>;
}

/** Start a process; it is killed (SIGKILL) when the test ends, whatever happens. */
export function start(t: TT, args: string[]): Proc {
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
export async function cli(t: TT, args: string[], ms = 120_000): Promise<{ code: number | null; out: string }> {
  const p = start(t, [cliPath, ...args]);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), ms);
  const code = await p.exited;
  clearTimeout(timer);
  return { code, out: p.log() };
}

export async function waitFor(what: string, test: () => boolean, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!test()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function worker(t: TT, url: string): Proc {
  return start(t, [cliPath, 'worker', '--redis', url, '--threads', '1', '--lock-duration', String(LOCK_S)]);
}

export async function readyWorker(t: TT, url: string): Promise<Proc> {
  const w = worker(t, url);
  await waitFor('a worker to start', () => w.log().includes('waiting for jobs'));
  return w;
}

/** sha256 of every output file of the three stages (the manifest holds timings, so it is left out). */
export function hashes(runDir: string): Record<string, string> {
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

export const runArgs = (corpus: string, out: string, extra: string[] = []): string[] => [
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


/** The testkit worker that hangs on its first job (testkit/fault-worker.ts). */
export function faultWorker(t: TT, url: string): Proc {
  return start(t, [path.join(distRoot, 'testkit/fault-worker.js'), url, String(LOCK_S * 1000)]);
}

/**
 * What every distributed test starts from: a redis-server on 127.0.0.1, a shared
 * folder, a small corpus and the hashes of its local run (the bytes to match).
 */
export async function localBaseline(
  t: TT & { equal(a: unknown, b: unknown, m: string): unknown; ok(v: unknown, m: string): unknown },
  bin: string,
): Promise<{ redis: TestRedis; dir: string; shared: string; corpus: string; want: Record<string, string>; dist: string[] }> {
  const redis = await startRedis(bin, t);
  const dir = tmpDir(t);
  const shared = path.join(dir, 'shared');
  fs.mkdirSync(shared);
  const corpus = writeCorpus(path.join(dir, 'corpus'), 6, 60_000, 7);
  const local = path.join(dir, 'local');
  const l = await cli(t, runArgs(corpus, local));
  t.equal(l.code, 0, l.out);
  const want = hashes(local);
  t.ok(Object.keys(want).length >= 6, 'the local run wrote the three stages');
  return { redis, dir, shared, corpus, want, dist: ['--executor', redis.url, '--shared-dir', shared] };
}
