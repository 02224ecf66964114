// Benchmark: GloVe vectors, lexflow against Stanford GloVe, both as whole pipelines
// from the same whitespace-tokenized text to the vectors written: lexflow `run --to
// glove` (tokenize, cooccur, glove in one process) against vocab_count, cooccur,
// shuffle and glove (four processes: walls and CPU add up, peak RSS is the largest).
// Same hyperparameters: min-count 5, symmetric window 10 with 1/d weights, dim 100,
// x-max 100, alpha 0.75, eta 0.05, -model 2, the same threads. Quality: WS-353,
// SimLex-999 and analogy accuracy (restricted to 30000) of each, scored by lexflow's
// evaluation code, when $LEXFLOW_DATA has the evaluation sets. Last line: JSON.
//
//   node dist/bench/glove.js TEXT [--runs 3] [--threads 2] [--epochs 15] [--memory 2G] [--work DIR]
// Peer: $GLOVE_BIN (the folder holding GloVe's build/ binaries) or its tools on PATH.

import fs from 'node:fs';
import path from 'node:path';
import { evaluateVectors, maxQualityGap, type Quality } from './embedding-quality.js';
import { arg, combine, dataDir, findTool, isMain, lexflowRun, machineLine, measurePair, PRETOKENIZED, timedOk, type Side, workDir, finishPairs, type PairsResult } from './common.js';

export interface GloveOptions {
  work: string;
  runs: number;
  threads: number;
  epochs: number;
  memory: string;
}

/** glove -write-header counts vocab_size rows but then appends an <unk> row (the mean of rare words): drop it. */
function dropUnkRow(vecFile: string): void {
  const lines = fs.readFileSync(vecFile, 'utf8').split('\n').filter((l) => l !== '');
  const declared = Number(lines[0]!.split(' ')[0]);
  if (lines.length - 1 > declared) fs.writeFileSync(vecFile, lines.slice(0, declared + 1).join('\n') + '\n');
}

const qualityText = (q: Quality): string => `WS ${q.ws353} / SL ${q.simlex999} / an ${q.analogy}`;

export async function glovePairs(text: string, o: GloveOptions): Promise<PairsResult> {
  fs.mkdirSync(o.work, { recursive: true });
  // GloVe reserves <unk>: both read a copy with it spelled <raw_unk> (its error message's advice).
  const txt = path.join(o.work, 'corpus.txt');
  fs.writeFileSync(txt, fs.readFileSync(text, 'utf8').replace(/(^|[ \t\n])<unk>(?=[ \t\n]|$)/g, '$1<raw_unk>'));
  const memGB = Number(/^(\d+(?:\.\d+)?)G$/i.exec(o.memory)?.[1] ?? 2);
  const lexOut = path.join(o.work, 'lexflow');
  const lex: Side = {
    name: 'lexflow',
    threads: o.threads,
    run: () =>
      lexflowRun(lexOut, [
        '--dataset', txt, '--to', 'glove', '--threads', String(o.threads), ...PRETOKENIZED,
        '--cooccur.min-count', '5', '--cooccur.window', '10', '--cooccur.symmetric', 'true', '--cooccur.weighting', 'harmonic', '--cooccur.memory', o.memory,
        '--glove.dim', '100', '--glove.epochs', String(o.epochs), '--glove.x-max', '100', '--glove.alpha', '0.75', '--glove.eta', '0.05', '--glove.model', '2',
      ]),
  };
  const bins = ['vocab_count', 'cooccur', 'shuffle', 'glove'].map((n) => findTool(n, 'GLOVE_BIN'));
  const cwd = o.work;
  const peer: Side | undefined = bins.every(Boolean)
    ? {
        name: 'GloVe C (4 tools)',
        threads: o.threads,
        run: () => {
          const [vc, co, sh, gl] = bins as string[];
          return combine(
            timedOk(vc, ['-min-count', '5', '-verbose', '0'], { cwd, stdin: txt, stdout: path.join(cwd, 'vocab.txt') }),
            timedOk(co, ['-memory', String(memGB), '-vocab-file', 'vocab.txt', '-verbose', '0', '-window-size', '10', '-overflow-file', 'overflow'], { cwd, stdin: txt, stdout: path.join(cwd, 'cooccurrence.bin') }),
            timedOk(sh, ['-memory', String(memGB), '-verbose', '0', '-temp-file', 'temp_shuffle'], { cwd, stdin: path.join(cwd, 'cooccurrence.bin'), stdout: path.join(cwd, 'cooccurrence.shuf.bin') }),
            timedOk(gl, ['-save-file', 'c-vectors', '-threads', String(o.threads), '-input-file', 'cooccurrence.shuf.bin', '-x-max', '100', '-alpha', '0.75', '-eta', '0.05', '-iter', String(o.epochs), '-vector-size', '100', '-binary', '0', '-write-header', '1', '-model', '2', '-vocab-file', 'vocab.txt', '-verbose', '0', '-seed', '1'], { cwd }),
          );
        },
      }
    : undefined;
  if (!peer) console.log('GloVe C: not found ($GLOVE_BIN or vocab_count/cooccur/shuffle/glove on PATH): lexflow timed alone');
  const row = measurePair(`GloVe d100, ${o.epochs} epochs, whole pipeline`, lex, peer, o.runs);
  const json: Record<string, unknown> = { epochs: o.epochs, threads: o.threads };
  if (peer) Object.assign(json, { glove_wall_ratio: row.ratio!.wall, glove_cpu_ratio: row.ratio!.cpu, glove_rss_ratio: row.ratio!.rssMB });
  const data = dataDir();
  if (data) {
    const ours = await evaluateVectors(path.join(lexOut, 'glove', 'vectors.bin'), data);
    json.lexflow_quality = ours;
    row.output = `lexflow ${qualityText(ours)}`;
    if (peer) {
      dropUnkRow(path.join(cwd, 'c-vectors.txt'));
      const theirs = await evaluateVectors(path.join(cwd, 'c-vectors.txt'), data);
      Object.assign(json, { glove_c_quality: theirs, max_quality_gap_points: maxQualityGap(ours, theirs) });
      row.output += `; GloVe C ${qualityText(theirs)}`;
    }
  } else row.output = 'quality not measured (set LEXFLOW_DATA)';
  return { rows: [row], json };
}

async function main(): Promise<void> {
  const text = process.argv[2];
  if (!text || !fs.existsSync(text)) {
    console.error('usage: node dist/bench/glove.js TEXT [--runs 3] [--threads 2] [--epochs 15] [--memory 2G] [--work DIR]');
    process.exit(2);
  }
  console.log(machineLine());
  const wd = workDir('glove');
  const o: GloveOptions = {
    work: wd.dir,
    runs: Number(arg('runs', '3')),
    threads: Number(arg('threads', '2')),
    epochs: Number(arg('epochs', '15')),
    memory: arg('memory', '2G'),
  };
  finishPairs(text, await glovePairs(text, o), wd);
}

if (isMain(import.meta.url)) await main();
