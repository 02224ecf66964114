// Benchmark: a corpus larger than memory through tokenize -> ngrams (order 5) ->
// lm-ngram (Kneser–Ney) -> cooccur with --memory 2G, against KenLM lmplz -S 2G
// on the same text, then the same pipeline through two `lexflow worker`
// processes on Redis, whose outputs must be byte-identical to the local run's.
//
//   node dist/bench/scale.js [--corpus big.txt | --tokens 50000000 --real real.txt [--gen gen_big.py]]
//                            [--memory 2G] [--order 5] [--threads 2] [--work DIR] [--no-redis] [--keep]
//
// The corpus is a text file (one sentence per line), or made by the corpus
// generator (`--gen`, else $LEXFLOW_BENCH_GEN) from `--real` (else
// $LEXFLOW_BENCH_REAL) with `--tokens`, and cached in the work folder. Every
// 20th line is held out as test. The four stages run in one `lexflow run`
// process, as a user runs them (the runner hands a finished stage's memory back
// before the next, so each stage's peak is its own); a stage's wall time, peak
// RSS and the wall time of each of its steps come from its manifest, the whole
// run's peak RSS from /usr/bin/time. The distributed run adds each worker's
// peak RSS (VmHWM) and its jobs' times by task, from the worker logs: with the
// steps, the per-shard work and the merges on one machine that a projection to
// more machines needs. Every timing carries the load average at its start and
// end (`uptime`), since a shared machine's figures are only as quiet as that.
// lmplz (and query) come from $KENLM_BIN or PATH, redis-server from PATH;
// without them their parts are null. Both language models are scored on the
// held-out lines (KenLM query's conventions). The last line is one JSON object.

import crypto from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { performance } from 'node:perf_hooks';
import { arg, findTool, flag, lexflowEnv, printJsonLine, timed } from './common.js';
import { listTokenShards, readTokenShard, readVocab, UNK } from '../lib/formats/tokens.js';
import { readTableSync } from '../pipeline/arrow.js';
import { cliPath } from '../testkit/tmp.js';
import { redisServerBinary, startRedis, type TestRedis } from '../testkit/redis-server.js';

const STAGES = ['tokenize', 'ngrams', 'lm-ngram', 'cooccur'] as const;
const RSS_BAR_MB = 2.5 * 1024;

interface StageFigures {
  wall_s: number;
  peak_rss_mb: number;
  /** Wall seconds of each progress step, by name (the manifest's `steps`). */
  steps: Record<string, number>;
}

/** The 1-, 5- and 15-minute load averages, as `uptime` prints them. */
const load = (): number[] => os.loadavg().map((l) => Math.round(l * 100) / 100);

function die(msg: string): never {
  console.error(`bench/scale: ${msg}`);
  process.exit(2);
}

/** The corpus: given, cached, or generated now. */
function corpus(work: string): string {
  const given = arg('corpus', '');
  if (given) {
    if (!fs.existsSync(given)) die(`--corpus ${given}: no such file`);
    return given;
  }
  const tokens = arg('tokens', '50000000');
  const out = path.join(work, `big-${tokens}.txt`);
  if (fs.existsSync(out)) return out;
  const gen = arg('gen', process.env.LEXFLOW_BENCH_GEN ?? '');
  const real = arg('real', process.env.LEXFLOW_BENCH_REAL ?? '');
  if (!gen || !fs.existsSync(gen)) die('give --corpus FILE, or the generator with --gen gen_big.py (or $LEXFLOW_BENCH_GEN)');
  if (!real || !fs.existsSync(real)) die('the generator needs its seed text: --real real.txt (or $LEXFLOW_BENCH_REAL), made by build_real.py beside it');
  console.error(`generating ${tokens} tokens with ${gen} ...`);
  const t = performance.now();
  const r = spawnSync('python3', [gen, '--real', real, '--out', `${out}.part`, '--tokens', tokens], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) die(`${gen} exited with ${r.status}`);
  fs.renameSync(`${out}.part`, out);
  console.error(`generated in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  return out;
}

/** train.txt and test.txt (every 20th line), streamed. */
async function split(src: string, dir: string): Promise<{ train: number; test: number }> {
  fs.mkdirSync(dir, { recursive: true });
  const train = fs.createWriteStream(path.join(dir, 'train.txt'));
  const test = fs.createWriteStream(path.join(dir, 'test.txt'));
  let i = 0;
  const n = { train: 0, test: 0 };
  for await (const line of readline.createInterface({ input: fs.createReadStream(src), crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    const out = i++ % 20 === 19 ? test : train;
    if (out === test) n.test++;
    else n.train++;
    if (!out.write(line + '\n')) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await Promise.all([train, test].map((s) => new Promise<void>((r) => s.end(() => r()))));
  return n;
}

interface RunFigures {
  wall: number;
  rssMB: number;
  ok: boolean;
  stderr: string;
  load_start: number[];
  load_end: number[];
}

/** The environment the `lexflow` command gives itself (its shebang line, pipeline/cli/main.ts), and plain progress. */
const scaleEnv = (): NodeJS.ProcessEnv => lexflowEnv({ CI: '1' });

function lexflowRun(out: string, dataset: string, memory: string, order: number, threads: number, extra: string[] = [], only: readonly string[] = STAGES): RunFigures {
  const args = [
    cliPath,
    'run',
    '--dataset',
    dataset,
    '--out',
    out,
    '--only',
    ...only,
    '--threads',
    String(threads),
    '--ngrams.order',
    String(order),
    '--lm-ngram.model',
    'kneser-ney',
    // The generated text is one lowercased, space-separated sentence per line, as lmplz reads it.
    '--tokenize.sentences',
    'line',
    '--tokenize.tokenizer',
    'whitespace',
    ...STAGES.flatMap((s) => [`--${s}.memory`, memory]),
    '--quiet',
    ...extra,
  ];
  const load_start = load();
  const t = timed(process.execPath, args, { env: scaleEnv() });
  return { wall: t.wall, rssMB: t.rssMB, ok: t.ok, stderr: t.stderr, load_start, load_end: load() };
}

interface Manifest {
  wallSeconds: number;
  peakRssMB: number;
  steps?: { name: string; seconds: number }[];
  outputs: { path: string; sha256: string }[];
  metrics: Record<string, unknown>;
}
const manifest = (dir: string): Manifest => JSON.parse(fs.readFileSync(path.join(dir, '_manifest.json'), 'utf8')) as Manifest;

function stageFigures(run: string): Record<string, StageFigures> {
  const out: Record<string, StageFigures> = {};
  for (const s of STAGES) {
    const m = manifest(path.join(run, s));
    out[s] = { wall_s: m.wallSeconds, peak_rss_mb: m.peakRssMB, steps: Object.fromEntries((m.steps ?? []).map((x) => [x.name, x.seconds])) };
  }
  return out;
}

/** sha256 of every output of the four stages, by stage/path. */
function outputHashes(run: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of STAGES) for (const o of manifest(path.join(run, s)).outputs) out[`${s}/${o.path}`] = o.sha256;
  return out;
}

/** lexflow's test perplexity from lm-ngram's metrics.arrow. */
function lexflowPpl(run: string): { ppl: number; ppl_excl_oov: number } {
  const t = readTableSync(path.join(run, 'lm-ngram', 'metrics.arrow'));
  const r: Record<string, number> = {};
  for (let i = 0; i < t.numRows; i++) {
    const row = t.get(i)!.toJSON() as { metric: string; split: string; value: number };
    if (row.split === 'test') r[row.metric] = row.value;
  }
  return { ppl: r.ppl ?? NaN, ppl_excl_oov: r.ppl_excl_oov ?? NaN };
}

/** lexflow's train and test tokens as whitespace text, so that lmplz counts exactly what lexflow counts. */
async function tokensAsText(tokDir: string, split: 'train' | 'test', file: string): Promise<void> {
  const { tokens } = await readVocab(tokDir);
  const spell = (id: number): string => (id === UNK ? '<UNK>' : tokens[id]!);
  const out = fs.createWriteStream(file);
  for (const f of listTokenShards(tokDir, split)) {
    const s = readTokenShard(f);
    const lines: string[] = [];
    for (let r = 0; r < s.rows; r++) lines.push(Array.from(s.ids.subarray(s.offsets[r]!, s.offsets[r + 1]!), spell).join(' '));
    if (!out.write(lines.join('\n') + '\n')) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
}

interface KenFigures {
  wall_s: number;
  cpu_s: number;
  peak_rss_mb: number;
  ppl?: number;
  ppl_excl_oov?: number;
  load_start: number[];
  load_end: number[];
}

function kenlm(work: string, memory: string, order: number): KenFigures | null {
  const lmplz = findTool('lmplz', 'KENLM_BIN');
  const query = findTool('query', 'KENLM_BIN');
  if (!lmplz) {
    console.error('lmplz not found ($KENLM_BIN or PATH): KenLM figures skipped');
    return null;
  }
  const arpa = path.join(work, 'kenlm.arpa');
  const load_start = load();
  const t = timed(lmplz, ['-o', String(order), '-S', memory, '-T', work, '--text', path.join(work, 'kenlm-train.txt'), '--arpa', arpa]);
  if (!t.ok) {
    // lmplz refuses budgets below its vocabulary hash: the lexflow side stands alone then.
    console.error(`lmplz failed (exit ${t.status}): ${t.stderr.trim().split('\n').slice(-2).join(' ')}`);
    return null;
  }
  const out: KenFigures = { wall_s: t.wall, cpu_s: t.cpu, peak_rss_mb: t.rssMB, load_start, load_end: load() };
  if (query) {
    const q = spawnSync(query, [arpa], { input: fs.readFileSync(path.join(work, 'kenlm-test.txt')), encoding: 'utf8', maxBuffer: 1 << 30 });
    out.ppl = Number(/Perplexity including OOVs:\s*([\d.e+]+)/.exec(q.stdout)?.[1] ?? NaN);
    out.ppl_excl_oov = Number(/Perplexity excluding OOVs:\s*([\d.e+]+)/.exec(q.stdout)?.[1] ?? NaN);
  }
  fs.rmSync(arpa, { force: true });
  return out;
}

/** A process's peak RSS so far in MB (Linux's VmHWM), or null where /proc has none. */
function peakRssOf(pid: number | undefined): number | null {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : null;
  } catch {
    return null;
  }
}

interface JobTimes {
  jobs: number;
  total_s: number;
  mean_s: number;
  max_s: number;
}

/** The jobs' times by task (`ngrams/count.task`), from the workers' "job Q/ID TASK done in S s" lines. */
export function jobTimes(logs: string[]): Record<string, JobTimes> {
  const by: Record<string, number[]> = {};
  for (const log of logs) for (const m of log.matchAll(/: job \S+ (\S+) done in ([\d.]+) s/g)) (by[m[1]!] ??= []).push(Number(m[2]));
  const out: Record<string, JobTimes> = {};
  for (const [task, ts] of Object.entries(by).sort()) {
    const total = ts.reduce((a, b) => a + b, 0);
    out[task] = { jobs: ts.length, total_s: Math.round(total * 100) / 100, mean_s: Math.round((total / ts.length) * 1000) / 1000, max_s: Math.max(...ts) };
  }
  return out;
}

async function remote(work: string, dataset: string, memory: string, order: number, threads: number, local: Record<string, string>): Promise<Record<string, unknown> | null> {
  const bin = redisServerBinary();
  if (!bin || flag('no-redis')) {
    console.error('redis-server not on PATH (or --no-redis): the distributed run is skipped');
    return null;
  }
  const cleanups: (() => void | Promise<void>)[] = [];
  const workers: ChildProcess[] = [];
  const logs = [0, 1].map((w) => path.join(work, `worker-${w}.log`));
  try {
    const redis: TestRedis = await startRedis(bin, { teardown: (fn) => void cleanups.push(fn) });
    const shared = path.join(work, 'shared');
    fs.rmSync(shared, { recursive: true, force: true });
    fs.mkdirSync(shared, { recursive: true });
    const per = Math.max(1, Math.floor(threads / 2));
    for (const file of logs) {
      const log = fs.openSync(file, 'w');
      workers.push(spawn(process.execPath, [cliPath, 'worker', '--redis', redis.url, '--threads', String(per)], { stdio: ['ignore', log, log], env: scaleEnv() }));
    }
    const out = path.join(shared, 'run');
    const r = lexflowRun(out, dataset, memory, order, threads, ['--executor', redis.url, '--shared-dir', shared]);
    if (!r.ok) throw new Error(`distributed run failed: ${r.stderr.slice(-2000)}`);
    const status = spawnSync(process.execPath, [cliPath, 'status', '--out', out], { encoding: 'utf8' });
    fs.writeFileSync(path.join(work, 'status.txt'), status.stdout + status.stderr);
    console.error(`lexflow status --out ${out}:\n${status.stdout.trimEnd()}`);
    const hashes = outputHashes(out);
    const differing = Object.keys({ ...local, ...hashes }).filter((k) => local[k] !== hashes[k]);
    return {
      wall_s: r.wall,
      coordinator_peak_rss_mb: r.rssMB,
      worker_peak_rss_mb: workers.map((w) => peakRssOf(w.pid)),
      load_start: r.load_start,
      load_end: r.load_end,
      stages: stageFigures(out),
      jobs: jobTimes(logs.map((f) => fs.readFileSync(f, 'utf8'))),
      outputs: Object.keys(hashes).length,
      identical: differing.length === 0,
      differing,
    };
  } finally {
    for (const w of workers) {
      if (w.exitCode !== null || w.signalCode !== null) continue;
      const gone = new Promise((r) => w.once('exit', r));
      w.kill('SIGTERM');
      await gone;
    }
    for (const c of cleanups.reverse()) await c();
  }
}

async function main(): Promise<void> {
  const memory = arg('memory', '2G');
  const order = Number(arg('order', '5'));
  const threads = Number(arg('threads', '2'));
  const work = arg('work', path.join(os.tmpdir(), 'lexflow-bench-scale'));
  fs.mkdirSync(work, { recursive: true });
  const src = corpus(work);
  const data = path.join(work, 'data');
  const lines = await split(src, data);
  const dataset = `scale=${data}`;
  console.error(`corpus ${src}: ${lines.train} train lines, ${lines.test} held out; work folder ${work}`);

  const localDir = path.join(work, 'local');
  fs.rmSync(localDir, { recursive: true, force: true });
  const local = lexflowRun(localDir, dataset, memory, order, threads);
  if (!local.ok) throw new Error(`lexflow run failed: ${local.stderr.slice(-2000)}`);
  const stages = stageFigures(localDir);
  for (const [s, f] of Object.entries(stages)) console.error(`lexflow ${s}: ${f.wall_s.toFixed(1)} s, peak RSS ${f.peak_rss_mb.toFixed(0)} MB`);
  const lex = lexflowPpl(localDir);
  console.error(`lexflow: one run ${local.wall.toFixed(1)} s, peak RSS ${local.rssMB.toFixed(0)} MB (load ${local.load_start.join(' ')} -> ${local.load_end.join(' ')}); test ppl ${lex.ppl.toFixed(3)} (excl. OOVs ${lex.ppl_excl_oov.toFixed(3)})`);

  // The distributed run right after the local one, so that both see about the same load on a shared machine.
  const localHashes = outputHashes(localDir);
  const dist = await remote(work, dataset, memory, order, threads, localHashes);
  if (dist) console.error(`distributed (2 workers on Redis): ${(dist.wall_s as number).toFixed(1)} s (load ${(dist.load_start as number[]).join(' ')} -> ${(dist.load_end as number[]).join(' ')}), outputs identical: ${dist.identical}`);

  let ken: KenFigures | null = null;
  if (findTool('lmplz', 'KENLM_BIN')) {
    await tokensAsText(path.join(localDir, 'tokenize'), 'train', path.join(work, 'kenlm-train.txt'));
    await tokensAsText(path.join(localDir, 'tokenize'), 'test', path.join(work, 'kenlm-test.txt'));
    ken = kenlm(work, memory, order);
  } else console.error('lmplz not found ($KENLM_BIN or PATH): KenLM figures skipped');
  if (ken) console.error(`lmplz -o ${order} -S ${memory}: ${ken.wall_s.toFixed(1)} s, peak RSS ${ken.peak_rss_mb.toFixed(0)} MB; query ppl ${ken.ppl} (excl. OOVs ${ken.ppl_excl_oov})`);

  // From the same text, as lmplz runs: tokenize + count + estimate (lm-ngram also writes Arrow tables and scores the held-out lines).
  const fromTokens = stages.ngrams!.wall_s + stages['lm-ngram']!.wall_s;
  const knWall = stages.tokenize!.wall_s + fromTokens;
  // One process ran the four stages: its peak is the figure a user sees, and the bar is on it.
  const maxRss = Math.max(local.rssMB, ...Object.values(stages).map((s) => s.peak_rss_mb));
  const result = {
    corpus: path.basename(src),
    corpus_sha256_prefix: crypto.createHash('sha256').update(fs.readFileSync(src).subarray(0, 1 << 20)).digest('hex').slice(0, 16),
    train_lines: lines.train,
    test_lines: lines.test,
    memory,
    order,
    threads,
    stages,
    max_stage_rss_mb: maxRss,
    rss_bar_mb: RSS_BAR_MB,
    rss_bar_ok: maxRss <= RSS_BAR_MB,
    lexflow_wall_s: local.wall,
    lexflow_run_peak_rss_mb: local.rssMB,
    lexflow_load_start: local.load_start,
    lexflow_load_end: local.load_end,
    lexflow_ppl: lex.ppl,
    lexflow_ppl_excl_oov: lex.ppl_excl_oov,
    kenlm: ken,
    kn_wall_ratio: ken ? knWall / ken.wall_s! : null,
    kn_wall_ratio_from_tokens: ken ? fromTokens / ken.wall_s! : null,
    kn_rss_ratio: ken ? Math.max(stages.tokenize!.peak_rss_mb, stages.ngrams!.peak_rss_mb, stages['lm-ngram']!.peak_rss_mb) / ken.peak_rss_mb! : null,
    distributed: dist,
    distributed_wall_ratio: dist ? (dist.wall_s as number) / local.wall : null,
    distributed_identical: dist ? dist.identical : null,
  };
  if (!flag('keep')) for (const d of ['local', 'shared', 'kenlm-train.txt', 'kenlm-test.txt']) fs.rmSync(path.join(work, d), { recursive: true, force: true });
  printJsonLine(result);
}

await main();
