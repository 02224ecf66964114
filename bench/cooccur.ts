// Benchmark: the co-occurrence matrix, lexflow against GloVe's vocab_count + cooccur,
// both as whole processes from the same text file to the matrix written (lexflow:
// `lexflow run --to cooccur`, so its clock includes tokenizing and counting the
// vocabulary, as GloVe's includes vocab_count). Window 10, symmetric, 1/d weights,
// words seen fewer than --min-count times dropped before windowing (both tools).
// GloVe's cooccur has one thread: lexflow is timed with 1 thread (the fair pair) and
// with 2 (its speedup). Entries are then compared one by one.
//
//   node dist/bench/cooccur.js TEXT [--runs 3] [--min-count 5] [--window 10] [--memory 2G] [--work DIR] [--embeddings]
//
// GloVe is found via $GLOVE_BIN (its build/ folder) or on PATH; without it only
// lexflow is timed. GloVe's vocab_count refuses the token `<unk>`, so both tools read
// a copy of the text with `<unk>` spelled `<raw_unk>`, as its error message suggests.
// The last line printed is one JSON object: cooccur_wall_ratio_1t, cooccur_speedup_2t,
// the entries of each and differing_entries (missing on either side, or weights
// beyond float32 rounding: |a - b| > 2^-23 |b|).

import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

import { readBatches, columnValues } from '../pipeline/arrow.js';
import { readVocab } from '../lib/formats/tokens.js';
import { sortTriples } from '../stages/cooccur/dense-region.js';
import { embeddingsBench } from './embeddings-quality.js';
import { arg, combine, findTool, flag, formatTable, isMain, lexflowRun, machineLine, measurePair, printJsonLine, PRETOKENIZED, timedOk, workDir, type Side, type PairsResult } from './common.js';

/** GloVe's folder, when both of its counting tools are found ($GLOVE_BIN or PATH). */
function findGlove(): string | undefined {
  const vc = findTool('vocab_count', 'GLOVE_BIN');
  const co = findTool('cooccur', 'GLOVE_BIN');
  return vc && co && path.dirname(vc) === path.dirname(co) ? path.dirname(co) : undefined;
}

/** GloVe's records (int32 word1, int32 word2, float64 val; 1-based ranks in vocab.txt) in lexflow's id space, sorted. */
function readGloveRecords(file: string, gloveVocab: string[], ourIndex: Map<string, number>, V: number): { rows: Int32Array; cols: Int32Array; sums: Float64Array } {
  const buf = fs.readFileSync(file);
  const n = buf.length / 16;
  // Arrow's utf8 decoding (TextDecoder) drops a leading U+FEFF, so look such words up without it.
  const map = Int32Array.from(gloveVocab, (w) => ourIndex.get(w) ?? ourIndex.get(w.replace(/^\uFEFF/, '')) ?? -1);
  const unmapped = gloveVocab.filter((_, i) => map[i] === -1);
  if (unmapped.length) throw new Error(`GloVe words missing from lexflow's vocabulary: ${unmapped.slice(0, 5).map((w) => JSON.stringify(w)).join(' ')}`);
  const rows = new Int32Array(n);
  const cols = new Int32Array(n);
  const sums = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    rows[i] = map[buf.readInt32LE(16 * i) - 1]!;
    cols[i] = map[buf.readInt32LE(16 * i + 4) - 1]!;
    sums[i] = buf.readDoubleLE(16 * i + 8);
  }
  return sortTriples(rows, cols, sums, V);
}

/**
 * Entry-for-entry comparison of lexflow's cooccur.arrow with GloVe's cooccurrence.bin.
 * On a corpus small enough that every pair fits GloVe's dense table, GloVe counts its
 * first record (rank 1 with itself) twice: merge_files reads the empty overflow file
 * without checking fread, and queues the record left from the file before again.
 * That one entry then differs (docs/BENCHMARKS.md).
 */
async function compareEntries(runDir: string, gloveVocabFile: string, gloveRecords: string): Promise<Record<string, number>> {
  const vocab = await readVocab(path.join(runDir, 'tokenize'));
  const gloveVocab = fs.readFileSync(gloveVocabFile, 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ')[0]!);
  const g = readGloveRecords(gloveRecords, gloveVocab, vocab.index, vocab.tokens.length);
  let i = 0;
  let missing = 0;
  let extra = 0;
  let beyondRounding = 0;
  let exact = 0;
  let lexEntries = 0;
  for await (const b of readBatches(path.join(runDir, 'cooccur', 'cooccur.arrow'))) {
    const rows = columnValues<Int32Array>(b.getChild('row')!.data[0]!);
    const cols = columnValues<Int32Array>(b.getChild('col')!.data[0]!);
    const ws = columnValues<Float32Array>(b.getChild('weight')!.data[0]!);
    for (let k = 0; k < rows.length; k++) {
      lexEntries++;
      const r = rows[k]!;
      const c = cols[k]!;
      while (i < g.rows.length && (g.rows[i]! < r || (g.rows[i] === r && g.cols[i]! < c))) {
        missing++;
        i++;
      }
      if (i < g.rows.length && g.rows[i] === r && g.cols[i] === c) {
        const gw = g.sums[i]!;
        if (Math.fround(gw) === ws[k]) exact++;
        else if (Math.abs(ws[k]! - gw) > 2 ** -23 * Math.abs(gw)) beyondRounding++;
        i++;
      } else extra++;
    }
  }
  missing += g.rows.length - i;
  console.log(`entries: lexflow ${lexEntries}, GloVe ${g.rows.length}; only in GloVe ${missing}, only in lexflow ${extra}, weights beyond float32 rounding ${beyondRounding}, bit-equal float32 ${exact}`);
  return { lexflow_entries: lexEntries, glove_entries: g.rows.length, bit_equal_entries: exact, differing_entries: missing + extra + beyondRounding };
}

export interface CooccurOptions {
  work: string;
  runs: number;
  minCount: number;
  window: number;
  memory: string;
}

/** The text with `<unk>` spelled `<raw_unk>` (GloVe reserves `<unk>`), written once into the work folder. */
async function gloveSafeCopy(text: string, work: string): Promise<string> {
  const corpus = path.join(work, 'corpus.txt');
  const lines = readline.createInterface({ input: fs.createReadStream(text), crlfDelay: Infinity });
  const out = fs.createWriteStream(corpus);
  for await (const line of lines) if (!out.write(line.replace(/(^|[ \t])<unk>(?=[ \t]|$)/g, '$1<raw_unk>') + '\n')) await new Promise<void>((r) => out.once('drain', () => r()));
  await new Promise<void>((r) => out.end(r));
  return corpus;
}

/** Rows "co-occurrence, 1 thread" and "same, lexflow 2 threads" (both against single-threaded GloVe), and the JSON keys. */
export async function cooccurPairs(text: string, o: CooccurOptions): Promise<PairsResult> {
  fs.mkdirSync(o.work, { recursive: true });
  const corpus = await gloveSafeCopy(text, o.work);
  const memGB = Number(/^(\d+(?:\.\d+)?)G$/i.exec(o.memory)?.[1] ?? 2);
  const params = ['--cooccur.window', String(o.window), '--cooccur.symmetric', 'true', '--cooccur.weighting', 'harmonic', '--cooccur.min-count', String(o.minCount), '--cooccur.memory', o.memory];
  const lexSide = (threads: number): Side => ({
    name: 'lexflow',
    threads,
    run: () => lexflowRun(path.join(o.work, `lexflow-${threads}t`), ['--dataset', corpus, '--to', 'cooccur', '--threads', String(threads), ...PRETOKENIZED, ...params]),
  });
  const glove = findGlove();
  const vocabFile = path.join(o.work, 'vocab.txt');
  const recFile = path.join(o.work, 'cooccurrence.bin');
  const peer: Side | undefined = glove
    ? {
        name: 'GloVe vocab_count + cooccur',
        threads: 1,
        run: () =>
          combine(
            timedOk(path.join(glove, 'vocab_count'), ['-min-count', String(o.minCount), '-verbose', '0'], { stdin: corpus, stdout: vocabFile }),
            timedOk(path.join(glove, 'cooccur'), ['-window-size', String(o.window), '-symmetric', '1', '-memory', String(memGB), '-vocab-file', vocabFile, '-verbose', '0', '-overflow-file', path.join(o.work, 'overflow')], { stdin: corpus, stdout: recFile }),
          ),
      }
    : undefined;
  if (!glove) console.log('GloVe not found ($GLOVE_BIN or PATH): lexflow timed alone');
  const job = `co-occurrence, window ${o.window}, min-count ${o.minCount}`;
  const one = measurePair(`${job}, 1 thread`, lexSide(1), peer, o.runs);
  const two = measurePair(`${job}, lexflow 2 threads`, lexSide(2), peer, o.runs);
  const json: Record<string, unknown> = { cooccur_speedup_2t: one.a.wall / two.a.wall };
  if (peer) {
    const cmp = await compareEntries(path.join(o.work, 'lexflow-1t'), vocabFile, recFile);
    one.output = `${cmp.lexflow_entries!.toLocaleString('en')} vs ${cmp.glove_entries!.toLocaleString('en')} entries, ${cmp.differing_entries} differing`;
    Object.assign(json, cmp, { cooccur_wall_ratio_1t: one.ratio!.wall, cooccur_cpu_ratio_1t: one.ratio!.cpu, cooccur_rss_ratio_1t: one.ratio!.rssMB, cooccur_wall_ratio_2t: two.ratio!.wall });
  }
  two.output = `lexflow 1 → 2 threads: ${(one.a.wall / two.a.wall).toFixed(2)}x; same bytes: ${sameMatrix(path.join(o.work, 'lexflow-1t'), path.join(o.work, 'lexflow-2t'))}`;
  return { rows: [one, two], json };
}

/** True when two runs wrote the same cooccur.arrow (its sha256 in the manifests). */
function sameMatrix(a: string, b: string): boolean {
  const sha = (d: string): string | undefined =>
    (JSON.parse(fs.readFileSync(path.join(d, 'cooccur', '_manifest.json'), 'utf8')) as { outputs: { path: string; sha256: string }[] }).outputs.find((x) => x.path === 'cooccur.arrow')?.sha256;
  return sha(a) !== undefined && sha(a) === sha(b);
}

async function main(): Promise<void> {
  const text = process.argv[2];
  if (!text || !fs.existsSync(text)) {
    console.error('usage: node dist/bench/cooccur.js TEXT [--runs 3] [--min-count 5] [--window 10] [--memory 2G] [--work DIR] [--embeddings]');
    process.exit(2);
  }
  const wd = workDir('cooccur');
  const work = wd.dir;
  console.log(machineLine());
  const o: CooccurOptions = { work, runs: Number(arg('runs', '3')), minCount: Number(arg('min-count', '5')), window: Number(arg('window', '10')), memory: arg('memory', '2G') };
  const { rows, json } = await cooccurPairs(text, o);
  console.log(formatTable(rows));
  // PPMI + SVD on lexflow's matrix, scored on WS-353 and analogies (orientation only).
  if (flag('embeddings')) Object.assign(json, await embeddingsBench(work, path.join(work, 'lexflow-2t', 'cooccur'), 2, Number(arg('dim', '300'))));
  wd.done();
  printJsonLine({ corpus: path.basename(text), ...json, rows });
}

if (isMain(import.meta.url)) await main();
