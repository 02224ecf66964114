// Benchmark: lexflow counting + modified Kneser–Ney (order 5) against KenLM lmplz.
//
//   node dist/bench/ngrams.js <ptb-folder | text-file> [--order 5] [--memory 1G]
//
// A folder holds ptb.train.txt, ptb.valid.txt, ptb.test.txt; a single text file
// is split by holding out every 20th line as test. Both tools get the same
// tokens: lexflow writes them out in the whitespace form lmplz reads (the
// corpus's own `<unk>` is spelled `<UNK>` for KenLM, which refuses `<unk>` in
// text). lmplz is looked up in $KENLM_BIN, then on PATH; without it the
// KenLM columns are null. The last line is one JSON object.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closeTestPool } from '../testkit/ngram-fixture.js';
import ngramsStage from '../stages/ngrams/index.js';
import { readCounts } from '../stages/lm-ngram/counts.js';
import { estimateKneserNey } from '../stages/lm-ngram/kneser-ney.js';
import { firstAppearanceRanks } from '../stages/lm-ngram/first-appearance.js';
import { readArpa, writeArpa } from '../stages/lm-ngram/arpa.js';
import { perplexity } from '../stages/lm-ngram/perplexity.js';
import { listTokenShards, readTokenShard, UNK } from '../lib/formats/tokens.js';
import { arg, findTool } from './common.js';
import { writeTokenShards } from '../testkit/token-shards.js';
import { runStageDirect } from '../testkit/stage-harness.js';
import { testPool } from '../testkit/ngram-fixture.js';


/** The lexflow side, run in a child process so that its peak RSS is its own. */
async function lexflowChild(work: string, order: number, memory: string): Promise<void> {
  const t0 = performance.now();
  const times: Record<string, number> = {};
  let t = performance.now();
  await runStageDirect(ngramsStage, { inputs: { tokenize: path.join(work, 'tokenize') }, outDir: path.join(work, 'ngrams'), params: { order, memory }, pool: testPool() });
  times.count = (performance.now() - t) / 1000;
  t = performance.now();
  const counts = await readCounts(path.join(work, 'ngrams'), order);
  times.load = (performance.now() - t) / 1000;
  t = performance.now();
  const vocab = JSON.parse(fs.readFileSync(path.join(work, 'tokens.json'), 'utf8')) as string[];
  const rank = firstAppearanceRanks(listTokenShards(path.join(work, 'tokenize'), 'train'), vocab.length);
  const { model, stats } = estimateKneserNey(counts, vocab.length, rank);
  times.estimate = (performance.now() - t) / 1000;
  t = performance.now();
  await writeArpa(path.join(work, 'lexflow.arpa'), model, vocab);
  times.arpa = (performance.now() - t) / 1000;
  const wall = (performance.now() - t0) / 1000;
  t = performance.now();
  const ppl = perplexity(model, listTokenShards(path.join(work, 'tokenize'), 'test'));
  times.ppl = (performance.now() - t) / 1000;
  await closeTestPool();
  const maxRssKB = process.resourceUsage().maxRSS;
  console.log(JSON.stringify({ wall, times, maxRssKB, ppl, discounts: stats.discounts, fallbacks: stats.fallbacks }));
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    await lexflowChild(process.argv[3]!, Number(process.argv[4]), process.argv[5]!);
    return;
  }
  const src = process.argv[2];
  if (!src) {
    console.error('usage: node dist/bench/ngrams.js <ptb-folder | text-file> [--order 5] [--memory 1G]');
    process.exit(2);
  }
  const order = Number(arg('order', '5'));
  const memory = arg('memory', '1G');
  const read = (f: string): string[] => fs.readFileSync(f, 'utf8').split('\n').filter((l) => l.trim() !== '');
  let train: string[];
  let valid: string[];
  let test: string[];
  if (fs.statSync(src).isDirectory()) {
    train = read(path.join(src, 'ptb.train.txt'));
    valid = read(path.join(src, 'ptb.valid.txt'));
    test = read(path.join(src, 'ptb.test.txt'));
  } else {
    const all = read(src);
    train = all.filter((_, i) => i % 20 !== 19);
    test = all.filter((_, i) => i % 20 === 19);
    valid = [];
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lexflow-bench-ngrams-'));
  const { tokens } = await writeTokenShards(path.join(work, 'tokenize'), { train, valid, test }, { rowsPerShard: 20000 });
  fs.writeFileSync(path.join(work, 'tokens.json'), JSON.stringify(tokens));
  // The same tokens as whitespace text for KenLM.
  const spell = (id: number): string => (id === UNK ? '<UNK>' : tokens[id]!);
  for (const split of ['train', 'test'] as const) {
    const out: string[] = [];
    for (const f of listTokenShards(path.join(work, 'tokenize'), split)) {
      const s = readTokenShard(f);
      for (let r = 0; r < s.rows; r++) out.push(Array.from(s.ids.subarray(s.offsets[r]!, s.offsets[r + 1]!), spell).join(' '));
    }
    fs.writeFileSync(path.join(work, `${split}.txt`), out.join('\n') + '\n');
  }
  console.error(`corpus: ${train.length} train lines, ${test.length} test lines, vocabulary ${tokens.length}; work dir ${work}`);

  const self = new URL(import.meta.url).pathname;
  const child = spawnSync(process.execPath, [self, '--child', work, String(order), memory], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (child.status !== 0) throw new Error(`lexflow child failed: ${child.stderr}`);
  const lex = JSON.parse(child.stdout.trim().split('\n').pop()!);
  console.error(`lexflow: ${lex.wall.toFixed(2)} s (${Object.entries(lex.times).map(([k, v]) => `${k} ${(v as number).toFixed(2)}`).join(', ')}), peak RSS ${(lex.maxRssKB / 1024).toFixed(0)} MB, ppl ${lex.ppl.ppl.toFixed(3)} (excl. OOV ${lex.ppl.pplExclOov.toFixed(3)}, ${lex.ppl.oovs} OOVs)`);

  const lmplz = findTool('lmplz', 'KENLM_BIN');
  const query = findTool('query', 'KENLM_BIN');
  let kenlm: { wall: number; rssKB: number; ppl: number; pplExcl: number } | undefined;
  let maxAbs: number | null = null;
  let missing = 0;
  if (lmplz && query) {
    const t = performance.now();
    const r = spawnSync(lmplz, ['-o', String(order), '-S', memory, '-T', work, '--text', path.join(work, 'train.txt'), '--arpa', path.join(work, 'kenlm.arpa')], { encoding: 'utf8' });
    const wall = (performance.now() - t) / 1000;
    if (r.status !== 0) throw new Error(`lmplz failed: ${r.stderr}`);
    const rss = /RSSMax:(\d+) kB/.exec(r.stderr);
    const q = spawnSync(query, [path.join(work, 'kenlm.arpa')], { input: fs.readFileSync(path.join(work, 'test.txt')), encoding: 'utf8', maxBuffer: 1 << 28 });
    const inc = /Perplexity including OOVs:\s*([\d.e+]+)/.exec(q.stdout);
    const exc = /Perplexity excluding OOVs:\s*([\d.e+]+)/.exec(q.stdout);
    kenlm = { wall, rssKB: rss ? Number(rss[1]) : NaN, ppl: inc ? Number(inc[1]) : NaN, pplExcl: exc ? Number(exc[1]) : NaN };
    console.error(`kenlm: ${wall.toFixed(2)} s, peak RSS ${(kenlm.rssKB / 1024).toFixed(0)} MB, ppl ${kenlm.ppl} (excl. OOV ${kenlm.pplExcl})`);

    // max |delta log10 p| and |delta backoff| over every n-gram of both models.
    // Our <unk> is KenLM's <UNK> when the training text has it (PTB), else KenLM's own <unk>.
    const index = new Map(tokens.map((t, i) => [t, i] as [string, number]));
    if (/(^|\s)<UNK>(\s|$)/m.test(fs.readFileSync(path.join(work, 'train.txt'), 'utf8'))) {
      index.delete('<unk>');
      index.set('<UNK>', UNK);
    }
    const theirs = await readArpa(path.join(work, 'kenlm.arpa'), tokens, index);
    const ours = await readArpa(path.join(work, 'lexflow.arpa'), tokens, new Map(tokens.map((t, i) => [t, i] as [string, number])));
    maxAbs = 0;
    let maxBo = 0;
    for (let k = 0; k < ours.model.orders.length; k++) {
      const a = ours.model.orders[k]!;
      const b = theirs.model.orders[k]!;
      for (let r = 0; r < a.rows; r++) {
        const j = b.index.find(a.words, r * a.n);
        if (j < 0) {
          missing++;
          continue;
        }
        maxAbs = Math.max(maxAbs, Math.abs(a.logprob[r]! - b.logprob[j]!));
        maxBo = Math.max(maxBo, Math.abs(a.backoff[r]! - b.backoff[j]!));
      }
    }
    console.error(`max |d log10 p| ${maxAbs.toExponential(3)}, max |d backoff| ${maxBo.toExponential(3)}, n-grams missing from KenLM's model: ${missing}; rows ${ours.model.orders.map((o) => o.rows).join('/')} vs ${theirs.model.orders.map((o) => o.rows).join('/')}`);
  } else {
    console.error('lmplz/query not found ($KENLM_BIN or PATH): KenLM figures skipped');
  }
  console.log(
    JSON.stringify({
      corpus: src,
      order,
      memory,
      ppl: lex.ppl.ppl,
      ppl_excl_oov: lex.ppl.pplExclOov,
      kenlm_ppl: kenlm?.ppl ?? null,
      kenlm_ppl_excl_oov: kenlm?.pplExcl ?? null,
      time_ratio: kenlm ? lex.wall / kenlm.wall : null,
      rss_ratio: kenlm ? lex.maxRssKB / kenlm.rssKB : null,
      max_abs_dlogprob: maxAbs,
      lexflow_seconds: lex.wall,
      lexflow_times: lex.times,
      kenlm_seconds: kenlm?.wall ?? null,
      lexflow_rss_mb: lex.maxRssKB / 1024,
      kenlm_rss_mb: kenlm ? kenlm.rssKB / 1024 : null,
      ngrams_missing_in_kenlm: missing,
    }),
  );
  fs.rmSync(work, { recursive: true, force: true });
}

await main();
