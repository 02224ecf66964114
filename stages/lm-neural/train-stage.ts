// What the lm-neural stage does when it runs. Steps, as printed: select backend,
// read tokens, train (checkpointed), evaluate, write model + tables.

import type { StageContext, StageResult } from '../../pipeline/stage.js';
import { UsageError } from '../../pipeline/errors.js';
import { readVocab } from '../../lib/formats/tokens.js';
import { selectBackend, type BackendChoice } from '../../lib/nn/backend/index.js';
import { MODEL_DIR, saveModel } from './artifacts.js';
import { createModel } from './create.js';
import { dataParallelGradients } from './data-parallel.js';
import { loadSplit } from './data.js';
import { perplexity } from './evaluate.js';
import type { SoftmaxKind } from '../../lib/nn/output.js';
import { disposeModel, validateConfig, type Arch, type ModelConfig } from './model.js';
import { writeMetrics, type MetricRow } from './tables.js';
import { writeHistory } from '../../lib/nn/history-table.js';
import { train, type Decay } from './train.js';
import path from 'node:path';
import type { params } from './index.js';

export function modelConfigFrom(p: Record<string, unknown>, vocab: number): ModelConfig {
  const arch = p.arch as Arch;
  const tr = arch === 'transformer';
  return {
    arch,
    vocab,
    embed: (tr ? p['d-model'] : p.embed) as number,
    hidden: (tr ? p.ffn : p.hidden) as number,
    layers: arch === 'window' ? 1 : (p.layers as number),
    heads: tr ? (p.heads as number) : 1,
    context: arch === 'window' ? (p.order as number) - 1 : tr ? (p.context as number) : (p.bptt as number),
    dropout: p.dropout as number,
    tie: p.tie as boolean,
    softmax: p.softmax as SoftmaxKind,
    classes: p.classes as number,
    seed: p.seed as number,
  };
}

export async function runLmNeural(ctx: StageContext<typeof params>): Promise<StageResult> {
    const p = ctx.params as unknown as Record<string, unknown>;
    const tokDir = ctx.input('tokenize').dir;
    const fullVocab = await readVocab(tokDir);
    const V = Math.min(p['max-vocab'] as number, fullVocab.tokens.length);
    const cfg = modelConfigFrom(p, V);
    const bad = validateConfig(cfg);
    if (bad) throw new UsageError(`lm-neural: ${bad}`);

    // 1. backend
    const backend = await selectBackend(p.backend as BackendChoice);
    ctx.log.info(`lm-neural: backend ${backend.name} (${backend.reason})`);
    // The wasm heap is 32-bit (at most 4 GB): the output layer keeps about six [B·T, V]
    // float32 arrays alive in a training step (logits, log-softmax, its exp, one-hot, gradients).
    const outputBytes = 6 * 4 * (p.batch as number) * (cfg.arch === 'window' ? 1 : cfg.context) * V;
    if (backend.name === 'wasm' && outputBytes > 3 * 2 ** 30)
      throw new UsageError(`lm-neural: a batch of ${p.batch} × ${cfg.context} tokens over ${V} types needs about ${(outputBytes / 2 ** 30).toFixed(1)} GB for the output layer, more than the wasm backend's 4 GB heap; lower --batch, the context or --max-vocab`);

    // 2. tokens
    const train_ = loadSplit(tokDir, 'train', V);
    const valid = loadSplit(tokDir, 'valid', V);
    const test = loadSplit(tokDir, 'test', V);
    if (train_.sentences === 0) throw new UsageError(`lm-neural: ${tokDir} has no train shards; rerun the tokenize stage`);
    if (V < fullVocab.tokens.length)
      ctx.warn(
        `vocabulary capped at ${V} of ${fullVocab.tokens.length} types (--max-vocab); ${train_.cappedTargets} train tokens became <unk>, so perplexities are over a smaller vocabulary than the n-gram models' unless they use the same cap`,
      );

    // 3. train
    const model = createModel(cfg);
    const seqLen = cfg.context;
    const result = await train(
      model,
      { train: train_, valid },
      {
        optimizer: p.optimizer as 'adam' | 'sgd',
        lr: p.lr as number,
        warmup: p.warmup as number,
        decay: p.decay as Decay,
        lrDecay: p['lr-decay'] as number,
        decayStart: p['decay-start'] as number,
        clip: p.clip as number,
        batch: p.batch as number,
        seqLen,
        epochs: p.epochs as number,
        maxMinutes: p['max-minutes'] as number,
        maxSteps: p['max-steps'] as number,
        patience: p.patience as number,
        checkpointEvery: p['checkpoint-every'] as number,
        logEvery: p['log-every'] as number,
        seed: p.seed as number,
        checkpointDir: ctx.checkpointDir,
        gradients: p['data-parallel'] ? dataParallelGradients(ctx.pool, model, p.backend as BackendChoice) : undefined,
      },
      ctx.log,
      ctx.progress,
    );
    ctx.log.info(`lm-neural: ${result.stopReason} after ${result.globalStep} steps, ${result.tokensSeen} tokens, ${result.elapsedS.toFixed(0)} s`);

    // 4. evaluate with the n-gram conventions
    const step = ctx.progress.step('evaluating', 2, 'splits');
    // The validation figure of the final weights is usually known from training already.
    const pv = valid.sentences ? (result.valid ?? perplexity(model, valid)) : undefined;
    step.tick();
    const pt = test.sentences ? perplexity(model, test) : undefined;
    step.done(`valid ppl ${pv?.ppl.toFixed(2) ?? '-'}, test ppl ${pt?.ppl.toFixed(2) ?? '-'}`);

    // 5. outputs
    await saveModel(path.join(ctx.outDir, MODEL_DIR), model, fullVocab);
    const historyRows = await writeHistory(ctx.outDir, result.history);
    const tokensPerS = result.tokensSeen / Math.max(result.elapsedS, 1e-9);
    const m: MetricRow[] = [];
    for (const [split, r] of [['valid', pv], ['test', pt]] as const) {
      if (!r) continue;
      m.push({ metric: 'ppl', split, value: r.ppl, note: 'all predicted tokens: words and </s>, <unk> included' });
      m.push({ metric: 'ppl_no_unk', split, value: r.pplNoUnk, note: '<unk> targets left out' });
      m.push({ metric: 'tokens', split, value: r.tokens });
      m.push({ metric: 'unk_tokens', split, value: r.unkTokens });
    }
    m.push({ metric: 'train_tokens_per_s', split: 'train', value: tokensPerS, note: backend.name });
    m.push({ metric: 'train_steps', split: 'train', value: result.globalStep, note: result.stopReason });
    m.push({ metric: 'vocab', split: 'train', value: V, note: `${fullVocab.tokens.length} types before --max-vocab` });
    m.push({ metric: 'backend', split: '', value: NaN, note: `${backend.name}: ${backend.reason}` });
    const metricRows = await writeMetrics(ctx.outDir, cfg.arch, m);
    disposeModel(model);
    const timed = (p['max-minutes'] as number) > 0;
    return {
      // The weights follow from the seed and a step budget; the tables also record throughput.
      notReproducible: timed
        ? 'training stopped on a wall-clock budget (--max-minutes): how far it got depends on the machine; use --max-steps for a reproducible run'
        : 'history.arrow and metrics.arrow record wall-clock throughput (tokens/s, seconds); model/ is the same on every run',
      rows: { 'history.arrow': historyRows, 'metrics.arrow': metricRows },
      metrics: {
        arch: cfg.arch,
        backend: backend.name,
        backendReason: backend.reason,
        validPpl: pv?.ppl,
        testPpl: pt?.ppl,
        testPplNoUnk: pt?.pplNoUnk,
        trainSteps: result.globalStep,
        trainTokens: result.tokensSeen,
        trainTokensPerS: tokensPerS,
        stopReason: result.stopReason,
        resumedFromStep: result.resumedFromStep,
        vocab: V,
      },
    };
}
