// The eval-embeddings stage: the svd, word2vec and glove vectors scored on
// word similarity (Spearman rho, every set in --wordsim, $LEXFLOW_DATA/wordsim
// or the bundled data/eval/wordsim) and analogies (3CosAdd / 3CosMul as
// word2vec's compute-accuracy, over the --restrict most frequent words).
// Without data it still writes metrics.arrow (vocabulary and dimension) and
// says what it did not find.

import path from 'node:path';
import { defineStage } from '../../pipeline/stage.js';
import { loadEmbeddings } from '../../lib/formats/vectors.js';
import { analogyResult, analogyRows, evaluationData, evaluationDataHashes, metricsTable, similarityFiles, similarityRows, writeMetrics, type MetricRow } from './evaluate.js';
import { TASKS } from './tasks.js';
import neighborsCommand from './neighbors-command.js';
import analogyCommand from './analogy-command.js';
import evalSimilarity from './eval-similarity.js';
import evalAnalogy from './eval-analogy.js';

/** The embedding stages scored, in this order. */
export const SCORED = ['svd', 'word2vec', 'glove'] as const;

export default defineStage({
  name: 'eval-embeddings',
  describe: 'word similarity (Spearman rho) and analogies (3CosAdd, 3CosMul) of the svd, word2vec and glove vectors',
  // 2: scores word2vec and glove too (a `vectors` column); bundled data by default.
  version: 2,
  tasks: TASKS,
  commands: [neighborsCommand, analogyCommand],
  evalCommands: [evalSimilarity, evalAnalogy],
  inputs: [...SCORED],
  params: {
    wordsim: { type: 'string', default: '', describe: 'folder (or file) of word1<TAB>word2<TAB>score sets, or none; default $LEXFLOW_DATA/wordsim, else the bundled WS-353, SimLex-999 and MEN' },
    analogies: { type: 'string', default: '', describe: 'analogy questions in questions-words.txt format, or none; default $LEXFLOW_DATA/analogy/questions-words.txt, else the bundled copy' },
    restrict: { type: 'int', default: 30000, min: 1, describe: 'analogies: look up and search only the N most frequent words (word2vec compute-accuracy)' },
  },
  // The sets it reads are found outside its inputs: their content is part of the fingerprint,
  // so the stage reruns when evaluation data appears or changes.
  reads: (p) => evaluationDataHashes(p),
  async run(ctx) {
    const p = ctx.params;
    const data = evaluationData(p);
    if (!data.wordsim) ctx.warn('no word-similarity sets found (--wordsim none, or no bundled data): similarity skipped');
    if (!data.analogies) ctx.warn('no analogy questions found (--analogies none, or no bundled data): analogies skipped');
    const rows: MetricRow[] = [];
    const metrics: Record<string, number> = {};
    for (const vectors of SCORED) {
      const emb = await loadEmbeddings(path.join(ctx.input(vectors).dir, 'embeddings.arrow'));
      const mine: MetricRow[] = [
        { vectors, metric: 'vocabulary', set: '-', value: emb.tokens.length, found: emb.tokens.length, total: emb.tokens.length },
        { vectors, metric: 'dim', set: '-', value: emb.dim, found: 0, total: 0 },
      ];
      if (data.wordsim) {
        const step = ctx.progress.step(`${vectors}: word similarity`);
        mine.push(...similarityRows(emb, similarityFiles(data.wordsim)).map((r) => ({ ...r, vectors })));
        step.done();
      }
      if (data.analogies) {
        const words = Math.min(p.restrict, emb.tokens.length);
        const step = ctx.progress.step(`${vectors}: analogies (${words} most frequent words)`, words, 'words');
        mine.push(...analogyRows(await analogyResult(emb, data.analogies, p.restrict, ctx.pool, (n) => step.tick(n))).map((r) => ({ ...r, vectors })));
        step.done();
      }
      rows.push(...mine);
      for (const r of mine) if (r.metric === 'spearman' || r.set === 'total') metrics[`${vectors}:${r.metric}:${r.set}`] = r.value;
    }
    const n = await writeMetrics(path.join(ctx.outDir, 'metrics.arrow'), rows);
    const scored = rows.filter((r) => r.metric !== 'vocabulary' && r.metric !== 'dim' && (r.metric === 'spearman' || r.set === 'total'));
    ctx.log.info(scored.length ? metricsTable(scored) : 'eval-embeddings: no evaluation data, nothing scored');
    return { rows: { 'metrics.arrow': n }, metrics };
  },
});
