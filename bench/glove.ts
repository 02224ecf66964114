// Benchmark: lexflow's cooccur + glove stages against Stanford GloVe
// (vocab_count, cooccur, shuffle, glove) on the same whitespace-tokenized text
// with the same hyperparameters: min-count 5, symmetric window 10 with 1/d
// weights, dim 100, x-max 100, alpha 0.75, eta 0.05, -model 2, 2 threads.
// Prints seconds per epoch and the cost per epoch of each, the speed ratio
// (GloVe s/epoch / lexflow s/epoch: above 1 means lexflow is faster), and
// WS-353, SimLex-999 and analogy accuracy (restricted to 30000) side by side.
// Last line: JSON.
//
//   node dist/bench/glove.js TEXT [--threads 2] [--epochs 15] [--work DIR] [--no-peers] [--reuse-lexflow]
// Peer: $GLOVE_BIN (the folder holding GloVe's build/ binaries) or `glove` etc. on PATH.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createPool } from '../pipeline/pool.js';
import cooccur from '../stages/cooccur/index.js';
import glove from '../stages/glove/index.js';
import { evaluateVectors, maxQualityGap, type Quality } from './embedding-quality.js';
import { runStageDirect } from '../testkit/stage-harness.js';
import { writeWhitespaceTokens } from '../testkit/token-shards.js';
import { arg, dataDir as sharedData, findTool } from './common.js';

interface GloveFigures {
  entries: number | null;
  secondsPerEpoch: number;
  costPerEpoch: number[];
  finalCost: number;
  quality: Quality;
}

const gloveTool = (name: string): string | undefined => findTool(name, 'GLOVE_BIN');

function shell(cmd: string, cwd: string): { ok: boolean; stderr: string; seconds: number } {
  const t0 = performance.now();
  const r = spawnSync('sh', ['-c', cmd], { cwd, encoding: 'utf8', maxBuffer: 1 << 28 });
  return { ok: r.status === 0, stderr: r.stderr ?? '', seconds: (performance.now() - t0) / 1000 };
}

async function main(): Promise<void> {
  const text = process.argv[2];
  if (!text || !fs.existsSync(text)) {
    console.error('usage: node dist/bench/glove.js TEXT [--threads 2] [--epochs 15] [--work DIR] [--no-peers]');
    process.exit(2);
  }
  const threads = Number(arg('threads', '2'));
  const epochs = Number(arg('epochs', '15'));
  const dataDir = sharedData();
  if (!dataDir) {
    console.error('bench/glove: set LEXFLOW_DATA to the evaluation data folder (word similarity and analogy sets)');
    process.exit(2);
  }
  const work = arg('work', fs.mkdtempSync(path.join(os.tmpdir(), 'lexflow-bench-glove-')));
  fs.mkdirSync(work, { recursive: true });
  const figures: Record<string, GloveFigures> = {};

  // lexflow: cooccur then glove
  const tokDir = path.join(work, 'tokenize');
  if (!fs.existsSync(path.join(tokDir, 'vocab.arrow'))) await writeWhitespaceTokens(text, tokDir);
  const pool = createPool(threads);
  const coDir = path.join(work, 'cooccur');
  const t0 = performance.now();
  if (!fs.existsSync(path.join(coDir, 'cooccur.arrow'))) {
    fs.rmSync(coDir, { recursive: true, force: true });
    await runStageDirect(cooccur, { inputs: { tokenize: tokDir }, outDir: coDir, checkpointDir: path.join(work, 'cooccur-ck'), pool, params: { window: 10, symmetric: true, weighting: 'harmonic', 'min-count': 5 } });
    console.log(`lexflow cooccur: ${((performance.now() - t0) / 1000).toFixed(1)}s`);
  }
  const outDir = path.join(work, 'lexflow');
  const saved = path.join(work, 'lexflow-figures.json');
  if (process.argv.includes('--reuse-lexflow') && fs.existsSync(saved)) {
    // Figures of an earlier lexflow run in the same --work folder (to rerun only the peer).
    figures.lexflow = JSON.parse(fs.readFileSync(saved, 'utf8')) as GloveFigures;
    await pool.destroy();
  } else {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.rmSync(path.join(work, 'glove-ck'), { recursive: true, force: true });
  const r = await runStageDirect(glove, { inputs: { cooccur: coDir }, outDir, checkpointDir: path.join(work, 'glove-ck'), pool, params: { dim: 100, epochs, 'x-max': 100, alpha: 0.75, eta: 0.05, model: 2 }, logLevel: 'normal' });
  await pool.destroy();
  const secs = r.result.metrics!.secondsPerEpoch as number[];
  const costs = r.result.metrics!.costPerEpoch as number[];
  figures.lexflow = {
    entries: r.result.metrics!.entries as number,
    secondsPerEpoch: secs.reduce((s, x) => s + x, 0) / secs.length,
    costPerEpoch: costs,
    finalCost: costs.at(-1)!,
    quality: await evaluateVectors(path.join(outDir, 'vectors.bin'), dataDir),
  };
  fs.writeFileSync(saved, JSON.stringify(figures.lexflow));
  }
  console.log(`lexflow GloVe: ${figures.lexflow.secondsPerEpoch.toFixed(1)} s/epoch, final cost ${figures.lexflow.finalCost.toFixed(6)}`, figures.lexflow.quality);

  // Stanford GloVe
  const bins = ['vocab_count', 'cooccur', 'shuffle', 'glove'].map(gloveTool);
  if (!process.argv.includes('--no-peers') && bins.every((b) => b)) {
    const [vc, co, sh, gl] = bins as string[];
    // GloVe refuses a corpus that spells <unk> (it reserves that word): rename it, as its error message advises.
    const txt = path.join(work, 'glove-input.txt');
    if (!fs.existsSync(txt)) shell(`sed -e 's/<unk>/<raw_unk>/g' ${path.resolve(text)} > ${txt}`, work);
    const prep = fs.existsSync(path.join(work, 'cooccurrence.shuf.bin')) ? { ok: true, stderr: '', seconds: 0 } : shell(`${vc} -min-count 5 -verbose 0 < ${txt} > vocab.txt && ${co} -memory 4.0 -vocab-file vocab.txt -verbose 0 -window-size 10 < ${txt} > cooccurrence.bin && ${sh} -memory 4.0 -verbose 0 < cooccurrence.bin > cooccurrence.shuf.bin`, work);
    if (!prep.ok) console.log(`GloVe preprocessing failed: ${prep.stderr.slice(-300)}`);
    else {
      const g = shell(`${gl} -save-file c-vectors -threads ${threads} -input-file cooccurrence.shuf.bin -x-max 100 -alpha 0.75 -eta 0.05 -iter ${epochs} -vector-size 100 -binary 0 -write-header 1 -model 2 -vocab-file vocab.txt -verbose 2 -seed 1`, work);
      const cCosts = [...g.stderr.matchAll(/iter: (\d+), cost: ([0-9.eE+-]+)/g)].map((m) => Number(m[2]));
      if (g.ok && cCosts.length) {
        // glove -write-header counts vocab_size rows but then appends an <unk> row (the mean of rare words): drop it.
        const vecFile = path.join(work, 'c-vectors.txt');
        const lines = fs.readFileSync(vecFile, 'utf8').split('\n').filter((l) => l !== '');
        const declared = Number(lines[0]!.split(' ')[0]);
        if (lines.length - 1 > declared) fs.writeFileSync(vecFile, lines.slice(0, declared + 1).join('\n') + '\n');
        const entries = fs.statSync(path.join(work, 'cooccurrence.shuf.bin')).size / 16;
        figures.glove_c = { entries, secondsPerEpoch: g.seconds / epochs, costPerEpoch: cCosts, finalCost: cCosts.at(-1)!, quality: await evaluateVectors(path.join(work, 'c-vectors.txt'), dataDir) };
        console.log(`GloVe C:       ${figures.glove_c.secondsPerEpoch.toFixed(1)} s/epoch, final cost ${figures.glove_c.finalCost.toFixed(6)}`, figures.glove_c.quality);
      } else console.log(`GloVe failed: ${g.stderr.slice(-300)}`);
    }
  } else console.log('GloVe C: not found ($GLOVE_BIN or vocab_count/cooccur/shuffle/glove on PATH), skipped');

  const c = figures.glove_c;
  const speedRatio = c ? c.secondsPerEpoch / figures.lexflow.secondsPerEpoch : null;
  if (c) console.log(`speed ratio (GloVe s/epoch / lexflow s/epoch): ${speedRatio!.toFixed(3)}; final cost lexflow ${figures.lexflow.finalCost.toFixed(6)} vs GloVe ${c.finalCost.toFixed(6)}`);
  console.log(
    JSON.stringify({
      corpus: text,
      epochs,
      threads,
      speed_ratio: speedRatio,
      final_cost_ratio: c ? figures.lexflow.finalCost / c.finalCost : null,
      max_quality_gap_points: c ? maxQualityGap(figures.lexflow.quality, c.quality) : null,
      ...figures,
    }),
  );
}

await main();
