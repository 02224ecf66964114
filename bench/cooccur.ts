// Benchmark: lexflow's cooccur stage against GloVe's vocab_count + cooccur on
// the same whitespace-tokenized text (window 10, symmetric, 1/d weights,
// every word kept), entry for entry.
//
//   node dist/bench/cooccur.js TEXT [--memory 2G] [--threads N] [--work DIR] [--dim 300] [--no-embeddings] [--reuse]
//
// GloVe is found via $GLOVE_BIN (its build/ folder) or on PATH; without it the
// comparison is skipped. GloVe's vocab_count refuses the token `<unk>`
// (WikiText-2 has it), so both tools read the text with `<unk>` spelled
// `<raw_unk>`, as GloVe's error message suggests. The last line printed is one
// JSON object with time_ratio (lexflow / GloVe cooccur, wall), rss_ratio and
// differing_entries (entries missing on either side, or whose weights differ by
// more than float32 rounding: |a - b| > 2^-23 |b|).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import readline from 'node:readline';

import { readBatches, columnValues } from '../pipeline/arrow.js';
import { readVocab } from '../lib/formats/tokens.js';
import { sortTriples } from '../stages/cooccur/pair-table.js';
import cooccur from '../stages/cooccur/index.js';
import { runStageDirect } from '../testkit/stage-harness.js';
import { embeddingsBench } from './embeddings-quality.js';
import { arg, findTool, printJsonLine, timedOk } from './common.js';
import { writeWhitespaceTokens } from '../testkit/token-shards.js';

const self = new URL(import.meta.url).pathname;

/** GloVe's folder, when both of its counting tools are found ($GLOVE_BIN or PATH). */
function findGlove(): string | undefined {
  const vc = findTool('vocab_count', 'GLOVE_BIN');
  const co = findTool('cooccur', 'GLOVE_BIN');
  return vc && co && path.dirname(vc) === path.dirname(co) ? path.dirname(co) : undefined;
}

async function lexflowChild(): Promise<void> {
  const [tokDir, outDir, memory, threads] = process.argv.slice(3);
  await runStageDirect(cooccur, { inputs: { tokenize: tokDir! }, outDir: outDir!, params: { 'min-count': 1, window: 10, symmetric: true, weighting: 'harmonic', memory }, threads: Number(threads) });
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

/** --reuse: compare the outputs left in --work by an earlier run instead of rerunning the tools. */
const reuse0 = (work: string): boolean => process.argv.includes('--reuse') && fs.existsSync(path.join(work, 'cooccur', 'cooccur.arrow'));

async function main(): Promise<void> {
  if (process.argv[2] === '--lexflow-child') return lexflowChild();
  const text = process.argv[2];
  if (!text || !fs.existsSync(text)) {
    console.error('usage: node dist/bench/cooccur.js TEXT [--memory 2G] [--threads N] [--work DIR] [--no-embeddings]');
    process.exit(2);
  }
  const memory = arg('--memory', '2G');
  const threads = arg('--threads', String(os.availableParallelism()));
  const work = arg('--work', fs.mkdtempSync(path.join(os.tmpdir(), 'lexflow-bench-cooccur-')));
  fs.mkdirSync(work, { recursive: true });
  const memGB = Number(/^(\d+(?:\.\d+)?)G$/i.exec(memory)?.[1] ?? 2);

  // The same text for both: `<unk>` renamed for GloVe's sake.
  const corpus = path.join(work, 'corpus.txt');
  if (!reuse0(work)) {
  const lines = readline.createInterface({ input: fs.createReadStream(text), crlfDelay: Infinity });
  const out = fs.createWriteStream(corpus);
  for await (const line of lines) if (!out.write(line.replace(/(^|[ \t])<unk>(?=[ \t]|$)/g, '$1<raw_unk>') + '\n')) await new Promise<void>((r) => out.once('drain', () => r()));
  await new Promise<void>((r) => out.end(r));
  }

  // lexflow: token shards as the tokenize stage writes them (one sentence per line, split on spaces/tabs), then the cooccur stage.
  const tokDir = path.join(work, 'tokenize');
  const tokT0 = performance.now();
  const { tokens } = reuse0(work) ? { tokens: NaN } : await writeWhitespaceTokens(corpus, tokDir);
  const tokSeconds = (performance.now() - tokT0) / 1000;
  const lexOut = path.join(work, 'cooccur');
  const reuse = process.argv.includes('--reuse') && fs.existsSync(path.join(lexOut, 'cooccur.arrow'));
  if (!reuse) fs.rmSync(lexOut, { recursive: true, force: true });
  const lex = reuse ? { wall: NaN, rssMB: NaN } : timedOk(process.execPath, [self, '--lexflow-child', tokDir, lexOut, memory, threads], {});
  console.log(`lexflow cooccur: ${lex.wall.toFixed(2)} s, ${lex.rssMB.toFixed(0)} MB peak (${threads} threads, --memory ${memory}; token shards written in ${tokSeconds.toFixed(1)} s)`);

  const result: Record<string, unknown> = { corpus: path.basename(text), tokens, threads: Number(threads), memory, lexflow_seconds: lex.wall, lexflow_rss_mb: lex.rssMB };
  const glove = findGlove();
  if (!glove) {
    console.log('GloVe not found ($GLOVE_BIN or PATH): comparison skipped');
  } else {
    const vocabFile = path.join(work, 'vocab.txt');
    const recFile = path.join(work, 'cooccurrence.bin');
    const gv = reuse ? { wall: NaN, rssMB: NaN } : timedOk(path.join(glove, 'vocab_count'), ['-min-count', '1', '-verbose', '0'], { stdin: corpus, stdout: vocabFile });
    const gc = reuse ? { wall: NaN, rssMB: NaN } : timedOk(path.join(glove, 'cooccur'), ['-window-size', '10', '-symmetric', '1', '-memory', String(memGB), '-vocab-file', vocabFile, '-verbose', '0', '-overflow-file', path.join(work, 'overflow')], { stdin: corpus, stdout: recFile });
    console.log(`GloVe vocab_count: ${gv.wall.toFixed(2)} s; cooccur: ${gc.wall.toFixed(2)} s, ${gc.rssMB.toFixed(0)} MB peak (-memory ${memGB})`);

    // Compare entry for entry.
    const vocab = await readVocab(tokDir);
    const gloveVocab = fs.readFileSync(vocabFile, 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ')[0]!);
    const V = vocab.tokens.length;
    const g = readGloveRecords(recFile, gloveVocab, vocab.index, V);
    let i = 0;
    let missing = 0;
    let extra = 0;
    let beyondRounding = 0;
    let exact = 0;
    let lexEntries = 0;
    for await (const b of readBatches(path.join(lexOut, 'cooccur.arrow'))) {
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
    const differing = missing + extra + beyondRounding;
    console.log(`entries: lexflow ${lexEntries}, GloVe ${g.rows.length}; only in GloVe ${missing}, only in lexflow ${extra}, weights beyond float32 rounding ${beyondRounding}, bit-equal float32 ${exact}`);
    Object.assign(result, {
      glove_cooccur_seconds: gc.wall,
      glove_vocab_count_seconds: gv.wall,
      glove_rss_mb: gc.rssMB,
      glove_entries: g.rows.length,
      lexflow_entries: lexEntries,
      bit_equal_entries: exact,
      differing_entries: differing,
      time_ratio: lex.wall / gc.wall,
      rss_ratio: lex.rssMB / gc.rssMB,
    });
  }

  if (!process.argv.includes('--no-embeddings')) Object.assign(result, await embeddingsBench(work, lexOut, Number(threads), Number(arg('--dim', '300'))));
  printJsonLine(result);
}

await main();
