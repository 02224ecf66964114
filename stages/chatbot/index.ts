// The chatbot stage: a retrieval bot, and optionally a generative one, over a
// dialog dataset (ChatterBot's YAML corpus, or {"turns": [...]} JSONL),
// evaluated on held-out conversations.
//   1. read the conversations of --language; skip malformed ones, drop repeats (warnings say which)
//   2. hold out conversations by a hash of their turns (--held-out)
//   3. the encoder (TF-IDF, BM25, or SIF over --vectors) from the training turns,
//      and the index: one row per (last N turns, next turn) pair, in shared memory
//   4. rank the replies of the held-out conversations for each of their contexts,
//      on the pool, single-turn and with N turns: Recall@1, Recall@5, MRR -> metrics.arrow
//   5. --generative rnn: train an encoder–decoder on the (last N turns joined by
//      <sep> -> next turn) pairs (generative.ts, loaded only then), validated on a
//      few training conversations set apart (--gen-valid, generative-split.ts),
//      and score its replies to the held-out contexts: BLEU, distinct-1/2,
//      perplexity -> metrics.arrow
//   6. write the model folder (model-files.ts) that `lexflow chat --model` opens

import fs from 'node:fs';
import path from 'node:path';
import { InputError, UsageError } from '../../pipeline/errors.js';
import { writeMetricsTable } from '../../pipeline/metrics.js';
import { defineStage } from '../../pipeline/stage.js';
import { contentHashes } from '../../datasets/content-hash.js';
import { BACKEND_CHOICES, type BackendChoice } from '../../lib/nn/backend/choices.js';
import type { AttentionScore } from '../../lib/seq2seq/model.js';
import { DECODERS, type DecoderKind } from '../../lib/chat/decoding.js';
import { filesOfLanguage, isHeldOut, readConversations } from '../../datasets/dialog.js';
import { readEmbeddings } from '../../lib/formats/vectors.js';
import { chatEndpoint } from './serve.js';
import { ENCODERS, type EncoderKind } from '../../lib/retrieval/encoders.js';
import { buildEncoder, buildIndex } from '../../lib/chat/build.js';
import { candidatesOf, longContext, meanFigures, pairsOf, rankHeldOut, similarityMatrix, type EvalFigures } from '../../lib/chat/evaluate.js';
import { writeModel, MODEL_FORMAT, type ModelJson } from './model-files.js';
import { TASKS } from './tasks.js';
import { isGenerativeValidation } from './generative-split.js';
import chatCommand from './chat-command.js';
import type { GenerativeMeta } from './generative.js';
import type { GenerativeFigures } from '../../lib/chat/generative-eval.js';

const EMBEDDING_STAGES = ['svd', 'word2vec', 'glove'];

/** The generative training and decoding knobs change nothing of a retrieval-only bot: they enter its fingerprint only with --generative. */
const generativeOnly = (p: Readonly<Record<string, unknown>>): boolean => p.generative !== 'none';

/** The --vectors file: an embedding stage of this run, or a path. */
function vectorsPath(vectors: string, runDir: string): string {
  return EMBEDDING_STAGES.includes(vectors) ? path.join(runDir, vectors, 'embeddings.arrow') : vectors;
}

export interface ChatMetricRow {
  metric: string;
  split: string;
  value: number;
  bot: string;
  turns: number;
  subset: string;
  queries: number;
}

export default defineStage({
  name: 'chatbot',
  describe: 'chatbot over a dialog dataset: retrieval (TF-IDF, BM25 or SIF word vectors) and optionally generative (seq2seq); single- or multi-turn',
  version: 3,
  source: true,
  datasetKinds: ['dialog'],
  inputs: [],
  tasks: TASKS,
  commands: [chatCommand],
  serve: [chatEndpoint],
  params: {
    language: { type: 'string', default: 'english', describe: 'ChatterBot language folder to read (english, italian, portuguese, hebrew, russian); ignored for a dataset without folders' },
    encoder: { type: 'enum', choices: ENCODERS, default: 'bm25' as EncoderKind, describe: 'how texts become vectors: tfidf, bm25 (Robertson & Zaragoza 2009), sif (Arora et al. 2017, needs --vectors)' },
    vectors: { type: 'string', default: '', describe: 'sif: word vectors trained on text (embeddings.arrow or word2vec text/binary, e.g. out/brown/svd/vectors.txt), or svd|word2vec|glove for that stage of this run' },
    'vectors-keep': { type: 'int', default: 20000, min: 0, describe: 'sif: also keep the first N words of the vectors file (its most frequent), for words the corpus never uses' },
    'sif-a': { type: 'float', default: 1e-3, min: 0, exclusiveMin: true, describe: 'sif: a in the weight a / (a + p(w))' },
    'bm25-k1': { type: 'float', default: 1.2, min: 0, describe: 'bm25: term-frequency saturation k1' },
    'bm25-b': { type: 'float', default: 0.75, min: 0, max: 1, describe: 'bm25: length normalization b' },
    turns: { type: 'int', default: 3, min: 1, max: 50, describe: 'turns of context the bot reads (1: the last message only)' },
    decay: { type: 'float', default: 0.5, min: 0, max: 1, describe: 'weight of each earlier turn relative to the one after it' },
    threshold: { type: 'float', default: 0.3, min: 0, max: 1, describe: "confidence below which the bot says it does not know" },
    'held-out': { type: 'float', default: 0.2, min: 0, max: 0.9, describe: 'share of conversations held out for evaluation (by a hash of their turns)' },
    'eval-k': { type: 'int', default: 5, min: 1, describe: 'evaluation: best rows whose replies make the reply the candidates are compared with' },
    'query-weight': { type: 'float', default: 0.5, min: 0, describe: 'evaluation: weight of the message itself in that reply vector' },
    generative: { type: 'enum', choices: ['none', 'rnn'] as const, default: 'none', describe: 'generative bot: rnn = an attentional encoder-decoder (Luong 2015) trained on (last N turns -> reply) pairs for --epochs (early stopping on --gen-valid) within --max-minutes; none = retrieval only (fast)' },
    'max-minutes': { type: 'float', default: 30, min: 0, exclusiveMin: true, describe: 'generative: training time budget, a safety cap (the manifest says the bot is not reproducible when it stopped the training)', fingerprintWhen: generativeOnly },
    'max-steps': { type: 'int', default: 0, min: 0, describe: 'generative: train at most this many batches, and no time budget (0 = --epochs within --max-minutes); reproducible to the byte', fingerprintWhen: generativeOnly },
    epochs: { type: 'int', default: 60, min: 1, describe: 'generative: passes over the training pairs at most (early stopping may end sooner)', fingerprintWhen: generativeOnly },
    'gen-valid': { type: 'float', default: 0.1, min: 0, max: 0.5, describe: 'generative: share of the training conversations set apart (by a hash of their turns) to validate each epoch: early stopping and the best epoch kept; 0 = none (train every epoch, keep the last)', fingerprintWhen: generativeOnly },
    'gen-patience': { type: 'int', default: 5, min: 1, describe: 'generative: epochs without a better validation perplexity before training stops', fingerprintWhen: generativeOnly },
    'max-len': { type: 'int', default: 40, min: 2, describe: 'generative: source tokens kept (the last ones); training replies longer than this are left out', fingerprintWhen: generativeOnly },
    'gen-max-vocab': { type: 'int', default: 8000, min: 10, describe: 'generative: types per side (the most frequent training tokens); rarer ones become <unk>', fingerprintWhen: generativeOnly },
    'gen-min-count': { type: 'int', default: 2, min: 1, describe: 'generative: a training token needs this many occurrences to get an id; rarer ones train <unk>, which replies never say', fingerprintWhen: generativeOnly },
    'gen-embed': { type: 'int', default: 64, min: 1, describe: 'generative: embedding size', fingerprintWhen: generativeOnly },
    'gen-hidden': { type: 'int', default: 128, min: 1, describe: 'generative: LSTM units (per encoder direction, and the decoder)', fingerprintWhen: generativeOnly },
    'gen-attention': { type: 'enum', choices: ['additive', 'dot', 'general'] as AttentionScore[], default: 'general' as AttentionScore, describe: 'generative: attention score, additive (Bahdanau 2015), dot or general (Luong 2015)', fingerprintWhen: generativeOnly },
    'gen-dropout': { type: 'float', default: 0.1, min: 0, max: 0.95, describe: 'generative: dropout on embeddings and attentional states', fingerprintWhen: generativeOnly },
    'gen-lr': { type: 'float', default: 0.003, min: 0, exclusiveMin: true, describe: 'generative: Adam learning rate', fingerprintWhen: generativeOnly },
    'gen-batch-tokens': { type: 'int', default: 500, min: 10, describe: 'generative: padded tokens per batch (at most 256 pairs); on a corpus of a few hundred pairs small batches give the optimizer its steps', fingerprintWhen: generativeOnly },
    'gen-seed': { type: 'int', default: 1, describe: 'generative: seed for initialization, batch order, dropout and sampling', fingerprintWhen: generativeOnly },
    decode: { type: 'enum', choices: DECODERS as unknown as DecoderKind[], default: 'greedy' as DecoderKind, describe: 'generative: how replies are decoded: greedy, beam (--beam, --length-penalty) or sample (--temperature, --top-k, --top-p); `lexflow chat --decode` overrides it', fingerprintWhen: generativeOnly },
    beam: { type: 'int', default: 4, min: 1, max: 64, describe: 'generative: beam width', fingerprintWhen: generativeOnly },
    'length-penalty': { type: 'float', default: 0.6, min: 0, describe: 'generative: GNMT length penalty α of beam search (Wu et al. 2016); 0 = none', fingerprintWhen: generativeOnly },
    temperature: { type: 'float', default: 1, min: 0, exclusiveMin: true, describe: 'generative, sample: divide log-probabilities by this', fingerprintWhen: generativeOnly },
    'top-k': { type: 'int', default: 0, min: 0, describe: 'generative, sample: keep the k most probable tokens (0 = all)', fingerprintWhen: generativeOnly },
    'top-p': { type: 'float', default: 1, min: 0, max: 1, exclusiveMin: true, describe: 'generative, sample: keep the smallest set of tokens whose probability reaches p', fingerprintWhen: generativeOnly },
    backend: { type: 'enum', choices: BACKEND_CHOICES as BackendChoice[], default: 'auto' as BackendChoice, describe: 'generative: tfjs backend (auto = tfjs-node if installed, else wasm, else cpu)', fingerprint: false },
  },
  // The vectors file's content is part of what the bot is: retrained vectors rebuild it.
  async reads(p, { runDir }): Promise<Record<string, string>> {
    if (p.encoder !== 'sif' || p.vectors === '') return {};
    const file = vectorsPath(p.vectors, runDir);
    if (!fs.existsSync(file)) return { vectors: `missing:${file}` };
    return { vectors: (await contentHashes([file]))[0]! };
  },
  async run(ctx) {
    const p = ctx.params;
    const dataset = ctx.dataset!;
    if (p.encoder === 'sif' && p.vectors === '')
      throw new UsageError('chatbot: --encoder sif needs --vectors FILE: word vectors trained on text (e.g. out/brown/svd/vectors.txt from `lexflow run --dataset brown`), a word2vec file or an embeddings.arrow');
    if (p.encoder !== 'sif' && p.vectors !== '') ctx.warn(`--vectors is read by --encoder sif only; --encoder ${p.encoder} ignores it`);
    const vectorsFile = vectorsPath(p.vectors, ctx.runDir);

    // Read the vectors first: a bad file is named before anything else is said.
    const vectors = p.encoder === 'sif' ? await readEmbeddings(vectorsFile) : undefined;

    const reading = ctx.progress.step('reading conversations');
    const files = filesOfLanguage(await dataset.files(), p.language);
    const { conversations, warnings } = readConversations(files);
    if (conversations.length === 0)
      throw new InputError(
        dataset.name,
        `holds no conversation of two turns or more${warnings.length ? ` (${warnings.join('; ')})` : ''}`,
        'A conversation is a list of at least two turns: YAML `conversations: [[hi, hello]]` or JSONL {"turns": ["hi", "hello"]}',
      );
    for (const w of warnings) ctx.warn(w);
    const train = conversations.filter((c) => !isHeldOut(c, p['held-out']));
    const held = conversations.filter((c) => isHeldOut(c, p['held-out']));
    if (train.length === 0) throw new UsageError(`chatbot: all ${conversations.length} conversations fell into the held-out share; lower --held-out`);
    reading.done(`${conversations.length} conversations (${held.length} held out)`);

    const building = ctx.progress.step(`encoder ${p.encoder} and index`);
    const trainPairs = pairsOf(train);
    const built = buildEncoder(
      train.flatMap((c) => c.turns),
      { kind: p.encoder, bm25: { k1: p['bm25-k1'], b: p['bm25-b'] }, ...(vectors ? { sif: { vectors, a: p['sif-a'], keep: p['vectors-keep'] } } : {}) },
    );
    const enc = built.encoder;
    const context = { turns: p.turns, decay: p.decay };
    const index = buildIndex(enc, trainPairs, context, p.threshold, true);
    if (built.sif) {
      const known = built.counts.words.filter((w) => built.sif!.index.has(w)).length;
      ctx.log.info(`sif: ${known} of ${built.counts.words.length} corpus words have a vector in ${vectorsFile}; ${built.sif.words.length} words kept`);
      if (known === 0) throw new InputError(vectorsFile, 'has a vector for no word of the corpus', 'Give vectors trained on text in the language of the conversations');
    }
    building.done(`${index.rows.rows} rows, ${enc.dim} dimensions`);

    const rows: ChatMetricRow[] = [];
    const heldPairs = pairsOf(held);
    const bot = `retrieval-${p.encoder}`;
    const figures: Record<string, EvalFigures> = {};
    const genFigures: Record<number, GenerativeFigures> = {};
    if (heldPairs.length === 0) ctx.warn('no conversation held out (the corpus is small, or --held-out 0): evaluation skipped');
    else {
      const evaluating = ctx.progress.step(`ranking the replies of ${held.length} held-out conversations`);
      const cands = candidatesOf(heldPairs);
      const candidates = similarityMatrix(enc, cands.texts, true);
      const replyVecs = similarityMatrix(enc, index.replies, true);
      const long = longContext(heldPairs);
      const all = heldPairs.map((_, i) => i);
      for (const turns of [...new Set([1, p.turns])]) {
        const ix = turns === p.turns ? index : buildIndex(enc, trainPairs, { turns, decay: p.decay }, p.threshold, true);
        const stats = await rankHeldOut(ix, replyVecs, heldPairs, cands, candidates, { k: p['eval-k'], queryWeight: p['query-weight'] }, { pool: ctx.pool, task: TASKS.rank });
        for (const [subset, which] of [['all', all], ['context>=2', long]] as const) {
          if (which.length === 0) continue;
          const f = meanFigures(stats, which);
          figures[`${turns}:${subset}`] = f;
          for (const [metric, value] of [['recall@1', f.recall1], ['recall@5', f.recall5], ['mrr', f.mrr]] as const)
            rows.push({ metric, split: 'held-out', value, bot, turns, subset, queries: f.queries });
        }
      }
      evaluating.done(
        Object.entries(figures)
          .map(([k, f]) => `${k} R@1 ${f.recall1.toFixed(3)}`)
          .join(', '),
      );
    }
    rows.push({ metric: 'candidates', split: 'held-out', value: new Set(heldPairs.map((x) => x.reply)).size, bot, turns: p.turns, subset: 'all', queries: heldPairs.length });
    rows.push({ metric: 'index-rows', split: 'train', value: index.rows.rows, bot, turns: p.turns, subset: 'all', queries: 0 });

    let generative: GenerativeMeta | null = null;
    let notReproducible: string | undefined;
    if (p.generative !== 'none') {
      const { trainGenerative } = await import('./generative.js');
      const genTrain = train.filter((c) => !isGenerativeValidation(c, p['gen-valid']));
      if (genTrain.length === 0) throw new UsageError(`chatbot: generative: all ${train.length} training conversations fell into the validation share; lower --gen-valid`);
      const g = await trainGenerative(
        ctx.outDir,
        ctx.checkpointDir,
        pairsOf(genTrain),
        pairsOf(train.filter((c) => isGenerativeValidation(c, p['gen-valid']))),
        heldPairs,
        {
          arch: 'rnn',
          turns: p.turns,
          maxVocab: p['gen-max-vocab'],
          minCount: p['gen-min-count'],
          maxLen: p['max-len'],
          embed: p['gen-embed'],
          hidden: p['gen-hidden'],
          attention: p['gen-attention'],
          dropout: p['gen-dropout'],
          lr: p['gen-lr'],
          epochs: p.epochs,
          patience: p['gen-patience'],
          maxMinutes: p['max-minutes'],
          maxSteps: p['max-steps'],
          batchTokens: p['gen-batch-tokens'],
          seed: p['gen-seed'],
          backend: p.backend,
          decode: { kind: p.decode, beam: p.beam, lengthPenalty: p['length-penalty'], temperature: p.temperature, topK: p['top-k'], topP: p['top-p'], seed: p['gen-seed'] },
        },
        ctx.log,
        ctx.progress,
      );
      generative = g.meta;
      notReproducible = g.notReproducible;
      const gbot = `generative-${p.generative}`;
      for (const f of g.figures) {
        for (const [metric, value] of [['bleu', f.bleu], ['distinct-1', f.distinct1], ['distinct-2', f.distinct2], ['ppl', f.ppl]] as const)
          rows.push({ metric, split: 'held-out', value, bot: gbot, turns: f.turns, subset: 'all', queries: f.pairs });
        genFigures[f.turns] = f;
      }
      rows.push({ metric: 'train-pairs', split: 'train', value: g.train.pairs, bot: gbot, turns: p.turns, subset: 'all', queries: 0 });
      rows.push({ metric: 'train-steps', split: 'train', value: g.train.steps, bot: gbot, turns: p.turns, subset: 'all', queries: 0 });
      rows.push({ metric: 'train-epochs', split: 'train', value: g.train.epochs, bot: gbot, turns: p.turns, subset: 'all', queries: 0 });
      rows.push({ metric: 'train-loss', split: 'train', value: g.train.trainLoss, bot: gbot, turns: p.turns, subset: 'all', queries: 0 });
      if (g.train.validPairs > 0) rows.push({ metric: 'ppl', split: 'valid', value: g.train.validPpl, bot: gbot, turns: p.turns, subset: 'all', queries: g.train.validPairs });
    }

    const meta: ModelJson = {
      format: MODEL_FORMAT,
      version: 1,
      language: p.language,
      encoder: p.encoder,
      context,
      threshold: p.threshold,
      bm25: { k1: p['bm25-k1'], b: p['bm25-b'] },
      docs: built.counts.docs,
      tokens: built.counts.tokens,
      sif: built.sif ? { a: built.sif.a, pc: Array.from(built.sif.pc ?? []), vectors: path.basename(vectorsFile) } : null,
      generative,
      rows: index.rows.rows,
    };
    const written = await writeModel(ctx.outDir, meta, index, built.counts, built.sif);
    written['metrics.arrow'] = await writeMetricsTable(path.join(ctx.outDir, 'metrics.arrow'), rows, [
      { name: 'bot', of: (r) => r.bot },
      { name: 'turns', int: true, of: (r) => r.turns },
      { name: 'subset', of: (r) => r.subset },
      { name: 'queries', int: true, of: (r) => r.queries },
    ]);
    const metrics: Record<string, number> = { conversations: conversations.length, heldOut: held.length, rows: index.rows.rows, vocabulary: built.counts.words.length };
    for (const [k, f] of Object.entries(figures)) {
      metrics[`recall@1:${k}`] = f.recall1;
      metrics[`mrr:${k}`] = f.mrr;
    }
    for (const [turns, f] of Object.entries(genFigures)) {
      metrics[`generative-bleu:${turns}`] = f.bleu;
      metrics[`generative-distinct-2:${turns}`] = f.distinct2;
    }
    return { rows: written, metrics, ...(notReproducible ? { notReproducible } : {}) };
  },
});
