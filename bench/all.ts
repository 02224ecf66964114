// Every pair of issue 16 in one run: lexflow against each peer found, as whole
// processes from the same text file to the model written, alternating, medians of
// --runs (bench/common.ts measurePair). Prints the whole table (Markdown, as in
// docs/BENCHMARKS.md) and ends with one JSON line carrying each ratio:
//   kn_wall_ratio, kn_rss_ratio, cooccur_wall_ratio_1t, cooccur_speedup_2t,
//   tokenize_speedup_2t, tokenize_mb_per_s_2t, w2v_vs_gensim_wall_ratio,
//   glove_rss_ratio, bpe_train_rss_ratio, bpe_encode_rss_ratio
// (null when the peer was not found), then every bench's own figures under "benches".
//
//   node dist/bench/all.js TEXT [--big TEXT] [--ptb DIR] [--runs 3] [--threads 2] [--only a,b] [--work DIR] [--quick]
//
// TEXT: the 3M-token corpus (one sentence per line, tokens split by spaces: the
// benchmark corpora of docs/BENCHMARKS.md); --big: the 10M-token corpus for the
// tokenize row (default TEXT); --ptb: a folder with ptb.train.txt and ptb.test.txt
// for a second KN row. --only: some of ngrams, cooccur, word2vec, glove, subword,
// tokenize. --quick: a smoke run on TEXT's first 20,000 lines, one run each, one
// epoch of word2vec and two of GloVe, BPE 2000: it checks that every pair runs, its
// figures mean nothing.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { arg, flag, formatTable, machineLine, printJsonLine, workDir, type PairRow } from './common.js';
import { ngramPairs } from './ngrams.js';
import { cooccurPairs } from './cooccur.js';
import { word2vecPairs } from './word2vec.js';
import { glovePairs } from './glove.js';
import { subwordPairs } from './subword.js';
import { tokenizePairs } from './tokenize.js';

const KEYS = [
  'kn_wall_ratio',
  'kn_rss_ratio',
  'cooccur_wall_ratio_1t',
  'cooccur_speedup_2t',
  'tokenize_speedup_2t',
  'tokenize_mb_per_s_2t',
  'w2v_vs_gensim_wall_ratio',
  'glove_rss_ratio',
  'bpe_train_rss_ratio',
  'bpe_encode_rss_ratio',
] as const;

const BENCHES = ['ngrams', 'cooccur', 'word2vec', 'glove', 'subword', 'tokenize'] as const;

/** The first `n` lines of `text`, written to `out`. */
function head(text: string, out: string, n: number): void {
  const lines = fs.readFileSync(text, 'utf8').split('\n').slice(0, n);
  fs.writeFileSync(out, lines.join('\n') + '\n');
}

interface RunContext {
  text: string;
  big: string;
  ptb: string;
  quick: boolean;
  runs: number;
  threads: number;
  sub: (name: string) => string;
}

async function runBench(b: string, c: RunContext): Promise<{ rows: PairRow[]; json: Record<string, unknown> }> {
  const { text, big, ptb, quick, runs, threads, sub } = c;
  if (b === 'ngrams') {
    const r = await ngramPairs(text, { work: sub('ngrams'), runs, order: 5, threads });
    if (ptb && !quick) {
      const p = await ngramPairs(ptb, { work: sub('ngrams-ptb'), runs, order: 5, threads });
      for (const row of p.rows) row.job += ' (PTB)';
      r.rows.push(...p.rows);
      r.json.ptb = p.json;
    }
    return r;
  }
  if (b === 'cooccur') return cooccurPairs(text, { work: sub('cooccur'), runs, minCount: 5, window: 10, memory: '2G' });
  if (b === 'word2vec') return word2vecPairs(text, { work: sub('word2vec'), runs, threads, epochs: quick ? 1 : 5 });
  if (b === 'glove') return glovePairs(text, { work: sub('glove'), runs, threads, epochs: quick ? 2 : 15, memory: '2G' });
  if (b === 'subword') return subwordPairs(text, { work: sub('subword'), runs, vocabSize: quick ? 2000 : 8000, threads });
  return tokenizePairs(big, { work: sub('tokenize'), runs, params: [] });
}

async function main(): Promise<void> {
  let text = process.argv[2];
  if (!text || text.startsWith('--') || !fs.existsSync(text)) {
    console.error('usage: node dist/bench/all.js TEXT [--big TEXT] [--ptb DIR] [--runs 3] [--threads 2] [--only a,b] [--work DIR] [--quick]');
    process.exit(2);
  }
  const quick = flag('quick');
  const wd = workDir('all');
  const work = wd.dir;
  let big = arg('big', text);
  if (quick) {
    head(text, path.join(work, 'quick.txt'), 20_000);
    text = path.join(work, 'quick.txt');
    big = text;
  }
  const runs = quick ? 1 : Number(arg('runs', '3'));
  const threads = Number(arg('threads', '2'));
  const only = arg('only', '') ? arg('only', '').split(',') : [...BENCHES];
  const unknown = only.filter((b) => !(BENCHES as readonly string[]).includes(b));
  if (unknown.length) {
    console.error(`bench/all: --only ${unknown.join(',')}: not a bench (choose from ${BENCHES.join(', ')})`);
    process.exit(2);
  }
  const ptb = arg('ptb', '');
  if (ptb && !(fs.existsSync(path.join(ptb, 'ptb.train.txt')) && fs.existsSync(path.join(ptb, 'ptb.test.txt')))) {
    console.error(`bench/all: --ptb ${ptb}: no ptb.train.txt and ptb.test.txt there; give the folder that holds them`);
    process.exit(2);
  }
  console.log(`bench/all on ${text}${quick ? ' (--quick: smoke run, figures not quotable)' : ''}, ${runs} run(s) per side, ${threads} threads; ${machineLine()}`);

  const rows: PairRow[] = [];
  const figures: Record<string, Record<string, unknown>> = {};
  const sub = (name: string): string => path.join(work, name);
  const t0 = performance.now();
  const failed: Record<string, string> = {};
  for (const b of only) {
    console.log(`\n== ${b}`);
    let r: { rows: PairRow[]; json: Record<string, unknown> };
    try {
      r = await runBench(b, { text, big, ptb, quick, runs, threads, sub });
    } catch (e) {
      // One failing tool leaves the other pairs standing: its keys stay null, and the error is shown.
      failed[b] = (e as Error).message.split('\n').slice(0, 3).join(' ');
      console.log(`${b} failed: ${failed[b]}`);
      continue;
    }
    rows.push(...r.rows);
    figures[b] = r.json;
    console.log(formatTable(r.rows));
  }
  console.log(`\nall pairs (${((performance.now() - t0) / 60000).toFixed(1)} min; ratio = lexflow ÷ peer, below 1 is better):\n`);
  console.log(formatTable(rows));
  const merged: Record<string, unknown> = Object.assign({}, ...Object.values(figures));
  const result: Record<string, unknown> = {};
  for (const k of KEYS) result[k] = typeof merged[k] === 'number' ? Math.round((merged[k] as number) * 1000) / 1000 : null;
  wd.done();
  printJsonLine({ ...result, quick, runs, threads, corpus: path.basename(text), load: os.loadavg()[0], failed, benches: figures, rows });
}

await main();
