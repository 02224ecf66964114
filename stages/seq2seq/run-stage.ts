// What the seq2seq stage does when it runs (its definition is index.ts).

import fs from 'node:fs';
import path from 'node:path';
import type { StageContext, StageResult } from '../../pipeline/stage.js';
import { UsageError } from '../../pipeline/errors.js';
import { writeMetricsTable, type MetricsRow } from '../../pipeline/metrics.js';
import { isParallel, readPairs } from '../../datasets/parallel.js';
import type { Split } from '../../datasets/source.js';
import { selectBackend, type BackendChoice } from '../../lib/nn/backend/index.js';
import { corpusBleu } from '../../lib/metrics/bleu.js';
import { corpusChrf } from '../../lib/metrics/chrf.js';
import type { Decay } from '../../lib/nn/schedule.js';
import { tf } from '../../lib/nn/backend/index.js';
import { MODEL_DIR, createSeq2Seq, saveSeq2Seq } from '../../lib/seq2seq/artifacts.js';
import { writeAttention } from '../../lib/seq2seq/attention-table.js';
import { splitPairBatch, writePairs, writeSideVocab, type PairData } from '../../lib/seq2seq/data.js';
import { dataParallelGradientsWith } from '../../lib/nn/data-parallel.js';
import { writeHistory } from '../../lib/nn/history-table.js';
import { TASKS } from './tasks.js';
import { explainWasmAbort } from '../../lib/nn/wasm-abort.js';
import { perplexityOf, trainPairs } from '../../lib/seq2seq/train.js';
import { beamTranslate, settingName, translateMany } from '../../lib/seq2seq/decode.js';
import { settingsProblem, validateConfig, type AttentionScore, type PositionKind, type Seq2SeqArch, type Seq2SeqConfig } from '../../lib/seq2seq/model.js';
import { writeTranslations, type TranslatedSet } from '../../lib/seq2seq/translations-table.js';
import { buildVocab, decode, encode } from '../../lib/seq2seq/pieces.js';
import { describeSegmenter, segmenterFromSpec, trainBpeSegmenter } from '../../lib/seq2seq/segmenter.js';
import type { params } from './index.js';

type P = Record<string, unknown>;

interface MetricRow extends MetricsRow {
  note: string;
}

export async function runSeq2Seq(ctx: StageContext<typeof params>): Promise<StageResult> {
  try {
    return await translationStage(ctx);
  } catch (e) {
    const p = ctx.params as unknown as P;
    throw explainWasmAbort(e, 'seq2seq', `lower --batch-tokens (${p['batch-tokens']} now), use --softmax class (the full softmax holds several (tokens, V) arrays per batch), or a smaller model`);
  }
}

async function translationStage(ctx: StageContext<typeof params>): Promise<StageResult> {
    const p = ctx.params as unknown as P;
    const ds = ctx.dataset;
    if (!isParallel(ds)) throw new UsageError(`seq2seq: --dataset ${ds?.name ?? '?'} is not a parallel corpus; give e.g. multi30k=FOLDER, or a folder of <split>.<lang> files with --source/--target`);
    const { source, target } = ds.parallel;
    // The model's settings, checked before any work.
    const settings: Omit<Seq2SeqConfig, 'srcVocab' | 'tgtVocab'> = {
      arch: p.arch as Seq2SeqArch,
      embed: p.embed as number,
      hidden: p.hidden as number,
      attention: p.attention as AttentionScore,
      softmax: p.softmax as 'full' | 'class',
      dropout: p.dropout as number,
      seed: p.seed as number,
      labelSmoothing: p['label-smoothing'] as number,
      ...(p.arch === 'transformer' ? { dModel: p['d-model'] as number, heads: p.heads as number, layers: p.layers as number, ffn: p.ffn as number, positions: p.positions as PositionKind, shareEmbeddings: p['share-embeddings'] as boolean } : {}),
    };
    const wrong = settingsProblem(settings);
    if (wrong) throw new UsageError(`seq2seq: ${wrong}`);

    // 1. pairs, checked
    const read = ctx.progress.step('reading pairs', 3, 'splits');
    const text: Partial<Record<Split, { source: string[]; target: string[] }>> = {};
    for (const split of ['train', 'valid', 'test'] as Split[]) {
      text[split] = readPairs(ds.parallel, split);
      read.tick();
    }
    read.done(`${text.train!.source.length} train, ${text.valid!.source.length} valid, ${text.test!.source.length} test pairs (${source}→${target})`);
    if (text.train!.source.length === 0) throw new UsageError(`seq2seq: --dataset ${ds.name} has no training pairs`);

    // 2. tokens
    const segmenter = p.pieces === 'bpe' ? trainBpeSegmenter(text.train!.source, text.train!.target, p['bpe-vocab'] as number, p['joint-bpe'] as boolean) : segmenterFromSpec({ kind: 'words' });
    ctx.log.info(`seq2seq: tokens are ${describeSegmenter(segmenter.spec)}`);
    const toks = Object.fromEntries(Object.entries(text).map(([s, d]) => [s, { source: d.source.map(segmenter.source), target: d.target.map(segmenter.target) }])) as Record<Split, { source: string[][]; target: string[][] }>;
    const srcV = buildVocab(toks.train.source, p['max-vocab'] as number, p['min-count'] as number);
    const tgtV = buildVocab(toks.train.target, p['max-vocab'] as number, p['min-count'] as number);
    const data = {} as Record<Split, PairData>;
    const rows: Record<string, number> = {};
    const maxLen = p['max-len'] as number;
    for (const split of ['train', 'valid', 'test'] as Split[]) {
      const d: PairData = { src: toks[split].source.map((t) => encode(srcV, t)), tgt: toks[split].target.map((t) => encode(tgtV, t)) };
      if (split === 'train') {
        const keep = d.src.map((s, i) => s.length <= maxLen && d.tgt[i]!.length <= maxLen);
        d.src = d.src.filter((_, i) => keep[i]);
        d.tgt = d.tgt.filter((_, i) => keep[i]);
        if (d.src.length < keep.length) ctx.log.info(`seq2seq: left out ${keep.length - d.src.length} training pairs longer than --max-len ${maxLen}`);
      }
      data[split] = d;
      rows[`tokens/${split}.arrow`] = await writePairs(ctx.outDir, split, d);
    }
    await writeSideVocab(path.join(ctx.outDir, 'vocab-src.arrow'), srcV);
    await writeSideVocab(path.join(ctx.outDir, 'vocab-tgt.arrow'), tgtV);

    // 3. train
    const cfg: Seq2SeqConfig = { ...settings, srcVocab: srcV.tokens.length, tgtVocab: tgtV.tokens.length };
    const bad = validateConfig(cfg);
    if (bad) throw new UsageError(`seq2seq: ${bad}`);
    if ((p.beam as number) > cfg.tgtVocab) throw new UsageError(`seq2seq: --beam ${p.beam} is wider than the target vocabulary (${cfg.tgtVocab} types); use at most ${cfg.tgtVocab}`);
    const backend = await selectBackend(p.backend as BackendChoice);
    ctx.log.info(`seq2seq: backend ${backend.name} (${backend.reason})`);
    const model = createSeq2Seq(cfg);
    const result = await trainPairs(
      model,
      data.train,
      data.valid,
      {
        name: 'seq2seq',
        optimizer: p.optimizer as 'adam' | 'sgd',
        lr: p.lr as number,
        warmup: p.warmup as number,
        decay: p.decay as Decay,
        lrDecay: 0.5,
        decayStart: 4,
        clip: p.clip as number,
        epochs: p.epochs as number,
        maxMinutes: p['max-minutes'] as number,
        patience: p.patience as number,
        checkpointEvery: p['checkpoint-every'] as number,
        logEvery: p['log-every'] as number,
        seed: p.seed as number,
        checkpointDir: ctx.checkpointDir,
        batchTokens: p['batch-tokens'] as number,
        maxRows: p['max-rows'] as number,
        gradients: p['data-parallel'] ? dataParallelGradientsWith(ctx.pool, model, p.backend as BackendChoice, TASKS.grad, splitPairBatch) : undefined,
      },
      ctx.log,
      ctx.progress,
    );
    const tokensPerS = result.tokensSeen / Math.max(result.elapsedS, 1e-9);
    ctx.log.info(`seq2seq: ${result.stopReason} after ${result.globalStep} steps, ${result.tokensSeen} target tokens, ${result.elapsedS.toFixed(0)} s (${tokensPerS.toFixed(0)} tok/s)`);

    // 4. translate and score
    const m: MetricRow[] = [];
    const cap = p['eval-sentences'] as number;
    const summary: Record<string, number> = {};
    const K = p.beam as number;
    const alpha = p['length-penalty'] as number;
    const translated: TranslatedSet[] = [];
    for (const split of ['valid', 'test'] as Split[]) {
      const n = cap > 0 ? Math.min(cap, data[split].src.length) : data[split].src.length;
      if (n === 0) continue;
      const srcs = data[split].src.slice(0, n);
      const refs = text[split]!.target.slice(0, n);
      // The loop validated the weights it returned on the whole valid split: that figure, not a second pass.
      const ppl = split === 'valid' && Number.isFinite(result.bestValidPpl) ? result.bestValidPpl : perplexityOf(model, data[split]);
      m.push({ metric: 'ppl', split, value: ppl, note: 'per target token, </s> included, teacher forcing' });
      const widths = K === 1 ? [1] : [1, K];
      const step = ctx.progress.step(`translating ${split}`, widths.length, 'settings');
      for (const width of widths) {
        const name = settingName(width);
        const ts = translateMany(model, srcs, width, alpha);
        const hyps = ts.map((x) => decode(tgtV, x.ids));
        translated.push({ split, setting: name, sources: text[split]!.source.slice(0, n), hypotheses: hyps, references: refs, logProbs: ts.map((x) => x.logProb), lengths: ts.map((x) => x.ids.length) });
        fs.writeFileSync(path.join(ctx.outDir, `hyp-${split}-${name}.txt`), hyps.join('\n') + '\n');
        const bleu = corpusBleu(hyps, [refs]);
        const chrf = corpusChrf(hyps, [refs]);
        m.push({ metric: 'bleu', split, value: bleu.score, note: `${name}${name.startsWith('beam') ? ` α=${alpha}` : ''}; ${bleu.signature}` });
        m.push({ metric: 'chrf', split, value: chrf.score, note: `${name}; ${chrf.signature}` });
        summary[`${split}Bleu_${name}`] = bleu.score;
        step.tick();
      }
      step.done(`${split}: BLEU ${m.filter((r) => r.metric === 'bleu' && r.split === split).map((r) => r.value.toFixed(2)).join(' / ')} (${widths.map(settingName).join(' / ')})`);
      fs.writeFileSync(path.join(ctx.outDir, `ref-${split}.txt`), refs.join('\n') + '\n');
    }
    m.push({ metric: 'train_tokens_per_s', split: 'train', value: tokensPerS, note: backend.name });
    // The same without the validation passes and checkpoint writes: what a peer timing its steps alone measures.
    if (result.stepSeconds > 0) m.push({ metric: 'train_step_tokens_per_s', split: 'train', value: result.stepTokens / result.stepSeconds, note: `${backend.name}; training steps only, this process` });
    m.push({ metric: 'train_steps', split: 'train', value: result.globalStep, note: result.stopReason });

    // 5. outputs
    await saveSeq2Seq(path.join(ctx.outDir, MODEL_DIR), model, srcV, tgtV, { source, target }, segmenter.spec);
    rows['metrics.arrow'] = await writeMetricsTable(path.join(ctx.outDir, 'metrics.arrow'), m, [
      { name: 'model', of: () => `seq2seq ${cfg.arch}` },
      { name: 'note', of: (r) => r.note },
    ]);
    rows['history.arrow'] = await writeHistory(ctx.outDir, result.history);
    rows['translations.arrow'] = await writeTranslations(path.join(ctx.outDir, 'translations.arrow'), translated);
    const first = data.test.src.find((s) => s.length > 0) ?? data.valid.src.find((s) => s.length > 0);
    if (first) rows['attention.arrow'] = await writeAttention(path.join(ctx.outDir, 'attention.arrow'), [beamTranslate(model, first, K, alpha, true)[0]!], model.attentionMaps);
    tf.dispose(model.params);
    return {
      notReproducible: notReproducible(result.stopReason, p['data-parallel'] ? ctx.pool.threads : 0),
      rows,
      metrics: { arch: cfg.arch, pieces: describeSegmenter(segmenter.spec), ...(cfg.arch === 'rnn' ? { attention: cfg.attention } : { dModel: cfg.dModel, heads: cfg.heads, layers: cfg.layers, ffn: cfg.ffn, positions: cfg.positions }), source, target, backend: backend.name, trainSteps: result.globalStep, trainTokensPerS: tokensPerS, stopReason: result.stopReason, resumedFromStep: result.resumedFromStep, srcVocab: cfg.srcVocab, tgtVocab: cfg.tgtVocab, ...summary },
    };
}

/**
 * Why two runs with the same fingerprint may differ: training that stopped on the
 * wall-clock budget got as far as the machine allowed; --data-parallel weights depend
 * on --threads; history.arrow and the tokens/s metric are wall-clock figures always.
 */
function notReproducible(stopReason: string, dataParallelThreads: number): string {
  const why = ['history.arrow (tokens_per_s, wall_s) and metrics.arrow (train_tokens_per_s) record wall-clock throughput'];
  if (stopReason.startsWith('time budget')) why.unshift(`training stopped on the wall-clock budget (--max-minutes), so how far it got depends on the machine; a run that ends on --epochs or early stopping gives the same model/ bytes`);
  if (dataParallelThreads > 0) why.unshift(`--data-parallel: each batch is split into --threads shards (${dataParallelThreads} here), each with its own dropout masks, so the weights depend on --threads; the same --threads gives the same bytes`);
  return why.join('; ');
}
