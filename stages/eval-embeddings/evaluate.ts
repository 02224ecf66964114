// Scoring one set of embeddings on every word-similarity set of a folder and
// on an analogy file, as rows of metrics.arrow and a printed table. Shared by
// the eval-embeddings stage and `lexflow eval similarity|analogy`.

import crypto from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { writeMetricsTable } from '../../pipeline/metrics.js';
import { InputError } from '../../pipeline/errors.js';
import type { Pool } from '../../pipeline/pool.js';
import { formatTable } from '../../pipeline/cli/table.js';
import type { AnalogySearchTask } from './analogy-search.task.js';
import { mergeBest, planAnalogies, readAnalogyFile, scoreAnalogies, bestAnswersInRange, type AnalogyResult, type BestAnswers } from '../../lib/embeddings/analogy.js';
import type { LoadedEmbeddings } from '../../lib/formats/vectors.js';
import { evaluateSimilarity, listSimilarityFiles, readSimilarityFile } from '../../lib/embeddings/wordsim.js';
import { TASKS } from './tasks.js';

/** One row of metrics.arrow. */
export interface MetricRow {
  /** Which vectors were scored (svd, word2vec, glove; '-' for a file given on the command line). */
  vectors?: string;
  metric: string;
  /** The evaluation set (file name, analogy section). */
  set: string;
  value: number;
  found: number;
  total: number;
}

export function writeMetrics(file: string, rows: MetricRow[]): Promise<number> {
  return writeMetricsTable(
    file,
    rows.map((r) => ({ ...r, split: 'eval' })),
    [
      { name: 'vectors', of: (r) => r.vectors ?? '-' },
      { name: 'set', of: (r) => r.set },
      { name: 'found', int: true, of: (r) => r.found },
      { name: 'total', int: true, of: (r) => r.total },
    ],
  );
}

/** Similarity sets: a folder of files, or one file. */
export function similarityFiles(where: string): string[] {
  let st: fs.Stats;
  try {
    st = fs.statSync(where);
  } catch {
    throw new InputError(where, 'no such word-similarity file or folder', 'Point --wordsim at a folder of word1<TAB>word2<TAB>score files');
  }
  return st.isDirectory() ? listSimilarityFiles(where) : [where];
}

export function similarityRows(emb: LoadedEmbeddings, files: string[]): MetricRow[] {
  return files.map((f) => {
    const set = readSimilarityFile(f);
    const r = evaluateSimilarity(emb, set.pairs);
    return { metric: 'spearman', set: set.name, value: r.rho, found: r.found, total: r.pairs };
  });
}

/** Analogy accuracy; the candidate search is split across the pool when one is given. */
/** `onWords` hears of the candidate words searched so far (a progress bar of min(restrict, vocabulary) words). */
export async function analogyResult(emb: LoadedEmbeddings, file: string, restrict: number, pool?: Pool, onWords?: (n: number) => void): Promise<AnalogyResult> {
  const plan = planAnalogies(emb.tokens, readAnalogyFile(file), restrict);
  const n = Math.min(restrict, emb.tokens.length);
  let best: BestAnswers;
  if (!pool || pool.threads === 1 || plan.answers.length === 0) {
    best = bestAnswersInRange(emb.unit, emb.dim, plan.abc, 0, n);
    onWords?.(n);
  }
  else {
    const unit = new Float32Array(new SharedArrayBuffer(4 * n * emb.dim));
    unit.set(emb.unit.subarray(0, n * emb.dim));
    // Four ranges a thread, so the bar moves; ties keep the lower row, so the ranges do not change the answers (mergeBest).
    const parts = Math.max(1, Math.min(n, pool.threads * 4));
    const tasks: Promise<BestAnswers>[] = [];
    for (let p = 0; p < parts; p++) {
      const task: AnalogySearchTask = { unit, dim: emb.dim, abc: plan.abc, lo: Math.floor((n * p) / parts), hi: Math.floor((n * (p + 1)) / parts) };
      tasks.push(
        pool.run<BestAnswers>(TASKS.analogySearch, task).then((b) => {
          onWords?.(task.hi - task.lo);
          return b;
        }),
      );
    }
    best = mergeBest(await Promise.all(tasks));
  }
  return scoreAnalogies(emb.tokens, plan, best);
}

export function analogyRows(r: AnalogyResult): MetricRow[] {
  const rows: MetricRow[] = [];
  for (const s of [...r.sections, r.semantic, r.syntactic, r.overall]) {
    rows.push({ metric: '3cosadd', set: s.name, value: s.seen ? s.correctAdd / s.seen : NaN, found: s.seen, total: s.total });
    rows.push({ metric: '3cosmul', set: s.name, value: s.seen ? s.correctMul / s.seen : NaN, found: s.seen, total: s.total });
  }
  return rows;
}

/** The printed table: one line per set, coverage beside each value. */
export function metricsTable(rows: MetricRow[]): string {
  const withVectors = rows.some((r) => r.vectors !== undefined);
  return formatTable(
    [...(withVectors ? ['vectors'] : []), 'metric', 'set', 'value', 'coverage'],
    rows.map((r) => [...(withVectors ? [r.vectors ?? '-'] : []), r.metric, r.set, Number.isNaN(r.value) ? '-' : r.metric === 'spearman' ? r.value.toFixed(3) : `${(100 * r.value).toFixed(2)} %`, `${r.found}/${r.total}`]),
    [...(withVectors ? ['l' as const] : []), 'l', 'l', 'r', 'r'],
  );
}

/** The small sets shipped with lexflow (data/eval, see its SOURCE.md), from dist/stages/eval-embeddings/. */
export const BUNDLED_EVAL = fileURLToPath(new URL('../../../data/eval/', import.meta.url));

/** Default data: $LEXFLOW_DATA's when it has them (the larger sets), else the bundled ones. */
export function defaultWordsim(): string | undefined {
  const d = process.env.LEXFLOW_DATA;
  if (d && fs.existsSync(path.join(d, 'wordsim'))) return path.join(d, 'wordsim');
  const b = path.join(BUNDLED_EVAL, 'wordsim');
  return fs.existsSync(b) ? b : undefined;
}
export function defaultAnalogies(): string | undefined {
  const d = process.env.LEXFLOW_DATA;
  const f = d && path.join(d, 'analogy', 'questions-words.txt');
  if (f && fs.existsSync(f)) return f;
  const b = path.join(BUNDLED_EVAL, 'analogy', 'questions-words.txt');
  return fs.existsSync(b) ? b : undefined;
}

/** `--wordsim none` / `--analogies none` skip that evaluation. */
export const NONE = 'none';

/** Where the stage reads its sets from, for these params. */
export function evaluationData(p: { wordsim: string; analogies: string }): { wordsim?: string; analogies?: string } {
  const wordsim = p.wordsim === NONE ? undefined : p.wordsim || defaultWordsim();
  const analogies = p.analogies === NONE ? undefined : p.analogies || defaultAnalogies();
  return { ...(wordsim ? { wordsim } : {}), ...(analogies ? { analogies } : {}) };
}

/** Content hashes of the files `evaluationData` names: what the stage read belongs in its fingerprint. */
export function evaluationDataHashes(p: { wordsim: string; analogies: string }): Record<string, string> {
  const d = evaluationData(p);
  const files = [...(d.wordsim ? similarityFiles(d.wordsim) : []), ...(d.analogies ? [d.analogies] : [])];
  const out: Record<string, string> = {};
  for (const f of files) {
    try {
      out[path.basename(f)] = crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');
    } catch {
      out[path.basename(f)] = 'unreadable'; // the stage itself says which file and why
    }
  }
  return out;
}
