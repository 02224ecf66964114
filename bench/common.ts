// What every benchmark shares: its arguments, finding peer tools and data, timing
// a whole process (wall, CPU, peak RSS), and the closing JSON line. Peers come from
// PATH or a `*_BIN` variable; data from $LEXFLOW_DATA. Nothing here names a path
// of one machine.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync, type StdioOptions } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/** `--name VALUE` from the command line (also `name VALUE` when `name` is given with its dashes). */
export function arg(name: string, dflt: string): string {
  const flagName = name.startsWith('-') ? name : `--${name}`;
  const i = process.argv.indexOf(flagName);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : dflt;
}

/** True when `--name` is on the command line. */
export function flag(name: string): boolean {
  return process.argv.includes(name.startsWith('-') ? name : `--${name}`);
}

/**
 * A peer tool: `$ENV_VAR/name` (or `$ENV_VAR/build/name`, or `$ENV_VAR` itself when it
 * is that file), else `name` on PATH. Undefined when missing: the bench skips that peer.
 */
export function findTool(name: string, envVar?: string): string | undefined {
  const dir = envVar ? process.env[envVar] : undefined;
  if (dir) {
    for (const p of [path.join(dir, name), path.join(dir, 'build', name), path.join(dir, 'bin', name)]) if (isFile(p)) return p;
    if (isFile(dir) && path.basename(dir) === name) return dir;
  }
  for (const d of (process.env.PATH ?? '').split(':')) if (d && isFile(path.join(d, name))) return path.join(d, name);
  return undefined;
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The shared evaluation data folder ($LEXFLOW_DATA), or undefined when unset or absent. */
export function dataDir(): string | undefined {
  const d = process.env.LEXFLOW_DATA;
  return d && fs.existsSync(d) ? d : undefined;
}

export interface Timed {
  /** Wall seconds, measured here around the whole child process. */
  wall: number;
  /** User + system CPU seconds of the child, from /usr/bin/time (NaN without it). */
  cpu: number;
  /** Peak resident set of the child, MB (NaN without /usr/bin/time). */
  rssMB: number;
  ok: boolean;
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run `cmd args` as a whole process under /usr/bin/time (when present), with
 * stdin/stdout from/to files when given. The resource line goes to its own file,
 * so the child's stderr is its own.
 */
export function timed(cmd: string, args: string[], opts: { cwd?: string; stdin?: string; stdout?: string; env?: NodeJS.ProcessEnv } = {}): Timed {
  const useTime = fs.existsSync('/usr/bin/time');
  const timeFile = path.join(os.tmpdir(), `lexflow-time-${process.pid}-${Date.now()}`);
  const stdin = opts.stdin ? fs.openSync(opts.stdin, 'r') : 'pipe';
  const stdout = opts.stdout ? fs.openSync(opts.stdout, 'w') : 'pipe';
  const stdio: StdioOptions = [stdin, stdout, 'pipe'];
  const t0 = performance.now();
  const r = useTime
    ? spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', '-o', timeFile, cmd, ...args], { cwd: opts.cwd, env: opts.env, stdio, encoding: 'utf8', maxBuffer: 1 << 28 })
    : spawnSync(cmd, args, { cwd: opts.cwd, env: opts.env, stdio, encoding: 'utf8', maxBuffer: 1 << 28 });
  const wall = (performance.now() - t0) / 1000;
  if (typeof stdin === 'number') fs.closeSync(stdin);
  if (typeof stdout === 'number') fs.closeSync(stdout);
  let cpu = NaN;
  let rssMB = NaN;
  if (useTime && fs.existsSync(timeFile)) {
    const last = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
    const [, u, s, kb] = last.split(' ').map(Number);
    cpu = u! + s!;
    rssMB = kb! / 1024;
    fs.rmSync(timeFile, { force: true });
  }
  return { wall, cpu, rssMB, ok: r.status === 0, status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Like `timed`, but a failure is an error with the end of the child's stderr. */
export function timedOk(cmd: string, args: string[], opts: Parameters<typeof timed>[2] = {}): Timed {
  const t = timed(cmd, args, opts);
  if (!t.ok) throw new Error(`${cmd} ${args.join(' ')} exited with ${t.status}: ${t.stderr.slice(-2000)}`);
  return t;
}

/** The bench's last line: one JSON object. */
export function printJsonLine(result: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
