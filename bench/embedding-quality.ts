// Quality figures shared by the embedding benchmarks: WS-353, SimLex-999
// (Spearman rho x 100) and analogy accuracy (3CosAdd, restricted to the 30000
// most frequent words, in %), computed with lexflow's own evaluation functions
// on any vectors file, so every tool is scored by the same code.

import path from 'node:path';
import { readAnalogyFile } from '../lib/embeddings/analogy.js';
import { evaluateAnalogies } from '../lib/embeddings/analogy.js';
import { loadEmbeddings } from '../lib/formats/vectors.js';
import { evaluateSimilarity, readSimilarityFile } from '../lib/embeddings/wordsim.js';

export interface Quality {
  ws353: number;
  simlex999: number;
  analogy: number;
  /** Share of analogy questions whose four words are in the restricted vocabulary. */
  analogyCoverage: number;
}

export async function evaluateVectors(file: string, dataDir: string): Promise<Quality> {
  const emb = await loadEmbeddings(file);
  const ws = evaluateSimilarity(emb, readSimilarityFile(path.join(dataDir, 'wordsim', 'EN-WS-353-ALL.txt')).pairs);
  const sl = evaluateSimilarity(emb, readSimilarityFile(path.join(dataDir, 'wordsim', 'EN-SIMLEX-999.txt')).pairs);
  const an = evaluateAnalogies(emb, readAnalogyFile(path.join(dataDir, 'analogy', 'questions-words.txt')), 30000);
  const round = (x: number): number => Math.round(x * 100) / 100;
  return {
    ws353: round(ws.rho * 100),
    simlex999: round(sl.rho * 100),
    // as word2vec compute-accuracy and gensim: correct / questions seen in the restricted vocabulary
    analogy: round((an.overall.correctAdd / Math.max(1, an.overall.seen)) * 100),
    analogyCoverage: round((an.overall.seen / Math.max(1, an.overall.total)) * 100),
  };
}

/** The largest amount, in points, by which `ref` beats `ours` on any metric (<= 0: ours is as good everywhere). */
export function maxQualityGap(ours: Quality, ref: Quality): number {
  return Math.round(Math.max(ref.ws353 - ours.ws353, ref.simlex999 - ours.simlex999, ref.analogy - ours.analogy) * 100) / 100;
}
