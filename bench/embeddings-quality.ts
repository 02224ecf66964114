// The embedding half of bench/cooccur: PPMI (cds 0.75) + SVD on the
// co-occurrence matrix just compared with GloVe, scored on WS-353 (Spearman rho)
// and word2vec's analogies (3CosAdd / 3CosMul over the 30000 most frequent
// words), for orientation against hyperwords-style results.

import fs from 'node:fs';
import path from 'node:path';
import pmi from '../stages/pmi/index.js';
import svd from '../stages/svd/index.js';
import { loadEmbeddings } from '../lib/formats/vectors.js';
import { evaluateSimilarity, readSimilarityFile } from '../lib/embeddings/wordsim.js';
import { evaluateAnalogies, readAnalogyFile } from '../lib/embeddings/analogy.js';
import { runStageDirect } from '../testkit/stage-harness.js';

export async function embeddingsBench(work: string, cooccurDir: string, threads: number, dim = 300): Promise<Record<string, unknown>> {
  const data = process.env.LEXFLOW_DATA;
  const out: Record<string, unknown> = {};
  const pmiDir = path.join(work, 'pmi');
  const svdDir = path.join(work, 'svd');
  let t0 = performance.now();
  await runStageDirect(pmi, { inputs: { cooccur: cooccurDir }, outDir: pmiDir, threads });
  out.pmi_seconds = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const r = await runStageDirect(svd, { inputs: { cooccur: cooccurDir, pmi: pmiDir }, outDir: svdDir, params: { dim }, threads });
  out.svd_seconds = (performance.now() - t0) / 1000;
  out.svd_dim = dim;
  out.svd_vocabulary = r.result.metrics!.vocabulary;
  console.log(`PPMI + SVD (dim ${dim}): pmi ${(out.pmi_seconds as number).toFixed(1)} s, svd ${(out.svd_seconds as number).toFixed(1)} s`);
  if (!data) {
    console.log('LEXFLOW_DATA unset: WS-353 and analogies skipped');
    return out;
  }
  const emb = await loadEmbeddings(path.join(svdDir, 'embeddings.arrow'));
  const ws = path.join(data, 'wordsim', 'EN-WS-353-ALL.txt');
  if (fs.existsSync(ws)) {
    const s = evaluateSimilarity(emb, readSimilarityFile(ws).pairs);
    Object.assign(out, { ppmi_svd_ws353_rho: s.rho, ws353_found: s.found, ws353_pairs: s.pairs });
    console.log(`WS-353: rho ${s.rho.toFixed(3)} (${s.found}/${s.pairs} pairs)`);
  }
  const qw = path.join(data, 'analogy', 'questions-words.txt');
  if (fs.existsSync(qw)) {
    const a = evaluateAnalogies(emb, readAnalogyFile(qw), 30000);
    const o = a.overall;
    Object.assign(out, { analogy_seen: o.seen, analogy_total: o.total, analogy_3cosadd: o.correctAdd / o.seen, analogy_3cosmul: o.correctMul / o.seen });
    console.log(`analogies: 3CosAdd ${((100 * o.correctAdd) / o.seen).toFixed(1)} %, 3CosMul ${((100 * o.correctMul) / o.seen).toFixed(1)} % (${o.seen}/${o.total} questions seen)`);
  }
  return out;
}
