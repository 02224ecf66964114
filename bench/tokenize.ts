// Throughput of the tokenize stage as a whole process (`lexflow run --to tokenize`,
// node's start and the manifest included), with 2 threads against 1, alternating.
// There is no peer: the row's "peer" is lexflow with one thread, so its wall ratio is
// 1 / speedup. MB = 10^6 bytes of raw text.
//
//   node dist/bench/tokenize.js CORPUS [--runs 3] [--work DIR] [--param key=value ...]
//
// The stage's own parameters apply (Unicode word splitting, punctuation sentences,
// NFC) unless --param changes them. The last line is one JSON object:
//   {"tokenize_speedup_2t": ..., "tokenize_mb_per_s_2t": ..., "tokenize_mb_per_s_1t": ...}

import fs from 'node:fs';
import path from 'node:path';
import { arg, isMain, lexflowRun, machineLine, measurePair, type Side, workDir, finishPairs, type PairsResult } from './common.js';

export interface TokenizeOptions {
  work: string;
  runs: number;
  /** Extra stage parameters (key=value). */
  params: string[];
}

export async function tokenizePairs(corpus: string, o: TokenizeOptions): Promise<PairsResult> {
  fs.mkdirSync(o.work, { recursive: true });
  const bytes = fs.statSync(corpus).isDirectory() ? fs.readdirSync(corpus).reduce((s, f) => s + fs.statSync(path.join(corpus, f)).size, 0) : fs.statSync(corpus).size;
  const extra = o.params.flatMap((kv) => {
    const [k, v] = kv.split('=');
    return [`--tokenize.${k}`, v!];
  });
  const side = (threads: number): Side => ({
    name: threads === 1 ? 'lexflow, 1 thread' : 'lexflow',
    threads,
    run: () => lexflowRun(path.join(o.work, `t${threads}`), ['--dataset', corpus, '--to', 'tokenize', '--threads', String(threads), ...extra]),
  });
  const row = measurePair(`tokenize ${(bytes / 1e6).toFixed(0)} MB, 1 → 2 threads`, side(2), side(1), o.runs);
  const speedup = row.b!.wall / row.a.wall;
  const json = { tokenize_speedup_2t: speedup, tokenize_mb_per_s_2t: bytes / 1e6 / row.a.wall, tokenize_mb_per_s_1t: bytes / 1e6 / row.b!.wall, tokenize_bytes: bytes };
  row.output = `speedup ${speedup.toFixed(2)}x; ${json.tokenize_mb_per_s_2t.toFixed(1)} MB/s with 2 threads (${json.tokenize_mb_per_s_1t.toFixed(1)} with 1)`;
  return { rows: [row], json };
}

async function main(): Promise<void> {
  const corpus = process.argv[2];
  if (!corpus || !fs.existsSync(corpus)) {
    console.error('usage: node dist/bench/tokenize.js CORPUS [--runs 3] [--work DIR] [--param key=value ...]');
    process.exit(2);
  }
  console.log(machineLine());
  const params: string[] = [];
  process.argv.forEach((a, i) => a === '--param' && params.push(process.argv[i + 1]!));
  const wd = workDir('tokenize');
  const o: TokenizeOptions = { work: wd.dir, runs: Number(arg('runs', '3')), params };
  finishPairs(corpus, await tokenizePairs(corpus, o), wd);
}

if (isMain(import.meta.url)) await main();
