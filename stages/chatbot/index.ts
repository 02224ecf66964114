// The chatbot stage: a retrieval bot over a dialog dataset (ChatterBot's YAML
// corpus, or {"turns": [...]} JSONL), evaluated on held-out conversations.
//   1. read the conversations of --language; skip malformed ones, drop repeats (warnings say which)
//   2. hold out conversations by a hash of their turns (--held-out)
//   3. the encoder (TF-IDF, BM25, or SIF over --vectors) from the training turns,
//      and the index: one row per (last N turns, next turn) pair, in shared memory
//   4. rank the replies of the held-out conversations for each of their contexts,
//      on the pool, single-turn and with N turns: Recall@1, Recall@5, MRR -> metrics.arrow
//   5. write the model folder (model-files.ts) that `lexflow chat --model` opens
// A generative part (a seq2seq model of the shared neural library) is to come:
// --generative none is the only choice yet, and `chat` answers /mode generative
// by saying the model has none.

import path from 'node:path';
import { InputError, UsageError } from '../../pipeline/errors.js';
import { writeMetricsTable } from '../../pipeline/metrics.js';
import { defineStage } from '../../pipeline/stage.js';
import { filesOfLanguage, isHeldOut, readConversations } from '../../datasets/dialog.js';
import { readEmbeddings } from '../../lib/formats/vectors.js';
import { chatEndpoint } from './serve.js';
import { ENCODERS, type EncoderKind } from '../../lib/retrieval/encoders.js';
import { buildEncoder, buildIndex } from '../../lib/chat/build.js';
import { candidatesOf, longContext, meanFigures, pairsOf, rankHeldOut, similarityMatrix, type EvalFigures } from '../../lib/chat/evaluate.js';
import { writeModel, MODEL_FORMAT, type ModelJson } from './model-files.js';
import { TASKS } from './tasks.js';
import chatCommand from './chat-command.js';

const EMBEDDING_STAGES = ['svd', 'word2vec', 'glove'];

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
  describe: 'retrieval chatbot (TF-IDF, BM25 or SIF word vectors; single- or multi-turn) over a dialog dataset',
  version: 1,
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
    generative: { type: 'enum', choices: ['none'] as const, default: 'none', describe: 'generative model (none yet: the seq2seq models of the shared neural library will slot in here)' },
  },
  async run(ctx) {
    const p = ctx.params;
    const dataset = ctx.dataset!;
    if (p.encoder === 'sif' && p.vectors === '')
      throw new UsageError('chatbot: --encoder sif needs --vectors FILE: word vectors trained on text (e.g. out/brown/svd/vectors.txt from `lexflow run --dataset brown`), a word2vec file or an embeddings.arrow');
    if (p.encoder !== 'sif' && p.vectors !== '') ctx.warn(`--vectors is read by --encoder sif only; --encoder ${p.encoder} ignores it`);
    const vectorsFile = EMBEDDING_STAGES.includes(p.vectors) ? path.join(ctx.runDir, p.vectors, 'embeddings.arrow') : p.vectors;

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
      generative: null,
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
    return { rows: written, metrics };
  },
});
