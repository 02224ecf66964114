// Benchmark: skip-gram word vectors, lexflow against the word2vec C tool, gensim and
// fastText (each found), all as whole processes from the same whitespace-tokenized
// text to the vectors written (lexflow: `lexflow run --to word2vec`, so its clock
// includes tokenizing and counting the vocabulary, as the peers' include reading
// theirs). Same hyperparameters (issue 5):
//   -cbow 0 -size 100 -window 5 -negative 5 -hs 0 -sample 1e-4 -iter 5 -min-count 5 -alpha 0.025
// and the same threads. Quality: WS-353, SimLex-999 and analogy accuracy (restricted
// to 30000) of each, scored by lexflow's evaluation code ($LEXFLOW_DATA). Last line: JSON.
//
//   node dist/bench/word2vec.js TEXT [--runs 3] [--threads 2] [--epochs 5] [--work DIR]
// Peers: $WORD2VEC_BIN or `word2vec` on PATH (use a build whose threads reset their
// end-of-file flag each iteration: tmikolov/word2vec issue 47); `fasttext` on PATH;
// a python3 that imports gensim.

import fs from 'node:fs';
import path from 'node:path';
import { evaluateVectors, maxQualityGap, type Quality } from './embedding-quality.js';
import { arg, dataDir, findPython, findTool, isMain, lexflowRun, machineLine, measureGroup, PRETOKENIZED, timedOk, type PairRow, type Side, workDir, finishPairs, type PairsResult } from './common.js';

export interface Word2vecOptions {
  work: string;
  runs: number;
  threads: number;
  epochs: number;
}

const qualityText = (q: Quality): string => `WS ${q.ws353} / SL ${q.simlex999} / an ${q.analogy}`;

export async function word2vecPairs(text: string, o: Word2vecOptions): Promise<PairsResult> {
  fs.mkdirSync(o.work, { recursive: true });
  const input = path.resolve(text);
  const T = String(o.threads);
  const E = String(o.epochs);
  const lexOut = path.join(o.work, 'lexflow');
  const lex: Side = {
    name: 'lexflow',
    threads: o.threads,
    run: () =>
      lexflowRun(lexOut, [
        '--dataset', input, '--to', 'word2vec', '--threads', T, ...PRETOKENIZED,
        '--word2vec.model', 'skipgram', '--word2vec.dim', '100', '--word2vec.window', '5', '--word2vec.negative', '5', '--word2vec.hs', 'false',
        '--word2vec.sample', '1e-4', '--word2vec.epochs', E, '--word2vec.min-count', '5', '--word2vec.alpha', '0.025',
      ]),
  };
  const cwd = o.work;
  const peers: { side: Side; vectors: string }[] = [];
  const w2v = findTool('word2vec', 'WORD2VEC_BIN');
  if (w2v) {
    const out = path.join(cwd, 'c-vectors.bin');
    peers.push({
      vectors: out,
      side: { name: 'word2vec C', threads: o.threads, run: () => timedOk(w2v, ['-train', input, '-output', out, '-cbow', '0', '-size', '100', '-window', '5', '-negative', '5', '-hs', '0', '-sample', '1e-4', '-threads', T, '-iter', E, '-min-count', '5', '-alpha', '0.025', '-binary', '1'], { cwd }) },
    });
  } else console.log('word2vec C: not found ($WORD2VEC_BIN or word2vec on PATH), skipped');
  const python = findPython('gensim');
  if (python) {
    const script = path.join(cwd, 'gensim_w2v.py');
    fs.writeFileSync(
      script,
      `import sys\nfrom gensim.models import Word2Vec\nm = Word2Vec(corpus_file=sys.argv[1], vector_size=100, window=5, negative=5, hs=0, sample=1e-4, epochs=${o.epochs}, min_count=5, workers=${o.threads}, sg=1, alpha=0.025, seed=1)\nm.wv.save_word2vec_format(sys.argv[2], binary=True)\n`,
    );
    const out = path.join(cwd, 'gensim.bin');
    peers.push({ vectors: out, side: { name: 'gensim 4', threads: o.threads, run: () => timedOk(python, [script, input, out], { cwd }) } });
  } else console.log('gensim: no python3 imports gensim, skipped');
  const ft = findTool('fasttext');
  if (ft) {
    // word-level (no subwords), to train the same model
    peers.push({
      vectors: path.join(cwd, 'ft.vec'),
      side: { name: 'fastText', threads: o.threads, run: () => timedOk(ft, ['skipgram', '-input', input, '-output', path.join(cwd, 'ft'), '-dim', '100', '-ws', '5', '-neg', '5', '-t', '1e-4', '-epoch', E, '-minCount', '5', '-thread', T, '-lr', '0.025', '-minn', '0', '-maxn', '0', '-verbose', '0'], { cwd }) },
    });
  } else console.log('fastText: not on PATH, skipped');

  const job = `skip-gram d100 w5 neg5, ${o.epochs} epochs`;
  const rows: PairRow[] = [];
  const json: Record<string, unknown> = { epochs: o.epochs, threads: o.threads };
  const data = dataDir();
  const measured = measureGroup(job, lex, peers.map((p) => p.side), o.runs);
  const ours = data ? await evaluateVectors(path.join(lexOut, 'word2vec', 'vectors.bin'), data) : undefined;
  if (peers.length === 0) measured[0]!.output = ours ? `lexflow ${qualityText(ours)}` : 'quality not measured (set LEXFLOW_DATA)';
  for (const [k, p] of peers.entries()) {
    const row = measured[k]!;
    const key = p.side.name.startsWith('gensim') ? 'gensim' : p.side.name.startsWith('word2vec') ? 'c' : 'fasttext';
    Object.assign(json, { [`w2v_vs_${key}_wall_ratio`]: row.ratio!.wall, [`w2v_vs_${key}_cpu_ratio`]: row.ratio!.cpu, [`w2v_vs_${key}_rss_ratio`]: row.ratio!.rssMB });
    if (ours && data) {
      const theirs = await evaluateVectors(p.vectors, data);
      row.output = `lexflow ${qualityText(ours)}; ${p.side.name} ${qualityText(theirs)}`;
      json[`w2v_vs_${key}_quality_gap_points`] = maxQualityGap(ours, theirs);
    } else row.output = 'quality not measured (set LEXFLOW_DATA)';
  }
  rows.push(...measured);
  return { rows, json };
}

async function main(): Promise<void> {
  const text = process.argv[2];
  if (!text || !fs.existsSync(text)) {
    console.error('usage: node dist/bench/word2vec.js TEXT [--runs 3] [--threads 2] [--epochs 5] [--work DIR]');
    process.exit(2);
  }
  console.log(machineLine());
  const wd = workDir('w2v');
  const o: Word2vecOptions = {
    work: wd.dir,
    runs: Number(arg('runs', '3')),
    threads: Number(arg('threads', '2')),
    epochs: Number(arg('epochs', '5')),
  };
  finishPairs(text, await word2vecPairs(text, o), wd);
}

if (isMain(import.meta.url)) await main();
