// The eval-embeddings stage: the svd stage's vectors scored on word
// similarity (Spearman rho, every set in --wordsim or $LEXFLOW_DATA/wordsim)
// and analogies (3CosAdd / 3CosMul as word2vec's compute-accuracy, over the
// --restrict most frequent words). Without data it still writes metrics.arrow
// (vocabulary and dimension) and says what it did not find.

import path from 'node:path';
import { defineStage } from '../../pipeline/stage.js';
import { loadEmbeddings } from '../../lib/formats/vectors.js';
import { analogyResult, analogyRows, defaultAnalogies, defaultWordsim, metricsTable, similarityFiles, similarityRows, writeMetrics, type MetricRow } from './evaluate.js';
import { TASKS } from './tasks.js';
import neighborsCommand from './neighbors-command.js';
import analogyCommand from './analogy-command.js';
import evalSimilarity from './eval-similarity.js';
import evalAnalogy from './eval-analogy.js';

export default defineStage({
  name: 'eval-embeddings',
  describe: 'word similarity (Spearman rho) and analogies (3CosAdd, 3CosMul) of the svd vectors',
  version: 1,
  tasks: TASKS,
  commands: [neighborsCommand, analogyCommand],
  evalCommands: [evalSimilarity, evalAnalogy],
  inputs: ['svd'],
  params: {
    wordsim: { type: 'string', default: '', describe: 'folder (or file) of word1<TAB>word2<TAB>score sets; default $LEXFLOW_DATA/wordsim' },
    analogies: { type: 'string', default: '', describe: 'analogy questions in questions-words.txt format; default $LEXFLOW_DATA/analogy/questions-words.txt' },
    restrict: { type: 'int', default: 30000, min: 1, describe: 'analogies: look up and search only the N most frequent words (word2vec compute-accuracy)' },
  },
  async run(ctx) {
    const p = ctx.params;
    const emb = await loadEmbeddings(path.join(ctx.input('svd').dir, 'embeddings.arrow'));
    const rows: MetricRow[] = [
      { metric: 'vocabulary', set: '-', value: emb.tokens.length, found: emb.tokens.length, total: emb.tokens.length },
      { metric: 'dim', set: '-', value: emb.dim, found: 0, total: 0 },
    ];
    const wordsim = p.wordsim || defaultWordsim();
    if (wordsim) {
      const step = ctx.progress.step('word similarity');
      rows.push(...similarityRows(emb, similarityFiles(wordsim)));
      step.done();
    } else ctx.warn('no word-similarity sets found: set $LEXFLOW_DATA (with a wordsim/ folder) or pass --wordsim; similarity skipped');
    const analogies = p.analogies || defaultAnalogies();
    if (analogies) {
      const step = ctx.progress.step(`analogies (${Math.min(p.restrict, emb.tokens.length)} most frequent words)`);
      rows.push(...analogyRows(await analogyResult(emb, analogies, p.restrict, ctx.pool)));
      step.done();
    } else ctx.warn('no analogy questions found: set $LEXFLOW_DATA (with analogy/questions-words.txt) or pass --analogies; analogies skipped');
    const n = await writeMetrics(path.join(ctx.outDir, 'metrics.arrow'), rows);
    ctx.log.info(rows.length > 2 ? metricsTable(rows.slice(2)) : `eval-embeddings: ${emb.tokens.length} x ${emb.dim} vectors; no evaluation data found, nothing scored`);
    const metrics: Record<string, number> = {};
    for (const r of rows) if (r.metric === 'spearman' || r.set === 'total') metrics[`${r.metric}:${r.set}`] = r.value;
    return { rows: { 'metrics.arrow': n }, metrics };
  },
});
