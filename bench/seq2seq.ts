// Benchmark of the seq2seq stage (issue 12):
//   node dist/bench/seq2seq.js [MULTI30K_DIR] [--minutes 60] [--threads 2] [--torch-steps 20]
// 1. Quality: `lexflow run` on Multi30K en→de (default $LEXFLOW_DATA/parallel/multi30k)
//    with --seq2seq.max-minutes MINUTES, as one timed process (wall, peak RSS);
//    BLEU of test2016 by beam search (cased, detokenized, 13a, as sacreBLEU) and
//    greedy, chrF, ppl, training tokens/s, from the stage's metrics.arrow.
// 2. Throughput peer: PyTorch (bench/seq2seq-torch.py, python3 on PATH with torch)
//    on the same architecture and shapes (vocabulary sizes from the run, the mean
//    batch shape of the run's bucketing), torch.set_num_threads(THREADS).
// The last line is one JSON object: bleu_rnn, bleu_transformer (null: not built yet),
// train_minutes, torch_ratio = lexflow tokens/s ÷ PyTorch tokens/s.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTableSync } from '../pipeline/arrow.js';
import { spawnSync } from 'node:child_process';
import { arg, dataDir, printJsonLine, timed } from './common.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const positional = process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : undefined;
const data = positional ?? (dataDir() ? path.join(dataDir()!, 'parallel', 'multi30k') : undefined);
if (!data || !fs.existsSync(path.join(data, 'train.en'))) {
  console.error('usage: node dist/bench/seq2seq.js [MULTI30K_DIR] [--minutes 60] (or set $LEXFLOW_DATA); the folder needs train.en/train.de, val.*, test2016.*');
  process.exit(2);
}
const minutes = Number(arg('minutes', '60'));
const threads = Number(arg('threads', '2'));
const torchSteps = Number(arg('torch-steps', '20'));
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'lexflow-bench-seq2seq-'));
const cli = path.join(root, 'dist', 'pipeline', 'cli', 'main.js');
const stageArgs = ['--seq2seq.max-minutes', String(minutes), '--seq2seq.epochs', '100', '--seq2seq.patience', '3'];
for (const k of ['hidden', 'embed', 'batch-tokens', 'lr', 'beam', 'attention', 'eval-sentences']) {
  const v = arg(k, '');
  if (v) stageArgs.push(`--seq2seq.${k}`, v);
}

console.log(`seq2seq bench: Multi30K en→de from ${data}, ${minutes} min of training, ${threads} threads`);
const run = timed(process.execPath, [cli, 'run', '--dataset', `multi30k=${data}`, '--out', out, '--threads', String(threads), ...stageArgs]);
if (!run.ok) {
  console.error(run.stderr.slice(-3000));
  process.exit(1);
}
const stage = path.join(out, 'seq2seq');
const rows = readTableSync(path.join(stage, 'metrics.arrow'))
  .toArray()
  .map((r) => ({ metric: String(r.metric), split: String(r.split), value: Number(r.value), note: String(r.note) }));
const get = (metric: string, split: string, note = ''): number => rows.find((r) => r.metric === metric && r.split === split && r.note.startsWith(note))?.value ?? NaN;
const manifest = JSON.parse(fs.readFileSync(path.join(stage, '_manifest.json'), 'utf8')) as { metrics?: Record<string, unknown> };
const beam = rows.find((r) => r.metric === 'bleu' && r.split === 'test' && r.note.startsWith('beam'));
const bleuBeam = beam?.value ?? NaN;
const tokS = get('train_tokens_per_s', 'train');
for (const r of rows.filter((x) => x.split === 'test')) console.log(`  test ${r.metric.padEnd(6)} ${r.value.toFixed(2).padStart(8)}  ${r.note}`);
console.log(`rnn: test2016 BLEU ${bleuBeam.toFixed(2)} (beam), ${get('bleu', 'test', 'greedy').toFixed(2)} (greedy); ${tokS.toFixed(0)} target tok/s; wall ${run.wall.toFixed(0)} s, peak RSS ${run.rssMB.toFixed(0)} MB; ${manifest.metrics?.stopReason}`);

// PyTorch at the same shapes.
const vocab = (f: string): number => readTableSync(path.join(stage, f)).numRows;
const tokens = readTableSync(path.join(stage, 'tokens', 'train.arrow'));
let srcSum = 0;
let tgtSum = 0;
for (const r of tokens.toArray()) (srcSum += (r.src as { length: number }).length), (tgtSum += (r.tgt as { length: number }).length);
const n = tokens.numRows;
const batchTokens = Number(arg('batch-tokens', '2000'));
const S = Math.round(srcSum / n);
const T = Math.round(tgtSum / n) + 1;
const B = Math.max(1, Math.min(128, Math.floor(batchTokens / Math.max(S, T))));
let torchTokS = NaN;
// The first python3 (or $PYTHON) that imports torch: Debian's python3-torch lives in the system python.
const python = [process.env.PYTHON, ...(process.env.PATH ?? '').split(':').map((d) => (d ? path.join(d, 'python3') : undefined))]
  .filter((p): p is string => Boolean(p) && fs.existsSync(p!))
  .find((p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
if (python) {
  const t = timed(python, [path.join(root, 'bench', 'seq2seq-torch.py'), String(threads), String(torchSteps), String(vocab('vocab-src.arrow')), String(vocab('vocab-tgt.arrow')), arg('embed', '128'), arg('hidden', '256'), String(B), String(S), String(T)]);
  if (t.ok) {
    torchTokS = (JSON.parse(t.stdout.trim().split('\n').at(-1)!) as { train_tokens_per_s: number }).train_tokens_per_s;
    console.log(`PyTorch (${threads} threads, B ${B}, S ${S}, T ${T}): ${torchTokS.toFixed(0)} target tok/s; lexflow/PyTorch = ${(tokS / torchTokS).toFixed(2)}`);
  } else console.log(`PyTorch peer skipped: ${t.stderr.trim().split('\n').at(-1)}`);
} else console.log('PyTorch peer skipped: no python3 on PATH (or $PYTHON) imports torch');
console.log('transformer: not built yet (bleu_transformer null)');
fs.rmSync(out, { recursive: true, force: true });
printJsonLine({ bleu_rnn: bleuBeam, bleu_transformer: null, train_minutes: minutes, torch_ratio: tokS / torchTokS, lexflow_tokens_per_s: tokS, torch_tokens_per_s: torchTokS, peak_rss_mb: run.rssMB, wall_s: run.wall });
