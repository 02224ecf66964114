// Benchmark of the seq2seq stage (issue 12), both architectures:
//   node dist/bench/seq2seq.js [MULTI30K_DIR] [--minutes 60] [--threads 2] [--archs rnn,transformer]
//        [--torch-steps 20] [--rnn.PARAM V ...] [--transformer.PARAM V ...]
// For each architecture:
// 1. Quality: `lexflow run` on Multi30K en→de (default $LEXFLOW_DATA/parallel/multi30k)
//    with --seq2seq.max-minutes MINUTES of training, as one timed process (wall, peak
//    RSS); BLEU of test2016 by beam search (cased, detokenized, 13a, as sacreBLEU) and
//    greedy, chrF, ppl, training tokens/s, from the stage's metrics.arrow, and the
//    validation perplexity after each epoch (the training curve, the stage's history.arrow).
// 2. Throughput peer: PyTorch (bench/seq2seq-torch.py, the first python3 on PATH or
//    $PYTHON that imports torch) on the same architecture and shapes (vocabulary sizes
//    of the run, the mean batch shape of its bucketing) on THREADS cores, run both with
//    torch.set_num_threads(THREADS) and with 1 (OpenBLAS on THREADS either way), the faster kept.
// `--rnn.X V` / `--transformer.X V` set `--seq2seq.X V` for that architecture's run,
// over the settings below. The last line is one JSON object: bleu_rnn,
// bleu_transformer, train_minutes (per architecture), torch_ratio (lexflow tokens/s ÷
// PyTorch tokens/s of the best-BLEU architecture, both over training steps alone;
// torch_ratio_*_wall with lexflow's validation passes and checkpoint writes), and the details.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { readTableSync } from '../pipeline/arrow.js';
import { arg, dataDir, lexflowEnv, printJsonLine, timed } from './common.js';
import { OPENBLAS_THREAD_TIMEOUT } from '../lib/nn/backend/native-gemm.js';

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
const archs = arg('archs', 'rnn,transformer').split(',') as ('rnn' | 'transformer')[];

/**
 * Settings per architecture for Multi30K on 2 cores; overridden by --ARCH.PARAM. The
 * output layer is the class softmax (the full one over ~8k German types would cost half
 * again the whole model per token; label smoothing and shared embeddings need it, so
 * they are off here). The Transformer is d 128 and trains on one thread: within 60
 * minutes a d-256 model got through only ~3 epochs, while d 128 made 8 and reached 29.45
 * BLEU on test2016 (docs/BENCHMARKS.md). For the PyTorch ratio, give both sides the same
 * output layer: `--ARCH.softmax full` (PyTorch's model has the full softmax).
 */
const defaults: Record<string, Record<string, string>> = {
  rnn: { embed: '256', hidden: '256', attention: 'general', softmax: 'class', lr: '0.002', warmup: '200', 'batch-tokens': '2000', dropout: '0.2' },
  transformer: {
    'd-model': '128', heads: '4', layers: '3', ffn: '512', positions: 'sinusoidal', softmax: 'class', dropout: '0.1',
    lr: '0.001', warmup: '400', decay: 'rsqrt', clip: '1', 'batch-tokens': '2000', 'max-rows': '256',
  },
};
const common = { 'max-minutes': String(minutes), epochs: '100', patience: '3', beam: '4' };

function settingsFor(arch: string): Record<string, string> {
  const s: Record<string, string> = { arch, ...common, ...defaults[arch] };
  for (let i = 2; i < process.argv.length - 1; i++) {
    const m = /^--(rnn|transformer)\.(.+)$/.exec(process.argv[i]!);
    if (m && m[1] === arch) s[m[2]!] = process.argv[i + 1]!;
  }
  return s;
}

// The first python3 (or $PYTHON) that imports torch: Debian's python3-torch lives in the system python.
const python = [process.env.PYTHON, ...(process.env.PATH ?? '').split(':').map((d) => (d ? path.join(d, 'python3') : undefined))]
  .filter((p): p is string => Boolean(p) && fs.existsSync(p!))
  .find((p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);

interface ArchResult {
  bleu: number;
  bleuGreedy: number;
  /** Real target tokens over the training wall time (validation passes and checkpoint writes included). */
  tokensPerS: number;
  /** The same over the training steps alone: the work PyTorch's figure times (forward, backward, clipping, Adam). */
  stepTokensPerS: number;
  torchTokensPerS: number;
  wallS: number;
  rssMB: number;
  stopReason: string;
  curve: { epoch: number; validPpl: number; wallS: number }[];
}

const cli = path.join(root, 'dist', 'pipeline', 'cli', 'main.js');
console.log(`seq2seq bench: Multi30K en→de from ${data}, ${minutes} min of training per architecture, ${threads} threads; PyTorch: ${python ?? 'none'}`);
const results: Partial<Record<string, ArchResult>> = {};
for (const arch of archs) {
  const s = settingsFor(arch);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `lexflow-bench-seq2seq-${arch}-`));
  console.log(`\n${arch}: ${Object.entries(s).map(([k, v]) => `--seq2seq.${k} ${v}`).join(' ')}`);
  const run = timed(process.execPath, [cli, 'run', '--dataset', `multi30k=${data}`, '--out', out, '--threads', String(threads), ...Object.entries(s).flatMap(([k, v]) => [`--seq2seq.${k}`, v])], { env: lexflowEnv() });
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
  // The training curve: history.arrow's validation rows (epoch is 0-based; a last row mid-epoch when the budget ran out).
  const curve = readTableSync(path.join(stage, 'history.arrow'))
    .toArray()
    .filter((h) => Number.isFinite(Number(h.valid_ppl)))
    .map((h) => ({ epoch: Number(h.epoch) + 1, validPpl: Number(h.valid_ppl), wallS: Number(h.wall_s) }));
  const r: ArchResult = { bleu: get('bleu', 'test', 'beam'), bleuGreedy: get('bleu', 'test', 'greedy'), tokensPerS: get('train_tokens_per_s', 'train'), stepTokensPerS: get('train_step_tokens_per_s', 'train'), torchTokensPerS: NaN, wallS: run.wall, rssMB: run.rssMB, stopReason: String(manifest.metrics?.stopReason), curve };
  for (const x of rows.filter((x) => x.split === 'test')) console.log(`  test ${x.metric.padEnd(6)} ${x.value.toFixed(2).padStart(8)}  ${x.note}`);
  console.log(`  valid ppl by epoch (at minute): ${curve.map((c) => `${c.epoch}: ${c.validPpl.toFixed(2)} (${(c.wallS / 60).toFixed(1)})`).join(', ') || '(no validation)'}`);
  console.log(`${arch}: test2016 BLEU ${r.bleu.toFixed(2)} (beam 4), ${r.bleuGreedy.toFixed(2)} (greedy); ${r.tokensPerS.toFixed(0)} target tok/s over the training time, ${r.stepTokensPerS.toFixed(0)} over its steps alone; wall ${r.wallS.toFixed(0)} s, peak RSS ${r.rssMB.toFixed(0)} MB; ${r.stopReason}`);

  // PyTorch at the same shapes.
  const vocab = (f: string): number => readTableSync(path.join(stage, f)).numRows;
  const tokens = readTableSync(path.join(stage, 'tokens', 'train.arrow'));
  let srcSum = 0;
  let tgtSum = 0;
  for (const x of tokens.toArray()) (srcSum += (x.src as { length: number }).length), (tgtSum += (x.tgt as { length: number }).length);
  const n = tokens.numRows;
  const S = Math.round(srcSum / n);
  const T = Math.round(tgtSum / n) + 1;
  const B = Math.max(1, Math.min(Number(s['max-rows'] ?? 128), Math.floor(Number(s['batch-tokens']) / Math.max(S, T))));
  if (python) {
    const shape =
      arch === 'rnn'
        ? [s.embed!, s.hidden!]
        : [s['d-model']!, s.heads!, s.layers!, s.ffn!];
    const tail = arch === 'rnn' ? [] : [s['share-embeddings'] === 'true' ? '1' : '0', s['label-smoothing'] ?? '0'];
    // Both ways a user could run PyTorch on these cores (bench/seq2seq-torch.py says why), and
    // the second also with the OpenBLAS thread timeout lexflow sets for itself (native-gemm.ts)
    // where the user's environment has none; the fastest kept.
    const configs: { own: number; timeout?: string }[] = threads > 1 ? [{ own: threads }, { own: 1 }] : [{ own: 1 }];
    if (threads > 1 && process.env.OPENBLAS_THREAD_TIMEOUT === undefined) configs.push({ own: 1, timeout: OPENBLAS_THREAD_TIMEOUT });
    const runs = configs.map(({ own, timeout }) => {
      const t = timed(python, [path.join(root, 'bench', 'seq2seq-torch.py'), arch, String(own), String(torchSteps), String(vocab('vocab-src.arrow')), String(vocab('vocab-tgt.arrow')), ...shape, String(B), String(S), String(T), ...tail], {
        env: { ...process.env, BLAS_THREADS: String(threads), ...(timeout ? { OPENBLAS_THREAD_TIMEOUT: timeout } : {}) },
      });
      const tokS = t.ok ? (JSON.parse(t.stdout.trim().split('\n').at(-1)!) as { train_tokens_per_s: number }).train_tokens_per_s : NaN;
      if (t.ok) console.log(`  PyTorch (torch ${own} thread${own > 1 ? 's' : ''}, OpenBLAS ${threads}${timeout ? `, OPENBLAS_THREAD_TIMEOUT ${timeout}` : ''}; B ${B}, S ${S}, T ${T}): ${tokS.toFixed(0)} target tok/s`);
      return { t, tokS };
    });
    const t = runs.find((x) => x.t.ok)?.t ?? runs[0]!.t;
    if (t.ok) {
      r.torchTokensPerS = Math.max(...runs.filter((x) => x.t.ok).map((x) => x.tokS));
      console.log(`  PyTorch on ${threads} cores, the faster: ${r.torchTokensPerS.toFixed(0)} target tok/s; lexflow/PyTorch = ${(r.stepTokensPerS / r.torchTokensPerS).toFixed(2)} (steps alone on both sides; ${(r.tokensPerS / r.torchTokensPerS).toFixed(2)} with lexflow's validation passes and checkpoints)`);
    } else console.log(`  PyTorch peer skipped: ${t.stderr.trim().split('\n').at(-1)}`);
  } else console.log('  PyTorch peer skipped: no python3 on PATH (or $PYTHON) imports torch');
  results[arch] = r;
  fs.rmSync(out, { recursive: true, force: true });
}

const best = Object.entries(results).sort((a, b) => (b[1]!.bleu || 0) - (a[1]!.bleu || 0))[0];
// Steps alone on both sides (PyTorch's script times its steps only); `_wall` with lexflow's validation and checkpoints in.
const ratio = (r?: ArchResult, wall = false): number | null => {
  const x = r ? (wall ? r.tokensPerS : r.stepTokensPerS) / r.torchTokensPerS : NaN;
  return Number.isFinite(x) ? x : null;
};
printJsonLine({
  bleu_rnn: results.rnn?.bleu ?? null,
  bleu_transformer: results.transformer?.bleu ?? null,
  train_minutes: minutes,
  torch_ratio: ratio(best?.[1]),
  torch_ratio_rnn: ratio(results.rnn),
  torch_ratio_transformer: ratio(results.transformer),
  torch_ratio_rnn_wall: ratio(results.rnn, true),
  torch_ratio_transformer_wall: ratio(results.transformer, true),
  lexflow_tokens_per_s: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v!.tokensPerS])),
  lexflow_step_tokens_per_s: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v!.stepTokensPerS])),
  torch_tokens_per_s: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v!.torchTokensPerS])),
  peak_rss_mb: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v!.rssMB])),
  wall_s: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v!.wallS])),
  valid_ppl_by_epoch: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v!.curve.map((c) => Number(c.validPpl.toFixed(3)))])),
});
