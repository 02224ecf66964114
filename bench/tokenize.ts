// Throughput of the tokenize stage on a large corpus, with 1 and 2 threads.
//   node dist/bench/tokenize.js CORPUS [--threads 1,2] [--out DIR] [--param key=value ...]
// Prints tokens/s and MB/s (MB = 10^6 bytes of raw text) per thread count and
// the speedup; the last line is one JSON object:
//   {"mb_per_s_1": ..., "mb_per_s_2": ..., "speedup": ...}

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runPipeline } from '../pipeline/runner.js';
import { createPool } from '../pipeline/pool.js';
import { readManifest } from '../pipeline/manifest.js';

const argv = process.argv.slice(2);
const corpus = argv[0];
if (!corpus || !fs.existsSync(corpus)) {
  console.error('usage: node dist/bench/tokenize.js CORPUS [--threads 1,2] [--out DIR] [--param key=value ...]');
  process.exit(2);
}
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const threadCounts = (flag('threads') ?? '1,2').split(',').map(Number);
const outRoot = flag('out') ?? fs.mkdtempSync(path.join(os.tmpdir(), 'lexflow-bench-tokenize-'));
const params: Record<string, string> = {};
argv.forEach((a, i) => {
  if (a === '--param') {
    const [k, v] = argv[i + 1]!.split('=');
    params[k!] = v!;
  }
});

const bytes = fs.statSync(corpus).isDirectory()
  ? fs.readdirSync(corpus).reduce((s, f) => s + fs.statSync(path.join(corpus, f)).size, 0)
  : fs.statSync(corpus).size;
console.log(`corpus ${corpus}: ${(bytes / 1e6).toFixed(1)} MB; ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}`);

/** CPU seconds of the main thread (Linux: /proc/self/task/<pid>/stat), or NaN elsewhere. */
function mainThreadCpu(): number {
  try {
    const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (100 Hz)
  } catch {
    return NaN;
  }
}

const results: Record<number, { seconds: number; tokens: number }> = {};
for (const threads of threadCounts) {
  const pool = createPool(threads);
  const out = path.join(outRoot, `threads-${threads}`);
  try {
    const cpu0 = process.cpuUsage();
    const main0 = mainThreadCpu();
    const report = await runPipeline({ out, dataset: corpus, only: ['tokenize'], params: { tokenize: params }, pool, force: true, logLevel: 'quiet', progress: 'quiet' });
    const cpu = process.cpuUsage(cpu0);
    // Main-thread CPU (reading, merging types, the vocabulary, writing shards): the part that does not parallelize.
    const mainSeconds = mainThreadCpu() - main0;
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const stage = report.stages.find((s) => s.stage === 'tokenize')!;
    const m = readManifest(path.join(out, 'tokenize'))!;
    const tokens = (m.metrics as { tokens: number }).tokens;
    results[threads] = { seconds: stage.wallSeconds, tokens };
    console.log(
      `threads ${threads}: ${stage.wallSeconds.toFixed(2)} s, ${(tokens / stage.wallSeconds / 1e6).toFixed(2)} M tokens/s, ` +
        `${(bytes / 1e6 / stage.wallSeconds).toFixed(1)} MB/s, peak ${stage.peakRssMB} MB; ` +
        `CPU ${cpuSeconds.toFixed(2)} s over all threads (${(bytes / 1e6 / cpuSeconds).toFixed(1)} MB per CPU-second), ` +
        `of which main thread ${mainSeconds.toFixed(2)} s`,
    );
  } finally {
    await pool.destroy();
    if (!flag('out')) fs.rmSync(out, { recursive: true, force: true });
  }
}
if (!flag('out')) fs.rmSync(outRoot, { recursive: true, force: true });

const mbps = (n: number): number | null => (results[n] ? Math.round((bytes / 1e6 / results[n]!.seconds) * 100) / 100 : null);
const speedup = results[1] && results[2] ? Math.round((results[1].seconds / results[2].seconds) * 100) / 100 : null;
if (speedup !== null) console.log(`speedup 1 -> 2 threads: ${speedup}x (measured on a shared machine: compare as a ratio)`);
console.log(JSON.stringify({ mb_per_s_1: mbps(1), mb_per_s_2: mbps(2), speedup }));
