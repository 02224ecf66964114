// A small real run for the report tests: every stage that feeds a section of
// the page (n-gram and Transformer LMs, svd, word2vec and glove vectors) on a
// generated corpus of 80 documents, in a few seconds.

import fs from 'node:fs';
import path from 'node:path';
import { runPipeline, type RunReport } from '../pipeline/runner.js';
import { twoTopicText } from './embedding-corpus.js';

export const REPORT_RUN_STAGES = ['tokenize', 'ngrams', 'lm-ngram', 'cooccur', 'pmi', 'svd', 'word2vec', 'glove', 'lm-neural'];

/** Writes the corpus (one .jsonl record per document) and runs the stages into `out`. */
export async function buildReportRun(dir: string): Promise<{ out: string; report: RunReport }> {
  const corpus = path.join(dir, 'corpus.jsonl');
  const lines: string[] = [];
  for (let d = 0; d < 80; d++) lines.push(JSON.stringify({ id: `doc${d}`, text: twoTopicText(8, 6, 12, d + 1) }));
  fs.writeFileSync(corpus, lines.join('\n') + '\n');
  const out = path.join(dir, 'run');
  const report = await runPipeline({
    out,
    dataset: corpus,
    only: REPORT_RUN_STAGES,
    threads: 1,
    logLevel: 'quiet',
    progress: 'quiet',
    params: {
      tokenize: { sentences: 'line', 'min-count': 1 },
      ngrams: { order: 3 },
      'lm-ngram': { model: 'kneser-ney,add-k,stupid-backoff' },
      cooccur: { 'min-count': 1, window: 4 },
      svd: { dim: 8 },
      word2vec: { dim: 8, epochs: 1, 'min-count': 1 },
      glove: { dim: 8, epochs: 3 },
      'lm-neural': { arch: 'transformer', 'd-model': 16, heads: 2, layers: 1, ffn: 32, context: 16, batch: 8, epochs: 2, 'max-minutes': 0.1, 'log-every': 2, warmup: 2 },
    },
  });
  return { out, report };
}
