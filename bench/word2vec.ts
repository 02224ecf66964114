// Benchmark: lexflow's word2vec stage against the word2vec C tool (and fastText,
// gensim when installed) on the same whitespace-tokenized text with the same
// hyperparameters (issue 5):
//   -cbow 0 -size 100 -window 5 -negative 5 -hs 0 -sample 1e-4 -threads 2 -iter 5 -min-count 5
// Prints words/s per thread for each tool (wall clock, and CPU time, which is
// steadier on a shared machine), the ratio lexflow / C, and WS-353, SimLex-999
// and analogy accuracy (restricted to 30000) for each model. Last line: JSON.
//
//   node dist/bench/word2vec.js TEXT [--threads 2] [--epochs 5] [--work DIR] [--no-peers]
// Peers: $WORD2VEC_BIN or `word2vec` on PATH; `fasttext` on PATH; python3 with gensim.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createPool } from '../pipeline/pool.js';
import word2vec from '../stages/word2vec/index.js';
import { evaluateVectors, maxQualityGap, type Quality } from './embedding-quality.js';
import { runStageDirect } from '../testkit/stage-harness.js';
import { writeWhitespaceTokens } from '../testkit/token-shards.js';
import { TASKS as W2V_TASKS } from '../stages/word2vec/tasks.js';
import { arg, dataDir as sharedData, findTool, timed } from './common.js';

interface ToolFigures {
  wallSeconds: number;
  cpuSeconds: number | null;
  wordsPerSecPerThread: number;
  cpuWordsPerSec: number | null;
  quality: Quality;
}


async function main(): Promise<void> {
  const text = process.argv[2];
  if (!text || !fs.existsSync(text)) {
    console.error('usage: node dist/bench/word2vec.js TEXT [--threads 2] [--epochs 5] [--work DIR] [--no-peers]');
    process.exit(2);
  }
  const threads = Number(arg('threads', '2'));
  const epochs = Number(arg('epochs', '5'));
  const dataDir = sharedData();
  if (!dataDir) {
    console.error('bench/word2vec: set LEXFLOW_DATA to the evaluation data folder (word similarity and analogy sets)');
    process.exit(2);
  }
  const work = arg('work', fs.mkdtempSync(path.join(os.tmpdir(), 'lexflow-bench-w2v-')));
  fs.mkdirSync(work, { recursive: true });
  const hp = { model: 'skipgram', dim: 100, window: 5, negative: 5, hs: false, sample: 1e-4, epochs, 'min-count': 5, alpha: 0.025 };

  // lexflow
  const tokDir = path.join(work, 'tokenize');
  if (!fs.existsSync(path.join(tokDir, 'vocab.arrow'))) await writeWhitespaceTokens(text, tokDir);
  const pool = createPool(threads);
  const outDir = path.join(work, 'lexflow');
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.rmSync(path.join(work, 'ck'), { recursive: true, force: true });
  // Load the worker modules before the clock starts (an empty task per thread).
  await Promise.all(Array.from({ length: threads }, () => pool.run(W2V_TASKS.train, { thread: 0, shared: { dim: 1, vocabSize: 1, table: new Int32Array(1) }, settings: { epochs: 0, seed: 1 }, ranges: [] })));
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await runStageDirect(word2vec, { inputs: { tokenize: tokDir }, outDir, checkpointDir: path.join(work, 'ck'), pool, params: hp, logLevel: 'normal' });
  const wall = (performance.now() - t0) / 1000;
  const cu = process.cpuUsage(c0);
  await pool.destroy();
  const words = (r.result.metrics!.wordsPerEpoch as number) * epochs;
  const lexCpu = (cu.user + cu.system) / 1e6;
  const figures: Record<string, ToolFigures> = {};
  figures.lexflow = {
    wallSeconds: wall,
    cpuSeconds: lexCpu,
    wordsPerSecPerThread: words / wall / threads,
    cpuWordsPerSec: words / lexCpu,
    quality: await evaluateVectors(path.join(outDir, 'vectors.bin'), dataDir),
  };
  console.log(`lexflow    ${(figures.lexflow.wordsPerSecPerThread / 1000).toFixed(1)}k words/s/thread (wall ${wall.toFixed(1)}s, cpu ${lexCpu.toFixed(1)}s)`, figures.lexflow.quality);

  const noPeers = process.argv.includes('--no-peers');
  // word2vec C
  const w2vBin = findTool('word2vec', 'WORD2VEC_BIN');
  if (!noPeers && w2vBin) {
    const out = path.join(work, 'c-vectors.bin');
    const c = timed(w2vBin, ['-train', path.resolve(text), '-output', out, '-cbow', '0', '-size', '100', '-window', '5', '-negative', '5', '-hs', '0', '-sample', '1e-4', '-threads', String(threads), '-iter', String(epochs), '-min-count', '5', '-alpha', '0.025', '-binary', '1'], { cwd: work });
    if (c.ok) {
      figures.word2vec_c = { wallSeconds: c.wall, cpuSeconds: c.cpu, wordsPerSecPerThread: words / c.wall / threads, cpuWordsPerSec: c.cpu ? words / c.cpu : null, quality: await evaluateVectors(out, dataDir) };
      console.log(`word2vec C ${(figures.word2vec_c.wordsPerSecPerThread / 1000).toFixed(1)}k words/s/thread (wall ${c.wall.toFixed(1)}s, cpu ${c.cpu?.toFixed(1)}s)`, figures.word2vec_c.quality);
    } else console.log(`word2vec C failed: ${c.stderr.slice(-300)}`);
  } else console.log('word2vec C: not found ($WORD2VEC_BIN or word2vec on PATH), skipped');

  // fastText, word-level (no subwords) to train the same model
  const ft = findTool('fasttext');
  if (!noPeers && ft) {
    const c = timed(ft, ['skipgram', '-input', path.resolve(text), '-output', path.join(work, 'ft'), '-dim', '100', '-ws', '5', '-neg', '5', '-t', '1e-4', '-epoch', String(epochs), '-minCount', '5', '-thread', String(threads), '-lr', '0.025', '-minn', '0', '-maxn', '0', '-verbose', '0'], { cwd: work });
    if (c.ok) {
      figures.fasttext = { wallSeconds: c.wall, cpuSeconds: c.cpu, wordsPerSecPerThread: words / c.wall / threads, cpuWordsPerSec: c.cpu ? words / c.cpu : null, quality: await evaluateVectors(path.join(work, 'ft.vec'), dataDir) };
      console.log(`fastText   ${(figures.fasttext.wordsPerSecPerThread / 1000).toFixed(1)}k words/s/thread (wall ${c.wall.toFixed(1)}s)`, figures.fasttext.quality);
    } else console.log(`fastText failed: ${c.stderr.slice(-300)}`);
  } else console.log('fastText: not on PATH, skipped');

  // gensim
  // The Debian package installs gensim for the system python, which may not be the first python3 on PATH.
  const python = ['python3', '/usr/bin/python3'].find((py) => spawnSync(py, ['-c', 'import gensim'], { encoding: 'utf8' }).status === 0);
  if (!noPeers && python) {
    const script = `import sys\nfrom gensim.models import Word2Vec\nm = Word2Vec(corpus_file=sys.argv[1], vector_size=100, window=5, negative=5, hs=0, sample=1e-4, epochs=${epochs}, min_count=5, workers=${threads}, sg=1, alpha=0.025, seed=1)\nm.wv.save_word2vec_format(sys.argv[2], binary=True)\n`;
    fs.writeFileSync(path.join(work, 'gensim_w2v.py'), script);
    const c = timed(python, ['gensim_w2v.py', path.resolve(text), path.join(work, 'gensim.bin')], { cwd: work });
    if (c.ok) {
      figures.gensim = { wallSeconds: c.wall, cpuSeconds: c.cpu, wordsPerSecPerThread: words / c.wall / threads, cpuWordsPerSec: c.cpu ? words / c.cpu : null, quality: await evaluateVectors(path.join(work, 'gensim.bin'), dataDir) };
      console.log(`gensim     ${(figures.gensim.wordsPerSecPerThread / 1000).toFixed(1)}k words/s/thread (wall ${c.wall.toFixed(1)}s)`, figures.gensim.quality);
    } else console.log(`gensim failed: ${c.stderr.slice(-300)}`);
  } else console.log('gensim: python3 gensim not importable, skipped');

  const c = figures.word2vec_c;
  const speedRatio = c ? figures.lexflow.wordsPerSecPerThread / c.wordsPerSecPerThread : null;
  const cpuRatio = c && c.cpuWordsPerSec ? figures.lexflow.cpuWordsPerSec! / c.cpuWordsPerSec : null;
  if (c) console.log(`ratio lexflow / C: wall ${speedRatio!.toFixed(3)}, cpu ${cpuRatio?.toFixed(3)}`);
  console.log(
    JSON.stringify({
      corpus: text,
      words_per_epoch: r.result.metrics!.wordsPerEpoch,
      epochs,
      threads,
      speed_ratio: speedRatio,
      cpu_speed_ratio: cpuRatio,
      max_quality_gap_points: c ? maxQualityGap(figures.lexflow.quality, c.quality) : null,
      ...figures,
    }),
  );
}

await main();
