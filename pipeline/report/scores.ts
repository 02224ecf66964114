// Word-similarity and analogy figures of every embedding stage, side by side.
// A stage that another stage evaluated (eval-embeddings reads svd) shows that
// stage's metrics.arrow; the others are scored here with the same settings
// (eval-embeddings' params from run.json: the same sets, the same --restrict),
// so the columns compare like with like. Cached under the vectors' fingerprint.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { readBatches } from '../arrow.js';
import { InputError } from '../errors.js';
import { packageRoot } from './page.js';
import { loadEmbeddings, type LoadedEmbeddings } from '../../lib/formats/vectors.js';
import { evaluateAnalogies, readAnalogyFile, type AnalogyResult } from '../../lib/embeddings/analogy.js';
import { evaluateSimilarity, listSimilarityFiles, readSimilarityFile } from '../../lib/embeddings/wordsim.js';
import type { EmbeddingScores, RunInfo } from './data.js';
import { doneStages, manifestOf, type Cache } from './extract.js';

const SCORE_METRICS = new Set(['spearman', '3cosadd', '3cosmul']);

type ScoreRow = EmbeddingScores['rows'][number];

// The rows eval-embeddings writes to its metrics.arrow, computed the same way from lib/embeddings.

/** Where eval-embeddings looks by default: $LEXFLOW_DATA's larger sets, else the bundled data/eval. */
function defaultData(rel: string): string | undefined {
  for (const d of [process.env.LEXFLOW_DATA, path.join(packageRoot(), 'data', 'eval')]) if (d && fs.existsSync(path.join(d, rel))) return path.join(d, rel);
  return undefined;
}

function similarityRows(emb: LoadedEmbeddings, where: string): ScoreRow[] {
  let files: string[];
  try {
    files = fs.statSync(where).isDirectory() ? listSimilarityFiles(where) : [where];
  } catch {
    throw new InputError(where, 'no such word-similarity file or folder', "Fix eval-embeddings' --wordsim in run.json, or $LEXFLOW_DATA");
  }
  return files.map((f) => {
    const set = readSimilarityFile(f);
    const r = evaluateSimilarity(emb, set.pairs);
    return { metric: 'spearman', set: set.name, value: Number.isFinite(r.rho) ? r.rho : null, found: r.found, total: r.pairs };
  });
}

function analogyRows(r: AnalogyResult): ScoreRow[] {
  const rows: ScoreRow[] = [];
  for (const s of [...r.sections, r.semantic, r.syntactic, r.overall]) {
    rows.push({ metric: '3cosadd', set: s.name, value: s.seen ? s.correctAdd / s.seen : null, found: s.seen, total: s.total });
    rows.push({ metric: '3cosmul', set: s.name, value: s.seen ? s.correctMul / s.seen : null, found: s.seen, total: s.total });
  }
  return rows;
}

/** The score rows of an evaluating stage's metrics.arrow for `stage`'s vectors (its `vectors` column; every row when it has none). */
async function readScoreRows(file: string, stage: string): Promise<ScoreRow[]> {
  const rows: ScoreRow[] = [];
  for await (const b of readBatches(file)) {
    const [metric, set, value, found, total, vectors] = ['metric', 'set', 'value', 'found', 'total', 'vectors'].map((c) => b.getChild(c));
    if (!metric || !set || !value) continue;
    for (let i = 0; i < b.numRows; i++) {
      const m = String(metric.get(i));
      if (!SCORE_METRICS.has(m)) continue;
      if (vectors && String(vectors.get(i)) !== stage) continue;
      const v = Number(value.get(i));
      rows.push({ metric: m, set: String(set.get(i)), value: Number.isFinite(v) ? v : null, found: Number(found?.get(i) ?? 0), total: Number(total?.get(i) ?? 0) });
    }
  }
  return rows;
}

/** `cheap`: word similarity is computed (it is quick), analogies only taken from the cache. */
export async function embeddingScores(
  run: RunInfo,
  stages: string[],
  cache: Cache,
  compute: boolean,
  cheap: boolean,
  notes: string[],
  progress: (line: string) => void = () => {},
): Promise<EmbeddingScores[]> {
  const out: EmbeddingScores[] = [];
  const done = doneStages(run);
  // Settings of the run's evaluation stage, so computed figures match its own.
  const evalCfg = ((run.config.stages as Record<string, Record<string, unknown>> | undefined) ?? {})['eval-embeddings'] ?? {};
  const given = (k: string): string | undefined => (evalCfg[k] === 'none' ? undefined : (evalCfg[k] as string) || undefined);
  const wordsim = evalCfg.wordsim === 'none' ? undefined : (given('wordsim') ?? defaultData('wordsim'));
  const analogies = evalCfg.analogies === 'none' ? undefined : (given('analogies') ?? defaultData(path.join('analogy', 'questions-words.txt')));
  const restrict = Number(evalCfg.restrict ?? 30000);
  for (const stage of stages) {
    // An evaluating stage reads this one and writes score rows.
    let found: EmbeddingScores | undefined;
    for (const ev of done) {
      const m = manifestOf(run, ev.name);
      if (!m || !Object.keys(m.inputs).includes(stage)) continue;
      const file = path.join(run.dir, ev.name, 'metrics.arrow');
      if (!fs.existsSync(file)) continue;
      const rows = await readScoreRows(file, stage);
      if (rows.length) found = { stage, source: `${ev.name} stage`, rows };
    }
    if (found) {
      out.push(found);
      continue;
    }
    if (!compute || (!wordsim && !analogies)) continue;
    const fp = manifestOf(run, stage)?.fingerprint ?? 'none';
    const settings = crypto.createHash('sha256').update(JSON.stringify([wordsim, analogies, restrict, fileStamp(wordsim), fileStamp(analogies)])).digest('hex').slice(0, 12);
    let emb: Promise<LoadedEmbeddings> | undefined;
    const vectors = (): Promise<LoadedEmbeddings> => (emb ??= loadEmbeddings(path.join(run.dir, stage, 'embeddings.arrow')));
    const rows: ScoreRow[] = [];
    if (wordsim) rows.push(...(await cache.get(`wordsim-${stage}-${fp}-${settings}`, async () => {
          progress(`${stage}: word similarity`);
          return similarityRows(await vectors(), wordsim);
        })));
    if (analogies) {
      const key = `analogy-${stage}-${fp}-${settings}`;
      const cached = cache.peek<ScoreRow[]>(key);
      if (cached) rows.push(...cached);
      else if (cheap) notes.push(`${stage}: analogy accuracy not computed here, to keep the end of \`lexflow run\` short; \`lexflow report\` computes it`);
      else
        rows.push(
          // One thread: the pool's analogy task belongs to the eval-embeddings stage.
          ...(await cache.get(key, async () => {
              progress(`${stage}: analogies over the ${restrict} most frequent words`);
              return analogyRows(evaluateAnalogies(await vectors(), readAnalogyFile(analogies), restrict));
            })),
        );
    }
    out.push({ stage, source: `computed by the report with eval-embeddings' settings (restrict ${restrict})`, rows });
  }
  if (!wordsim && !analogies && stages.length) notes.push('no word-similarity or analogy data: set $LEXFLOW_DATA (wordsim/, analogy/) to score the embeddings');
  return out;
}

/** Size and mtime of a data file or folder, so edited evaluation data is rescored. */
function fileStamp(p: string | undefined): string {
  if (!p) return '';
  try {
    const st = fs.statSync(p);
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return 'absent';
  }
}
