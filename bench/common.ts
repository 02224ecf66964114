// What every benchmark shares: its arguments, finding peer tools and data, timing
// a whole process (wall, CPU, peak RSS), and the closing JSON line. Peers come from
// PATH or a `*_BIN` variable; data from $LEXFLOW_DATA. Nothing here names a path
// of one machine.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync, type StdioOptions } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { LEXFLOW_PROCESS_ENV } from '../pipeline/cli/process-env.js';

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

// ---------------------------------------------------------------- pairs: lexflow against a peer

/** What one side of a pair costs: whole processes, from the input text to the output written. */
export interface Measure {
  /** Wall seconds (the sum over the side's processes). */
  wall: number;
  /** User + system CPU seconds (the sum). */
  cpu: number;
  /** Peak RSS, MB (the largest of the side's processes). */
  rssMB: number;
}

/** Processes run one after the other as one side (GloVe's vocab_count then cooccur): walls and CPU add up, RSS is the largest. */
export function combine(...parts: Measure[]): Measure {
  return { wall: parts.reduce((s, p) => s + p.wall, 0), cpu: parts.reduce((s, p) => s + p.cpu, 0), rssMB: Math.max(...parts.map((p) => p.rssMB)) };
}

export interface Side {
  /** The tool, as the table names it (`lexflow`, `KenLM lmplz`). */
  name: string;
  /** Threads it was given (1 for a single-threaded peer; a word when the tool decides, as lmplz's pipeline). */
  threads: number | string;
  /** Run it once from scratch (a fresh output folder each time); `i` is the run number. */
  run: (i: number) => Measure;
}

export interface PairRow {
  job: string;
  lexflow: Side['name'];
  lexflowThreads: number | string;
  peer: string | null;
  peerThreads: number | string | null;
  runs: number;
  /** Medians over the runs. */
  a: Measure;
  b: Measure | null;
  /** lexflow ÷ peer, of the medians (below 1: lexflow is better). */
  ratio: Measure | null;
  /** How the outputs compare (ppl, entries, pieces/word, quality), filled in by the bench. */
  output: string;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

function medians(ms: Measure[]): Measure {
  return { wall: median(ms.map((m) => m.wall)), cpu: median(ms.map((m) => m.cpu)), rssMB: median(ms.map((m) => m.rssMB)) };
}

/** `--runs N` (default 3). */
export function runsArg(): number {
  return Math.max(1, Number(arg('runs', '3')));
}

/**
 * Run lexflow (A) and the peer (B) `runs` times each, alternating (A B, then B A, ...) so that a
 * change in the machine's load falls on both, and take the medians of wall, CPU and peak RSS.
 * Without a peer, only lexflow's figures.
 */
export function measurePair(job: string, lexflow: Side, peer: Side | undefined, runs = runsArg()): PairRow {
  return measureGroup(job, lexflow, peer ? [peer] : [], runs)[0]!;
}

/**
 * lexflow against several peers doing the same job (word2vec C, gensim, fastText): each run
 * runs every side once, the order rotating from run to run, and lexflow's runs are shared by
 * the rows (one row per peer, or one lexflow-only row without peers).
 */
export function measureGroup(job: string, lexflow: Side, peers: Side[], runs = runsArg()): PairRow[] {
  const sides = [lexflow, ...peers];
  const got: Measure[][] = sides.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (let k = 0; k < sides.length; k++) {
      const s = (i + k) % sides.length;
      got[s]!.push(sides[s]!.run(i));
    }
    console.log(`  ${job}: run ${i + 1}/${runs}: ${sides.map((s, k) => `${s.name} ${got[k]!.at(-1)!.wall.toFixed(2)} s`).join(', ')}`);
  }
  const ma = medians(got[0]!);
  const row = (peer: Side | undefined, mb: Measure | null): PairRow => ({
    job,
    lexflow: lexflow.name,
    lexflowThreads: lexflow.threads,
    peer: peer?.name ?? null,
    peerThreads: peer?.threads ?? null,
    runs,
    a: ma,
    b: mb,
    ratio: mb ? { wall: ma.wall / mb.wall, cpu: ma.cpu / mb.cpu, rssMB: ma.rssMB / mb.rssMB } : null,
    output: '',
  });
  return peers.length ? peers.map((p, k) => row(p, medians(got[k + 1]!))) : [row(undefined, null)];
}

const f2 = (x: number | undefined | null): string => (x === undefined || x === null || Number.isNaN(x) ? '—' : x.toFixed(2));
const f0 = (x: number | undefined | null): string => (x === undefined || x === null || Number.isNaN(x) ? '—' : x.toFixed(0));

/** The table of pairs, as Markdown: medians of each side, and the ratios lexflow ÷ peer. */
export function formatTable(rows: PairRow[]): string {
  const lines = [
    '| job | peer (threads) | lexflow (threads) wall s / CPU s / peak MB | peer wall s / CPU s / peak MB | wall ratio | CPU ratio | RSS ratio | runs | output |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows)
    lines.push(
      `| ${r.job} | ${r.peer ? `${r.peer} (${r.peerThreads})` : '—'} | (${r.lexflowThreads}) ${f2(r.a.wall)} / ${f2(r.a.cpu)} / ${f0(r.a.rssMB)} | ${r.b ? `${f2(r.b.wall)} / ${f2(r.b.cpu)} / ${f0(r.b.rssMB)}` : '—'} | ${f2(r.ratio?.wall)} | ${f2(r.ratio?.cpu)} | ${f2(r.ratio?.rssMB)} | ${r.runs} | ${r.output} |`,
    );
  return lines.join('\n');
}

/** The machine the figures come from, and its load now (figures under load are not quotable). */
export function machineLine(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? 'CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}; load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`;
}

// ---------------------------------------------------------------- lexflow as a whole process

/** dist/pipeline/cli/main.js of this build (bench files compile to dist/bench/). */
export const LEXFLOW_CLI = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'pipeline', 'cli', 'main.js');

/** Tokenize flags for text that is already one sentence per line, tokens split by spaces, as the peers read it: every line in train. */
export const PRETOKENIZED = ['--tokenize.tokenizer', 'whitespace', '--tokenize.sentences', 'line', '--tokenize.normalize', 'none', '--tokenize.split', '1,0,0'];

/** The environment lexflow runs in: this one with the C library settings the `lexflow` command starts with. */
export const lexflowEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ ...process.env, ...LEXFLOW_PROCESS_ENV, ...extra });

/** `lexflow ARGS` as a child process, as the `lexflow` command starts it, timed whole (an error when it fails). */
export function lexflow(args: string[], opts: Parameters<typeof timed>[2] = {}): Timed {
  return timedOk(process.execPath, [LEXFLOW_CLI, ...args], { ...opts, env: lexflowEnv(opts.env) });
}

/** `lexflow run` into a fresh `out` folder (removed first, so nothing is reused): its clock includes tokenizing and counting. */
export function lexflowRun(out: string, args: string[]): Timed {
  fs.rmSync(out, { recursive: true, force: true });
  return lexflow(['run', '--out', out, '--quiet', ...args]);
}

/** The first python3 on PATH (or /usr/bin/python3, where Debian installs its packages) that imports `module`. */
export function findPython(module: string): string | undefined {
  const candidates = [process.env.PYTHON, ...(process.env.PATH ?? '').split(':').map((d) => (d ? path.join(d, 'python3') : undefined)), '/usr/bin/python3'];
  return candidates.filter((p): p is string => Boolean(p) && isFile(p!)).find((p) => spawnSync(p, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0);
}

/** True when this module is the script node was started with (so a bench file can also be imported by bench/all). */
export function isMain(url: string): boolean {
  return process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.resolve(new URL(url).pathname);
}

/** A text file's lines and space-separated tokens (for tokens/s and pieces/word). */
export function countTokens(file: string): { lines: number; tokens: number; bytes: number } {
  const buf = fs.readFileSync(file);
  let lines = 0;
  let tokens = 0;
  let inTok = false;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i]!;
    if (b === 10) lines++;
    const sep = b === 32 || b === 10 || b === 9 || b === 13;
    if (!sep && !inTok) tokens++;
    inTok = !sep;
  }
  return { lines, tokens, bytes: buf.length };
}

/** Copy `text` with lines i where keep(i) (0-based), for held-out splits. */
export function writeLines(text: string, out: string, keep: (i: number) => boolean): void {
  const lines = fs.readFileSync(text, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  fs.writeFileSync(out, lines.filter((l, i) => l.trim() !== '' && keep(i)).join('\n') + '\n');
}

/** What a pair bench measured: its table rows and the figures of its JSON line. */
export interface PairsResult {
  rows: PairRow[];
  json: Record<string, unknown>;
}

/** A pair bench's ending: the table, the work folder removed (unless kept), the JSON line. */
export function finishPairs(corpus: string, r: PairsResult, wd: { done: () => void }): void {
  console.log(formatTable(r.rows));
  wd.done();
  printJsonLine({ corpus: path.basename(corpus), ...r.json, rows: r.rows });
}

/**
 * The bench's work folder: `--work DIR` (kept), or a fresh temporary folder that `done()`
 * removes (the runs' outputs take gigabytes) unless `--keep` is given.
 */
export function workDir(name: string): { dir: string; done: () => void } {
  const given = arg('work', '');
  if (given) {
    fs.mkdirSync(given, { recursive: true });
    return { dir: given, done: () => {} };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `lexflow-bench-${name}-`));
  return {
    dir,
    done: () => {
      if (flag('keep')) console.log(`outputs kept in ${dir}`);
      else fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** n token ids in [1, V) from a fixed linear congruential sequence (the neural benches' synthetic batches). */
export function randomIds(n: number, V: number, seed: number): Int32Array {
  const out = new Int32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = 1 + (s % (V - 1));
  }
  return out;
}
