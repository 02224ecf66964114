// The lm-ngram stage: n-gram language models estimated from the ngrams
// stage's counts, each in its own folder (`<model>/model.arpa`,
// `<model>/order-N.arrow` with logprob and backoff, log10), and the perplexity
// of every model on valid and test in one `metrics.arrow`.
//
//   1. loading counts                 orders 1..N from ngrams/order-N.arrow (models other than Kneser–Ney)
//   2. estimating <model>             for each model in --model
//   3. writing <model>                ARPA + Arrow
//   4. scoring                        perplexity on valid and test, KenLM query conventions
//
// Kneser–Ney is estimated in memory while that fits --memory, and past it
// streams within it (kneser-ney-stream.ts, the same bytes) and is scored on
// the part of the model the held-out text touches (held-out-model.ts); the other
// models hold every count in memory, and a budget too small for them is refused
// before any work (in-memory-budget.ts).

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { inputRows } from '../../pipeline/input-rows.js';
import { defineStage } from '../../pipeline/stage.js';
import { InputError, UsageError } from '../../pipeline/errors.js';
import { writeMetricsTable, type MetricsRow } from '../../pipeline/metrics.js';
import { listTokenShards, readVocab, BOS, EOS } from '../../lib/formats/tokens.js';
import { readCounts, readOrder, type OrderCounts } from './counts.js';
import { streamKneserNey, streamPasses, type StreamedOrder } from './kneser-ney-stream.js';
import { writeStreamedModel } from './streamed-model-files.js';
import { heldOutModel } from './held-out-model.js';
import { checkInMemoryBudget, human, inMemoryBytes, KN_IN_MEMORY_BYTES_PER_ROW } from './in-memory-budget.js';
import { estimateKneserNey } from './kneser-ney.js';
import { estimateAbsolute, estimateMle, estimateStupidBackoff } from './simple-models.js';
import { estimateKatz } from './katz.js';
import { estimateJelinekMercer, fitLambdas, heldOutMle, uniformOf } from './jelinek-mercer.js';
import { AddKModel } from './add-k.js';
import { BackoffModel, type LanguageModel } from './backoff-model.js';
import { writeArpa } from './arpa.js';
import { writeModelArrow, MODELS_JSON, type ModelsInfo } from './model-files.js';
import { perplexity, type PerplexityResult } from './perplexity.js';
import { withUnk } from './interpolate.js';
import { firstAppearanceRanks } from './first-appearance.js';
import { ngramLanguageModels } from './language-model.js';

export const MODEL_NAMES = ['kneser-ney', 'absolute', 'katz', 'jelinek-mercer', 'add-k', 'stupid-backoff', 'mle'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export function parseModels(spec: string): ModelName[] {
  if (spec.trim() === 'all') return [...MODEL_NAMES];
  const names = spec.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!MODEL_NAMES.includes(n as ModelName)) throw new UsageError(`--model ${n}: unknown model; choose from all, ${MODEL_NAMES.join(', ')}`);
  if (names.length === 0) throw new UsageError('--model: name at least one model');
  return names as ModelName[];
}

export function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

export default defineStage({
  name: 'lm-ngram',
  describe: 'n-gram LMs (modified Kneser-Ney as KenLM, absolute, Katz, Jelinek-Mercer, add-k, stupid backoff, MLE): ARPA + Arrow, perplexities',
  version: 2,
  languageModel: ngramLanguageModels,
  inputs: ['tokenize', 'ngrams'],
  params: {
    model: { type: 'string', default: 'all', describe: `models to estimate: all, or a comma list of ${MODEL_NAMES.join(', ')}` },
    order: { type: 'int', default: 0, min: 0, max: 8, describe: 'model order (0 = every order the ngrams stage counted)' },
    k: { type: 'float', default: 1, min: 0, exclusiveMin: true, describe: 'add-k: the k added to every count (1 = Laplace)' },
    'stupid-alpha': { type: 'float', default: 0.4, min: 0, max: 1, describe: 'stupid backoff: the backoff factor (Brants et al. use 0.4)' },
    arpa: { type: 'string', default: 'kneser-ney', describe: 'models that also get <model>/model.arpa (KenLM query and build_binary load it): all, none, or a comma list' },
    memory: { type: 'size', default: '50%', fingerprint: false, describe: 'budget for estimation (default: half the physical memory): Kneser-Ney is estimated in memory while it fits and streams within it past that (range passes over files in the temp folder, same bytes); the other models need every count in memory and are refused past it' },
  },
  async run(ctx) {
    const models = parseModels(ctx.params.model);
    const arpaFor = new Set(ctx.params.arpa.trim() === 'none' ? [] : parseModels(ctx.params.arpa));
    const tokDir = ctx.input('tokenize').dir;
    const ngDir = ctx.input('ngrams').dir;
    const vocab = await readVocab(tokDir);
    const V = vocab.tokens.length;
    let order = ctx.params.order;
    let counted = 0;
    while (fs.existsSync(path.join(ngDir, 'ngrams', `order-${counted + 1}.arrow`))) counted++;
    if (counted === 0) throw new InputError(path.join(ngDir, 'ngrams'), 'no order-1.arrow', 'Run the ngrams stage first');
    if (order === 0) order = counted;
    if (order > counted) throw new UsageError(`lm-ngram --order ${order}: the ngrams stage counted only up to order ${counted}; rerun it with --order ${order}`);

    const inMemory = models.filter((m) => m !== 'kneser-ney');
    if (inMemory.length > 0) checkInMemoryBudget(ngDir, order, ctx.params.memory, inMemory);
    // Kneser–Ney is estimated in memory while that fits --memory, and streamed past it: the same bytes either way.
    const knNeed = inMemoryBytes(ngDir, order, KN_IN_MEMORY_BYTES_PER_ROW).bytes;
    const knStreams = models.includes('kneser-ney') && knNeed > ctx.params.memory;
    const needCounts = inMemory.length > 0 || (models.includes('kneser-ney') && !knStreams);
    const step1 = ctx.progress.step('1/4 loading counts', needCounts ? order : 1, 'orders');
    const counts: OrderCounts[] = needCounts ? await readCounts(ngDir, order, () => step1.tick()) : [await readOrder(path.join(ngDir, 'ngrams', 'order-1.arrow'), 1).then((c) => (step1.tick(), c))];
    step1.done(`${counts.map((c) => c.rows).join('/')} n-grams`);
    let types = 0;
    for (let r = 0; r < counts[0]!.rows; r++) if (counts[0]!.words[r]! !== BOS && counts[0]!.words[r]! !== EOS) types++;
    if (types < 2)
      throw new InputError(path.join(tokDir, 'vocab.arrow'), `the training text has a vocabulary of ${types} word${types === 1 ? '' : 's'}`, 'An n-gram model needs at least two word types; use a bigger corpus');

    const trainShards = listTokenShards(tokDir, 'train');
    const validShards = listTokenShards(tokDir, 'valid');
    const testShards = listTokenShards(tokDir, 'test');
    const info: ModelsInfo = { order, vocabSize: V, vocabSha256: sha256(path.join(tokDir, 'vocab.arrow')), models: {} };
    const metrics: Record<string, unknown> = { order };
    const rows: Record<string, number> = {};
    const metricRows: (MetricsRow & { model: string })[] = [];
    const record = (model: string, split: string, r: PerplexityResult): void => {
      for (const [metric, value] of [
        ['ppl', r.ppl],
        ['ppl_excl_oov', r.pplExclOov],
        ['oov', r.oovs],
        ['tokens', r.tokens],
        ['log10_prob', r.logProb10],
      ] as const)
        metricRows.push({ metric, split, value, model });
    };

    // Inside the temp folder, so a failed run's intermediates go with it.
    const spillDir = path.join(ctx.outDir, '.spill');
    for (const name of models) {
      const step = name === 'kneser-ney' && knStreams ? ctx.progress.step(`2/4 estimating ${name} (streamed)`, streamPasses(order), 'passes') : ctx.progress.step(`2/4 estimating ${name}`);
      let lm: LanguageModel;
      const params: Record<string, unknown> = {};
      const extra: Record<string, unknown> = {};
      let streamed: StreamedOrder[] | undefined;
      switch (name) {
        case 'kneser-ney': {
          const rank = firstAppearanceRanks(trainShards, V);
          let r: { discounts: number[][]; countsOfCounts: number[][]; fallbacks: { order: number; reason: string }[] };
          if (knStreams) {
            const s = await streamKneserNey(ngDir, order, { memoryBytes: ctx.params.memory, tmpDir: spillDir, rank, onPass: () => step.tick() });
            ctx.log.info(`kneser-ney: about ${human(knNeed)} in memory, past --memory ${ctx.params.memory} bytes: streamed, spilled to the temp folder, up to ${s.passes} range passes per step`);
            extra.rangePasses = s.passes;
            streamed = s.orders;
            lm = heldOutModel(s.orders, V, [...validShards, ...testShards]);
            r = s;
          } else {
            const m = estimateKneserNey(counts, V, rank);
            lm = m.model;
            r = m.stats;
          }
          extra.streamed = knStreams;
          for (const fb of r.fallbacks) {
            const t = r.countsOfCounts[fb.order - 1]!;
            ctx.warn(
              `kneser-ney: order ${fb.order}: ${fb.reason} (counts of adjusted counts t1..t4 = ${t.slice(1).join(', ')}), where KenLM would stop with BadDiscountException; using D1=0.5 D2=1 D3+=1.5 instead`,
            );
          }
          params.discounts = r.discounts.map((d) => d.slice(1));
          params.countsOfCounts = r.countsOfCounts.map((t) => t.slice(1));
          params.discountFallbackOrders = r.fallbacks.map((f) => f.order);
          break;
        }
        case 'absolute': {
          const r = estimateAbsolute(counts, V);
          params.discounts = r.discounts;
          lm = r.model;
          break;
        }
        case 'katz': {
          const r = estimateKatz(counts, V);
          if (r.fallbackOrders.length) ctx.warn(`katz: Good-Turing discounts undefined for order(s) ${r.fallbackOrders.join(', ')}; using d_r = 1 - 0.5/r there`);
          params.goodTuringFallbackOrders = r.fallbackOrders;
          lm = r.model;
          break;
        }
        case 'jelinek-mercer': {
          let lambdas: number[];
          if (validShards.length === 0) {
            lambdas = new Array(order).fill(0.5);
            ctx.warn('jelinek-mercer: no valid split to fit the interpolation weights on; using lambda = 0.5 for every order');
          } else {
            const full = withUnk(counts[0]!);
            const known = new Uint8Array(V);
            for (let r = 0; r < full.rows; r++) if (full.words[r]! < V) known[full.words[r]!] = 1;
            const a = heldOutMle([full, ...counts.slice(1)], validShards, (w) => w < V && known[w] === 1);
            lambdas = fitLambdas(a, order, uniformOf(counts));
          }
          params.lambdas = lambdas;
          lm = estimateJelinekMercer(counts, V, lambdas);
          break;
        }
        case 'add-k':
          params.k = ctx.params.k;
          lm = new AddKModel(counts, V, ctx.params.k);
          break;
        case 'stupid-backoff':
          params.alpha = ctx.params['stupid-alpha'];
          lm = estimateStupidBackoff(counts, V, ctx.params['stupid-alpha']);
          break;
        case 'mle':
          lm = estimateMle(counts, V);
          break;
      }
      step.done(`from ${counts.reduce((n, c) => n + c.rows, 0)} n-grams of orders 1-${order}`);
      const hasFiles = lm instanceof BackoffModel;
      if (lm instanceof BackoffModel) {
        const wstep = streamed ? ctx.progress.step(`3/4 writing ${name}`, streamed.reduce((n, o) => n + o.rows, 0), 'n-grams') : ctx.progress.step(`3/4 writing ${name}`);
        const dir = path.join(ctx.outDir, name);
        const written = streamed ? await writeStreamedModel(dir, streamed, arpaFor.has(name) ? vocab.tokens : undefined, (n) => wstep.tick(n)) : await writeModelArrow(dir, lm);
        for (const [f, n] of Object.entries(written)) rows[path.relative(ctx.outDir, f).split(path.sep).join('/')] = n;
        if (arpaFor.has(name) && !streamed) await writeArpa(path.join(dir, 'model.arpa'), lm, vocab.tokens);
        wstep.done(`${Object.values(written).reduce((a, b) => a + b, 0)} rows${arpaFor.has(name) ? ' + model.arpa' : ''}`);
      }
      info.models[name] = { normalized: lm.normalized, files: hasFiles, params };
      // The valid and test sentences (the tokenize manifest counts every shard's rows).
      let sentences = 0;
      for (const f of [...validShards, ...testShards]) sentences += await inputRows(ctx.input('tokenize'), path.relative(tokDir, f).split(path.sep).join('/'));
      const sstep = ctx.progress.step(`4/4 scoring ${name}`, sentences, 'sentences');
      const scores: Record<string, number> = {};
      for (const [split, shards] of [
        ['valid', validShards],
        ['test', testShards],
      ] as const) {
        if (shards.length === 0) continue;
        const r = perplexity(lm, shards, () => sstep.tick());
        if (r.sentences === 0) continue;
        record(name, split, r);
        scores[`${split}_ppl`] = r.ppl;
        scores[`${split}_ppl_excl_oov`] = r.pplExclOov;
        scores[`${split}_oov`] = r.oovs;
      }
      sstep.done(Object.entries(scores).map(([k, v]) => `${k} ${Number(v.toFixed(3))}`).join(', '));
      metrics[name] = { ...params, ...scores, ...extra };
      fs.rmSync(spillDir, { recursive: true, force: true });
    }

    fs.writeFileSync(path.join(ctx.outDir, MODELS_JSON), JSON.stringify(info, null, 2) + '\n');
    rows['metrics.arrow'] = await writeMetricsTable(path.join(ctx.outDir, 'metrics.arrow'), metricRows, [{ name: 'model', of: (r) => r.model }]);
    return { rows, metrics };
  },
});
