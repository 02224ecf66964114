// Benchmark of the lm-neural stage (issue 6):
//   node dist/bench/lm-neural.js PTB_DIR [--minutes 8] [--steps 6] [--arch lstm] [--data-parallel]
//     [--quality-only | --throughput-only] [--threads 2] [--softmax class|full] [--hidden 200] [--layers 2]
//     [--batch 32] [--lr 0.004] [--epochs 6] [--decay cosine|step|none] [--dropout 0.1]
// 1. Throughput: training and evaluation tokens/s of the LSTM (emb 200, 2×200,
//    V 10000, B 20, BPTT 35) and the Transformer (d 128, 4 heads, 2 layers, FFN
//    512, context 64, B 32, V 10000) on PTB batches, both with the full softmax,
//    beside PyTorch at the same shapes and output layer (bench/lm-neural-torch.py)
//    when `import torch` works, at --threads (the machine's cores: the issue's
//    comparison) and at 1 thread (lexflow's wasm backend runs one). The
//    class-factored softmax (lexflow's default) is measured on both sides too, the
//    PyTorch peer building the same layer. On --threads > 1 cores lexflow is
//    also timed data-parallel over that many pool workers (its wasm backend runs
//    one thread), and each side's faster configuration makes the ratio.
//    --throughput-only stops there (a few minutes: no KN5, no quality run).
// 2. Quality: one model trained on PTB for --minutes, test perplexity with the
//    n-gram conventions, beside a modified Kneser–Ney 5-gram from KenLM
//    ($KENLM_BIN or PATH: lmplz, query) on the same split, and the curve.
//    With --data-parallel the quality run trains data-parallel over --threads workers.
// The last line is one JSON object: neural_ppl, kn5_ppl, torch_ratio_lstm,
// torch_ratio_transformer (train, against PyTorch at --threads cores, each figure at its faster
// thread configuration), lexflow_threads, torch_threads, ...

import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { selectBackend, tf } from '../lib/nn/backend/index.js';
import { createModel } from '../stages/lm-neural/create.js';
import { ContiguousBatches, loadSplit } from '../stages/lm-neural/data.js';
import { perplexity } from '../stages/lm-neural/evaluate.js';
import { disposeModel, type ModelConfig } from '../stages/lm-neural/model.js';
import { dataParallelGradients } from '../stages/lm-neural/data-parallel.js';
import { createPool, type Pool } from '../pipeline/pool.js';
import type { SoftmaxKind } from '../lib/nn/output.js';
import { Optimizer } from '../lib/nn/optimizer.js';
import { train } from '../stages/lm-neural/train.js';
import { createLogger } from '../pipeline/log.js';
import { createProgress } from '../pipeline/progress.js';
import { writePtbTokens } from './ptb-tokens.js';
import { findTool } from './common.js';
import { blasThreads, nativeSgemm } from '../lib/nn/backend/native-gemm.js';
import { kernelSwitches } from '../lib/nn/backend/switches.js';
import { rowHelper } from '../lib/nn/backend/row-helper.js';
import { sharedSoftmaxAvailable } from '../lib/nn/backend/shared-softmax.js';

const args = process.argv.slice(2);
const ptb = args[0];
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : dflt;
};
if (!ptb || !fs.existsSync(path.join(ptb, 'ptb.train.txt'))) {
  console.error('usage: node dist/bench/lm-neural.js PTB_DIR (with ptb.train.txt, ptb.valid.txt, ptb.test.txt) [--minutes 8] [--steps 6] [--arch lstm]');
  process.exit(2);
}
const minutes = Number(opt('minutes', '8'));
const steps = Number(opt('steps', '6'));
const qualityArch = opt('arch', 'lstm') as ModelConfig['arch'];
const threads = Number(opt('threads', '2'));
const throughputOnly = args.includes('--throughput-only');

// OpenBLAS's thread timeout as the user's environment has it, before lexflow's BLAS
// sets its own (native-gemm.ts): PyTorch runs both ways below.
const userBlasTimeout = process.env.OPENBLAS_THREAD_TIMEOUT;
const backend = await selectBackend('auto');
// wasm and cpu run one thread in Node; tfjs-node runs TensorFlow's own pool over every core.
const lexflowThreads = backend.name === 'tensorflow' ? os.cpus().length : 1;
// With the native BLAS (lib/nn/backend/native-gemm.ts) the one JS thread's matMuls run on
// OpenBLAS's own pool: every core unless OPENBLAS_NUM_THREADS says otherwise.
const blasThreadCount = nativeSgemm() && kernelSwitches.nativeGemm && backend.name === 'wasm' ? blasThreads() : 0;
// With it the full softmax's row passes take a second thread (lib/nn/backend/row-helper.ts).
const rowHelperThreads = blasThreadCount && sharedSoftmaxAvailable() && rowHelper()?.threaded ? 1 : 0;
const oneThreadLabel = blasThreadCount
  ? `1 thread${rowHelperThreads ? ' (the full softmax\'s row passes on 2)' : ''}, matMuls on ${blasThreadCount} BLAS thread${blasThreadCount > 1 ? 's' : ''}`
  : '1 thread';
// What pool workers of a data-parallel run select: the backend the main thread got.
const workerBackend = backend.name === 'tensorflow' ? 'node' : (backend.name as 'wasm' | 'cpu');
console.log(
  `backend: ${backend.name} (${backend.reason}); lexflow threads: ${lexflowThreads}${backend.name === 'tensorflow' ? " (TensorFlow's pool)" : ''}${
    blasThreadCount ? `, BLAS threads: ${blasThreadCount}, OPENBLAS_THREAD_TIMEOUT ${process.env.OPENBLAS_THREAD_TIMEOUT ?? 'unset'}` : ''
  }${rowHelperThreads ? ', the full softmax\'s row passes on 2 threads' : ''}`,
);
console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (shared: figures taken under contention)`);

// ---------------------------------------------------------------- data
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lexflow-bench-lmn-'));
const tokDir = path.join(work, 'tokenize');
const V = await writePtbTokens(ptb, tokDir);
const data = { train: loadSplit(tokDir, 'train', V), valid: loadSplit(tokDir, 'valid', V), test: loadSplit(tokDir, 'test', V) };
console.log(`PTB: vocabulary ${V} (with specials), train ${data.train.targets.length} / valid ${data.valid.targets.length} / test ${data.test.targets.length} predicted tokens (words + </s>)`);

// ---------------------------------------------------------------- throughput
const shapes: Record<'lstm' | 'transformer', { cfg: ModelConfig; B: number; T: number }> = {
  lstm: { cfg: { arch: 'lstm', vocab: 10000, embed: 200, hidden: 200, layers: 2, heads: 1, context: 35, dropout: 0, tie: false, seed: 1 }, B: 20, T: 35 },
  transformer: { cfg: { arch: 'transformer', vocab: 10000, embed: 128, hidden: 512, layers: 2, heads: 4, context: 64, dropout: 0, tie: false, seed: 1 }, B: 32, T: 64 },
};

/**
 * Training and evaluation tokens/s at `name`'s shapes: gradient, clip, Adam and the
 * carried state, as the stage's loop does them. With `pool`, each batch's rows are
 * split over its workers (the stage's --data-parallel, lib/nn/data-parallel.ts;
 * the LSTM's state carried in row shards); evaluation is then not measured (the
 * stage evaluates in one thread).
 */
async function throughput(name: 'lstm' | 'transformer', softmax: SoftmaxKind = 'full', pool?: Pool): Promise<{ train: number; eval: number }> {
  const { cfg, B, T } = shapes[name];
  const m = createModel({ ...cfg, vocab: Math.max(V, cfg.vocab), softmax });
  const o = new Optimizer('adam', m.params);
  const batches = new ContiguousBatches(data.train, B, T);
  const parallel = pool ? dataParallelGradients(pool, m, workerBackend) : undefined;
  const step = async (k: number): Promise<void> => {
    let gl: tf.Tensor[];
    if (parallel) gl = (await parallel(batches.batch(k), k)).grads;
    else {
      const { value, grads } = tf.variableGrads(() => m.trainLoss(batches.batch(k), k), m.params);
      value.dataSync();
      value.dispose();
      gl = m.params.map((p) => grads[p.name]!);
    }
    const c = Optimizer.clip(gl, 5);
    o.apply(c.grads, 1e-3);
    m.commitState?.();
    tf.dispose(gl);
    if (c.grads !== gl) tf.dispose(c.grads);
  };
  await step(0); // the workers load their backend and build their replica here
  let t0 = performance.now();
  for (let k = 1; k <= steps; k++) await step(k);
  const trainTps = (steps * B * T) / ((performance.now() - t0) / 1000);
  let evalTps = NaN;
  if (!parallel) {
    // Evaluation: the same shapes, forward only, log-probabilities of the targets; one
    // untimed call first, as for training (both sides: bench/lm-neural-torch.py too).
    const first = batches.batch(0);
    m.scoreSequences(first.inputs, B, T, first.targets);
    t0 = performance.now();
    for (let k = 1; k <= steps; k++) {
      const b = batches.batch(k);
      m.scoreSequences(b.inputs, B, T, b.targets);
    }
    evalTps = (steps * B * T) / ((performance.now() - t0) / 1000);
  }
  o.dispose();
  disposeModel(m);
  return { train: trainTps, eval: evalTps };
}

type Figures = { lstm: { train: number; eval: number }; transformer: { train: number; eval: number } };
const skipThroughput = args.includes('--quality-only');
const none: Figures = { lstm: { train: NaN, eval: NaN }, transformer: { train: NaN, eval: NaN } };
const faster = (a: number, b: number): number => (Number.isFinite(b) && !(b <= a) ? b : a);

type TorchFigures = { lstm_train: number; lstm_eval: number; transformer_train: number; transformer_eval: number; torch: string; threads: number; blas_threads: number; blas_timeout?: string };
type TorchKey = 'lstm_train' | 'lstm_eval' | 'transformer_train' | 'transformer_eval';
const TORCH_KEYS: TorchKey[] = ['lstm_train', 'lstm_eval', 'transformer_train', 'transformer_eval'];
// Debian's python3-torch lives under /usr/bin/python3, which a pyenv python3 on PATH may hide.
const python = [process.env.PYTHON, 'python3', '/usr/bin/python3'].find((p) => p && spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
if (!python) console.log('PyTorch: not available (python3 -c "import torch" failed); torch_ratio is null');
/**
 * PyTorch with `n` threads for its own ops and `blas` for OpenBLAS's GEMMs
 * (bench/lm-neural-torch.py says why both); its OpenBLAS threads' spin timeout as
 * the user's environment has it, or with `timeout` as lexflow's (native-gemm.ts).
 */
const runTorch = (n: number, blas: number, softmax: SoftmaxKind, timeout?: string): TorchFigures => {
  const script = new URL('../../bench/lm-neural-torch.py', import.meta.url).pathname;
  const env = { ...process.env, OPENBLAS_THREAD_TIMEOUT: timeout ?? userBlasTimeout };
  if (env.OPENBLAS_THREAD_TIMEOUT === undefined) delete env.OPENBLAS_THREAD_TIMEOUT;
  const r = JSON.parse(execFileSync(python!, [script, String(n), String(steps), String(blas), softmax], { encoding: 'utf8', env }).trim().split('\n').at(-1)!) as TorchFigures;
  if (timeout !== undefined) r.blas_timeout = timeout;
  console.log(`PyTorch ${r.torch} (${n} thread${n > 1 ? 's' : ''}, OpenBLAS ${blas}${timeout !== undefined ? `, OPENBLAS_THREAD_TIMEOUT ${timeout}` : ''}), ${softmax} softmax: LSTM train ${r.lstm_train.toFixed(0)} tok/s, eval ${r.lstm_eval.toFixed(0)} tok/s; Transformer train ${r.transformer_train.toFixed(0)} tok/s, eval ${r.transformer_eval.toFixed(0)} tok/s`);
  return r;
};
/** Each figure at the faster of the configurations (the peer at its best on these cores). */
const best = (runs: TorchFigures[]): TorchFigures & { configs: Record<TorchKey, string> } => {
  const out = { ...runs[0]!, configs: {} as Record<TorchKey, string> };
  for (const k of TORCH_KEYS) {
    const r = runs.reduce((x, y) => (y[k] > x[k] ? y : x));
    out[k] = r[k];
    out.configs[k] = `torch ${r.threads}, OpenBLAS ${r.blas_threads}${r.blas_timeout !== undefined ? `, thread timeout ${r.blas_timeout}` : ''}`;
  }
  return out;
};
const ratio = (a: number, b: number | undefined): number | null => (b ? a / b : null);
const ratiosAgainst = (mine: Figures, p: TorchFigures | undefined) =>
  p
    ? {
        lstm_train: ratio(mine.lstm.train, p.lstm_train),
        lstm_eval: ratio(mine.lstm.eval, p.lstm_eval),
        transformer_train: ratio(mine.transformer.train, p.transformer_train),
        transformer_eval: ratio(mine.transformer.eval, p.transformer_eval),
      }
    : null;

/**
 * Both sides with one output layer: lexflow in one thread and (on `threads` > 1
 * cores; its wasm backend runs one thread) data-parallel over `threads` pool
 * workers; PyTorch the three ways a user could run it on these cores (its own ops
 * on every core, or on one, Debian's default, with OpenBLAS on every core, or all on
 * one core); each side's fastest configuration makes the ratio.
 */
async function compare(softmax: SoftmaxKind) {
  const one: Figures = { lstm: await throughput('lstm', softmax), transformer: await throughput('transformer', softmax) };
  const dpPool = threads > 1 && backend.name !== 'tensorflow' ? createPool(threads) : undefined;
  const parallel: Figures = dpPool ? { lstm: await throughput('lstm', softmax, dpPool), transformer: await throughput('transformer', softmax, dpPool) } : none;
  await dpPool?.destroy();
  console.log(`lexflow ${backend.name} (${lexflowThreads > 1 ? `${lexflowThreads} threads` : oneThreadLabel}), ${softmax} softmax: LSTM train ${one.lstm.train.toFixed(0)} tok/s, eval ${one.lstm.eval.toFixed(0)} tok/s; Transformer train ${one.transformer.train.toFixed(0)} tok/s, eval ${one.transformer.eval.toFixed(0)} tok/s`);
  if (dpPool)
    console.log(`lexflow ${backend.name}, data-parallel over ${threads} workers, ${softmax} softmax: LSTM train ${parallel.lstm.train.toFixed(0)} tok/s, Transformer train ${parallel.transformer.train.toFixed(0)} tok/s (evaluation runs in one thread)`);
  const bestOurs: Figures = {
    lstm: { train: faster(one.lstm.train, parallel.lstm.train), eval: one.lstm.eval },
    transformer: { train: faster(one.transformer.train, parallel.transformer.train), eval: one.transformer.eval },
  };
  const configs = {
    lstm_train: bestOurs.lstm.train === one.lstm.train ? oneThreadLabel : `data-parallel, ${threads} workers`,
    transformer_train: bestOurs.transformer.train === one.transformer.train ? oneThreadLabel : `data-parallel, ${threads} workers`,
    lstm_eval: oneThreadLabel,
    transformer_eval: oneThreadLabel,
  };
  // Its usual fastest configuration also with lexflow's OpenBLAS thread timeout, where that differs from the user's.
  const lexflowTimeout = blasThreadCount > 1 && process.env.OPENBLAS_THREAD_TIMEOUT !== userBlasTimeout ? process.env.OPENBLAS_THREAD_TIMEOUT : undefined;
  const runs = python
    ? threads > 1
      ? [runTorch(threads, threads, softmax), runTorch(1, threads, softmax), ...(lexflowTimeout ? [runTorch(1, threads, softmax, lexflowTimeout)] : [])]
      : []
    : [];
  const torchOne = python ? runTorch(1, 1, softmax) : undefined;
  // One thread everywhere is also a way to run on these cores, and it was at times the fastest.
  const torch = runs.length ? best(torchOne ? [...runs, torchOne] : runs) : threads === 1 ? torchOne : undefined;
  if (torch && threads > 1) console.log(`PyTorch on ${threads} cores, ${softmax} softmax, each figure at its faster configuration: ${TORCH_KEYS.map((k) => `${k} ${torch[k].toFixed(0)} (${(torch as ReturnType<typeof best>).configs[k]})`).join(', ')}`);
  const ratios = ratiosAgainst(threads > 1 ? bestOurs : one, torch);
  // "Both 1 thread" only where lexflow's matMuls ran on one thread too.
  const ratiosOneThread = blasThreadCount > 1 ? undefined : ratiosAgainst(one, torchOne);
  if (ratios)
    console.log(
      `ratio lexflow/PyTorch, both on ${threads} core${threads > 1 ? 's' : ''} at their faster configuration, ${softmax} softmax: ${Object.entries(ratios)
        .map(([k, v]) => `${k} ${v!.toFixed(2)}x (lexflow ${configs[k as keyof typeof configs]})`)
        .join(', ')}`,
    );
  if (ratiosOneThread && threads !== 1) console.log(`ratio lexflow/PyTorch, both 1 thread, ${softmax} softmax: ${Object.entries(ratiosOneThread).map(([k, v]) => `${k} ${v!.toFixed(2)}x`).join(', ')}`);
  return { one, parallel: dpPool ? parallel : null, configs, torch: torch ?? null, torchOne: torchOne ?? null, ratios, ratiosOneThread };
}

const full = skipThroughput ? undefined : await compare('full');
// The class-factored softmax is lexflow's default; the PyTorch peer builds the same layer.
const cls = skipThroughput ? undefined : await compare('class');
const throughputJson = {
  torch_ratio_lstm: full?.ratios?.lstm_train ?? null,
  torch_ratio_transformer: full?.ratios?.transformer_train ?? null,
  torch_ratio_lstm_class_softmax: cls?.ratios?.lstm_train ?? null,
  torch_ratio_transformer_class_softmax: cls?.ratios?.transformer_train ?? null,
  torch_ratios: full?.ratios ?? null,
  torch_ratios_one_thread: full?.ratiosOneThread ?? null,
  torch_ratios_class_softmax: cls?.ratios ?? null,
  lexflow_threads: threads > 1 && backend.name !== 'tensorflow' ? threads : lexflowThreads,
  lexflow_blas_threads: blasThreadCount,
  lexflow_blas_thread_timeout: blasThreadCount ? (process.env.OPENBLAS_THREAD_TIMEOUT ?? null) : null,
  lexflow_softmax_row_threads: rowHelperThreads ? 2 : 1,
  lexflow_configs: full?.configs ?? null,
  torch_threads: full?.torch ? threads : null,
  output_layer: 'full',
  lexflow_tokens_per_s: full?.one ?? none,
  lexflow_data_parallel_tokens_per_s: full?.parallel ?? null,
  lexflow_class_softmax_tokens_per_s: cls?.one ?? none,
  lexflow_class_softmax_data_parallel_tokens_per_s: cls?.parallel ?? null,
  torch_tokens_per_s: full?.torch ?? null,
  torch_one_thread_tokens_per_s: full?.torchOne ?? null,
  torch_class_softmax_tokens_per_s: cls?.torch ?? null,
  backend: backend.name,
};
if (throughputOnly) {
  fs.rmSync(work, { recursive: true, force: true });
  console.log(JSON.stringify(throughputJson));
  process.exit(0);
}

// ---------------------------------------------------------------- KN5 peer
let kn5: number | null = null;
const lmplz = findTool('lmplz', 'KENLM_BIN');
const kenlmDir = lmplz ? path.dirname(lmplz) : undefined;
if (kenlmDir) {
  // KenLM refuses a literal <unk> in its corpus; PTB's <unk> is an ordinary word class
  // here (as in lexflow's models), so it is renamed in both the train and the test text.
  const renamed = (split: string): string => {
    const f = path.join(work, `ptb.${split}.txt`);
    fs.writeFileSync(f, fs.readFileSync(path.join(ptb, `ptb.${split}.txt`), 'utf8').replaceAll('<unk>', 'UNKWORD'));
    return f;
  };
  const arpa = path.join(work, 'kn5.arpa');
  execFileSync(path.join(kenlmDir, 'lmplz'), ['-o', '5', '-S', '20%', '-T', work, '--text', renamed('train'), '--arpa', arpa], { stdio: ['ignore', 'ignore', 'ignore'] });
  const q = execFileSync(path.join(kenlmDir, 'query'), ['-v', 'summary', arpa], { input: fs.readFileSync(renamed('test')), encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] });
  kn5 = Number(/Perplexity including OOVs:\s*([\d.]+)/.exec(q)?.[1]);
  console.log(`KenLM modified Kneser-Ney 5-gram (lmplz -o 5), PTB test: ppl ${kn5.toFixed(2)} (including OOVs, </s> counted)`);
} else console.log('KenLM: lmplz not found ($KENLM_BIN or PATH); kn5_ppl is null');

// ---------------------------------------------------------------- quality run
// The class-factored softmax (lexflow's default) makes a step ~5x cheaper than a full
// one here, which is what lets a CPU budget cover several epochs.
const qSoftmax = opt('softmax', 'class') as SoftmaxKind;
const qHidden = Number(opt('hidden', '200'));
const qcfg: ModelConfig =
  qualityArch === 'transformer'
    ? { arch: 'transformer', vocab: V, embed: 128, hidden: 512, layers: 2, heads: 4, context: 64, dropout: Number(opt('dropout', '0.1')), tie: qSoftmax === 'full', softmax: qSoftmax, seed: 1 }
    : { arch: 'lstm', vocab: V, embed: qHidden, hidden: qHidden, layers: Number(opt('layers', '2')), heads: 1, context: 35, dropout: Number(opt('dropout', '0.1')), tie: qSoftmax === 'full', softmax: qSoftmax, seed: 1 };
const model = createModel(qcfg);
// --data-parallel: the stage's data-parallel training over --threads pool workers.
const qualityPool = args.includes('--data-parallel') ? createPool(threads) : undefined;
const started = performance.now();
const result = await train(
  model,
  { train: data.train, valid: data.valid },
  {
    optimizer: 'adam', lr: Number(opt('lr', '0.004')), warmup: 50, decay: opt('decay', 'cosine') as 'cosine', lrDecay: 0.5, decayStart: 4, clip: 5,
    batch: Number(opt('batch', '32')), seqLen: qcfg.context, epochs: Number(opt('epochs', '6')), maxMinutes: minutes, patience: 2,
    checkpointEvery: 500, logEvery: 50, seed: 1, checkpointDir: path.join(work, 'ck'),
    gradients: qualityPool ? dataParallelGradients(qualityPool, model, workerBackend) : undefined,
  },
  createLogger('normal'),
  createProgress({ mode: 'plain', plainEvery: 30 }),
);
await qualityPool?.destroy();
const trainedMinutes = (performance.now() - started) / 60000;
const testPpl = perplexity(model, data.test);
console.log(`quality: ${qcfg.arch} ${JSON.stringify(qcfg)}, ${result.globalStep} steps, ${result.tokensSeen} tokens in ${(trainedMinutes * 60).toFixed(0)} s (${result.stopReason})${qualityPool ? `, data-parallel over ${threads} workers` : ', one thread'}`);
console.log('curve (step, train loss, valid ppl, tokens/s, wall s):');
for (const h of result.history) console.log(`  ${h.step}\t${h.trainLoss.toFixed(3)}\t${Number.isFinite(h.validPpl) ? h.validPpl.toFixed(1) : '-'}\t${h.tokensPerS.toFixed(0)}\t${h.wallS.toFixed(0)}`);
console.log(`test perplexity: lexflow ${qcfg.arch} ${testPpl.ppl.toFixed(2)} (excluding <unk> ${testPpl.pplNoUnk.toFixed(2)}) vs KenLM KN5 ${kn5?.toFixed(2) ?? 'n/a'}`);
const epochFraction = result.tokensSeen / data.train.targets.length;
// The schedule may end before the budget: the rate is over the minutes actually trained.
console.log(`epochs done: ${epochFraction.toFixed(2)} in ${trainedMinutes.toFixed(1)} minutes; a 30-minute run at this rate would see ${((epochFraction * 30) / trainedMinutes).toFixed(2)} epochs`);
disposeModel(model);
fs.rmSync(work, { recursive: true, force: true });

console.log(
  JSON.stringify({
    neural_ppl: testPpl.ppl,
    kn5_ppl: kn5,
    torch_ratio: full?.ratios?.lstm_train ?? null,
    ...throughputJson,
    quality_arch: qcfg.arch,
    quality_data_parallel: qualityPool ? threads : null,
    quality_minutes: minutes,
    quality_epochs: epochFraction,
  }),
);
