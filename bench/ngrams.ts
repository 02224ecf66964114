// Benchmark: counting + modified Kneser–Ney, lexflow against KenLM lmplz, both as
// whole processes from the same training text to the ARPA model written (lexflow:
// `lexflow run --to lm-ngram`, so its clock includes tokenizing and counting, as
// lmplz's includes its own text parsing). Both models are then scored by KenLM's
// `query` on the same held-out text, so the perplexities follow one convention.
//
//   node dist/bench/ngrams.js <ptb-folder | text-file> [--runs 3] [--order 5] [--memory SIZE] [--threads 2] [--work DIR]
//
// A folder holds ptb.train.txt and ptb.test.txt; a single text file is split by
// holding out every 20th line as test. KenLM refuses `<unk>` in its text, so its
// copies spell the corpus's own `<unk>` as `<UNK>`. lmplz gets `-S 50%` unless
// --memory is given (then both tools get it); lmplz runs its own pipeline threads.
// lmplz and query are looked up in $KENLM_BIN, then on PATH; without them only
// lexflow is timed. The last line is one JSON object (kn_wall_ratio, kn_rss_ratio, ppl).

import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { arg, findTool, isMain, lexflowRun, machineLine, measurePair, PRETOKENIZED, timedOk, type Side, workDir, finishPairs, type PairsResult } from './common.js';

export interface NgramOptions {
  work: string;
  runs: number;
  order: number;
  /** Both tools' memory budget; undefined: lexflow's default and lmplz -S 50%. */
  memory?: string;
  threads: number;
}

/** Perplexity including and excluding OOVs from KenLM query's summary. */
function queryPpl(query: string, arpa: string, test: string): { ppl: number; pplExcl: number } {
  const q = spawnSync(query, [arpa], { input: fs.readFileSync(test), encoding: 'utf8', maxBuffer: 1 << 28 });
  if (q.status !== 0) throw new Error(`query ${arpa} failed: ${q.stderr}`);
  const inc = /Perplexity including OOVs:\s*([\d.e+]+)/.exec(q.stdout);
  const exc = /Perplexity excluding OOVs:\s*([\d.e+]+)/.exec(q.stdout);
  return { ppl: inc ? Number(inc[1]) : NaN, pplExcl: exc ? Number(exc[1]) : NaN };
}

export async function ngramPairs(src: string, o: NgramOptions): Promise<PairsResult> {
  fs.mkdirSync(o.work, { recursive: true });
  const train = path.join(o.work, 'train.txt');
  const test = path.join(o.work, 'test.txt');
  const nonEmpty = (f: string): string[] => fs.readFileSync(f, 'utf8').split('\n').filter((l) => l.trim() !== '');
  let trainLines: string[];
  let testLines: string[];
  if (fs.statSync(src).isDirectory()) {
    trainLines = nonEmpty(path.join(src, 'ptb.train.txt'));
    testLines = nonEmpty(path.join(src, 'ptb.test.txt'));
  } else {
    const all = nonEmpty(src);
    trainLines = all.filter((_, i) => i % 20 !== 19);
    testLines = all.filter((_, i) => i % 20 === 19);
  }
  const kenlmSpelling = (l: string): string => l.replace(/(^|\s)<unk>(?=\s|$)/g, '$1<UNK>');
  fs.writeFileSync(train, trainLines.join('\n') + '\n');
  fs.writeFileSync(test, testLines.join('\n') + '\n');
  fs.writeFileSync(path.join(o.work, 'train.kenlm.txt'), trainLines.map(kenlmSpelling).join('\n') + '\n');
  fs.writeFileSync(path.join(o.work, 'test.kenlm.txt'), testLines.map(kenlmSpelling).join('\n') + '\n');
  console.log(`corpus ${src}: ${trainLines.length} train lines, ${testLines.length} test lines; order ${o.order}`);

  const lexOut = path.join(o.work, 'lexflow');
  const lex: Side = {
    name: 'lexflow',
    threads: o.threads,
    run: () =>
      lexflowRun(lexOut, [
        '--dataset', train, '--to', 'lm-ngram', '--threads', String(o.threads), ...PRETOKENIZED,
        '--ngrams.order', String(o.order), ...(o.memory ? ['--ngrams.memory', o.memory] : []),
        '--lm-ngram.order', String(o.order), '--lm-ngram.model', 'kneser-ney', '--lm-ngram.arpa', 'kneser-ney',
      ]),
  };
  const lmplz = findTool('lmplz', 'KENLM_BIN');
  const query = findTool('query', 'KENLM_BIN');
  const kenArpa = path.join(o.work, 'kenlm.arpa');
  const peer: Side | undefined =
    lmplz && query
      ? {
          name: 'KenLM lmplz',
          threads: 'its pipeline',
          run: () => {
            fs.rmSync(kenArpa, { force: true });
            return timedOk(lmplz, ['-o', String(o.order), '-S', o.memory ?? '50%', '-T', o.work, '--text', path.join(o.work, 'train.kenlm.txt'), '--arpa', kenArpa]);
          },
        }
      : undefined;
  if (!peer) console.log('lmplz/query not found ($KENLM_BIN or PATH): lexflow timed alone, no perplexities');
  const row = measurePair(`count + modified KN, order ${o.order}`, lex, peer, o.runs);
  const json: Record<string, unknown> = { order: o.order, lexflow_seconds: row.a.wall };
  if (peer && query) {
    const ours = queryPpl(query, path.join(lexOut, 'lm-ngram', 'kneser-ney', 'model.arpa'), test);
    const theirs = queryPpl(query, kenArpa, path.join(o.work, 'test.kenlm.txt'));
    row.output = `ppl ${ours.ppl.toFixed(4)} vs ${theirs.ppl.toFixed(4)} (KenLM query)`;
    Object.assign(json, { kn_wall_ratio: row.ratio!.wall, kn_cpu_ratio: row.ratio!.cpu, kn_rss_ratio: row.ratio!.rssMB, ppl: ours.ppl, ppl_excl_oov: ours.pplExcl, kenlm_ppl: theirs.ppl, kenlm_ppl_excl_oov: theirs.pplExcl });
  }
  return { rows: [row], json };
}

async function main(): Promise<void> {
  const src = process.argv[2];
  if (!src || !fs.existsSync(src)) {
    console.error('usage: node dist/bench/ngrams.js <ptb-folder | text-file> [--runs 3] [--order 5] [--memory SIZE] [--threads 2] [--work DIR]');
    process.exit(2);
  }
  console.log(machineLine());
  const wd = workDir('ngrams');
  const memory = arg('memory', '');
  const o: NgramOptions = {
    work: wd.dir,
    runs: Number(arg('runs', '3')),
    order: Number(arg('order', '5')),
    ...(memory ? { memory } : {}),
    threads: Number(arg('threads', '2')),
  };
  finishPairs(src, await ngramPairs(src, o), wd);
}

if (isMain(import.meta.url)) await main();
