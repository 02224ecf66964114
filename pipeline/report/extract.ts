// Reads a run directory into the ReportData the page draws. Tables are read
// batch by batch into typed arrays; what the page cannot hold is sampled
// (the most frequent words for the maps, thinned curves) and said in `notes`.
// Costly figures (maps, scores the run did not compute, attention of a
// Transformer) are cached in report/cache/ under the stage's fingerprint, so a
// rebuild after a run that changed nothing costs almost nothing.

import fs from 'node:fs';
import path from 'node:path';
import type * as A from 'apache-arrow';
import { openArrow, readBatches } from '../arrow.js';
import { readManifest, type Manifest } from '../manifest.js';
import { readRunJson } from '../rundir.js';
import { runStatus } from '../status.js';
import { effectiveStages } from '../runner.js';
import { LEXFLOW_VERSION } from '../version.js';
import { InputError } from '../errors.js';
import { SPECIALS } from '../../lib/formats/tokens.js';
import type { AttentionMap, Curve, EmbeddingMap, EmbeddingScores, PerplexityRow, ReportData, RunInfo, Sample, StageInfo } from './data.js';
import { lttbIndices } from './downsample.js';
import { neighborsWithin, pca2, tsne2 } from './project.js';

export const REPORT_DIR = 'report';
export const CACHE_DIR = 'cache';

export interface ReportOptions {
  /** Other run directories whose curves (and perplexities) are overlaid. */
  compare?: string[];
  live?: boolean;
  /** Words on each embedding map (the most frequent). */
  mapWords?: number;
  /** Words of the t-SNE map (exact t-SNE is O(N²)). */
  tsneWords?: number;
  /** Points kept per curve. */
  curvePoints?: number;
  /** Draw a sample from each language model. */
  samples?: boolean;
  /**
   * What `lexflow run` asks for at its end: only what costs little. Samples and
   * analogy scores are then taken from the cache (an earlier `lexflow report`) or left out, and the page says so.
   */
  cheap?: boolean;
  /** Compute similarity/analogy scores the run did not (for word2vec, glove). */
  scores?: boolean;
  /** Told what is being computed when it is not cached (`lexflow report` prints it). */
  progress?: (line: string) => void;
}

/** As `lexflow report`'s flags default (commands.ts keeps a copy so the CLI starts without this module). */
export const DEFAULTS = { mapWords: 1500, tsneWords: 400, curvePoints: 2000 } as const;

/** Check that `dir` is a run directory (has run.json or a stage manifest); a clear error otherwise. */
export function checkRunDir(dir: string, flag: string): string {
  const abs = path.resolve(dir);
  if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory())
    throw new InputError(abs, `no such run directory (${flag})`, 'Pass the --out folder of a lexflow run, e.g. out/brown');
  if (!fs.existsSync(path.join(abs, 'run.json')))
    throw new InputError(abs, `not a lexflow run directory: no run.json (${flag})`, 'Pass the --out folder of a lexflow run (run `lexflow run --out DIR` first)');
  return abs;
}

export async function buildReportData(runDir: string, opts: ReportOptions = {}): Promise<ReportData> {
  const dirs = [path.resolve(runDir), ...(opts.compare ?? []).map((d) => path.resolve(d))];
  const names = uniqueNames(dirs);
  const notes: string[] = [];
  const runs: RunInfo[] = [];
  const perplexity: PerplexityRow[] = [];
  const curves: Curve[] = [];
  for (let i = 0; i < dirs.length; i++) {
    const run = await readRun(dirs[i]!, names[i]!);
    runs.push(run);
    perplexity.push(...(await perplexities(run)));
    curves.push(...(await trainingCurves(run, opts.curvePoints ?? DEFAULTS.curvePoints, notes)));
  }
  const main = runs[0]!;
  const cache = new Cache(path.join(dirs[0]!, REPORT_DIR, CACHE_DIR));
  const embeddings: EmbeddingMap[] = [];
  for (const st of doneStages(main)) {
    const file = path.join(main.dir, st.name, 'embeddings.arrow');
    if (!fs.existsSync(file)) continue;
    const mapWords = opts.mapWords ?? DEFAULTS.mapWords;
    const tsneWords = opts.tsneWords ?? DEFAULTS.tsneWords;
    const map = await cache.get(`map-${st.name}-${st.fingerprint}-${mapWords}-${tsneWords}`, () => {
      opts.progress?.(`${st.name}: map of the ${mapWords} most frequent words (PCA, t-SNE of ${tsneWords}, neighbours)`);
      return embeddingMap(st.name, file, mapWords, tsneWords);
    });
    embeddings.push(map);
    if (map.words.length < map.vocab)
      notes.push(`${st.name} map: the ${map.words.length} most frequent of ${map.vocab} words (PCA), t-SNE of the first ${map.tsne.length / 2}; neighbours on hover are among the mapped words`);
  }
  const { embeddingScores } = await import('./scores.js');
  const scores: EmbeddingScores[] = await embeddingScores(main, embeddings.map((e) => e.stage), cache, opts.scores ?? true, opts.cheap ?? false, notes, opts.progress);
  const { attentionMaps } = await import('./attention.js');
  const attention: AttentionMap[] = await attentionMaps(main, cache, notes);
  const { stageTranslations } = await import('./samples.js');
  const translations = await stageTranslations(main, notes);
  let samples: Sample[] = [];
  if (opts.samples ?? true) {
    const { lmSamples } = await import('./samples.js');
    samples = await lmSamples(main, cache, notes, opts.cheap ?? false, opts.progress);
  }
  return {
    format: 1,
    generated: new Date().toISOString(),
    lexflowVersion: LEXFLOW_VERSION,
    live: opts.live ?? false,
    runs,
    perplexity,
    curves,
    embeddings,
    embeddingScores: scores,
    attention,
    samples,
    translations,
    notes,
  };
}

function uniqueNames(dirs: string[]): string[] {
  const base = dirs.map((d) => path.basename(d));
  return base.map((b, i) => (base.indexOf(b) === base.lastIndexOf(b) ? b : `${b} (${path.basename(path.dirname(dirs[i]!))})`));
}

export function doneStages(run: RunInfo): StageInfo[] {
  return run.stages.filter((s) => s.state === 'done' || s.state === 'stale');
}

// ---------------------------------------------------------------- the run

async function readRun(dir: string, name: string): Promise<RunInfo> {
  const config = readRunJson(dir) ?? {};
  const tokensFrom = config.tokensFrom as string | undefined;
  const defs = new Map(effectiveStages(tokensFrom).map((d) => [d.name, d]));
  const states = await runStatus(dir, { deep: false });
  const stages: StageInfo[] = states.map((s) => {
    const m = s.manifest;
    const running = !m && fs.readdirSync(dir).some((n) => n.startsWith(`${s.stage}.tmp-`));
    return {
      name: s.stage,
      describe: defs.get(s.stage)?.describe ?? '',
      inputs: [...(defs.get(s.stage)?.inputs ?? [])],
      state: running ? 'running' : s.state,
      reason: running ? 'being written now' : s.reason,
      wallSeconds: m?.wallSeconds ?? null,
      peakRssMB: m?.peakRssMB ?? null,
      rows: m ? Object.values(m.rows).reduce((a, b) => a + b, 0) : null,
      fingerprint: m?.fingerprint ?? null,
      warnings: m?.warnings ?? [],
    };
  });
  // A stage folder of a stage this build does not register (one that landed on another branch) is still drawn.
  const known = new Set(stages.map((s) => s.name));
  for (const n of fs.readdirSync(dir).sort()) {
    if (known.has(n) || n === 'report' || n.includes('.tmp-') || n.includes('.old-')) continue;
    let m: Manifest | undefined;
    try {
      m = readManifest(path.join(dir, n));
    } catch {
      m = undefined;
    }
    if (!m) continue;
    stages.push({
      name: n,
      describe: '(not a stage of this lexflow build)',
      inputs: Object.keys(m.inputs),
      state: 'done',
      reason: 'not registered here: not verified',
      wallSeconds: m.wallSeconds,
      peakRssMB: m.peakRssMB,
      rows: Object.values(m.rows).reduce((a, b) => a + b, 0),
      fingerprint: m.fingerprint,
      warnings: m.warnings ?? [],
    });
  }
  return { name, dir, config, stages };
}

// ---------------------------------------------------------------- perplexities

/** Every language model of a run: the ppl rows of each stage's metrics.arrow, valid and test side by side. */
export async function perplexities(run: RunInfo): Promise<PerplexityRow[]> {
  const out: PerplexityRow[] = [];
  for (const st of doneStages(run)) {
    const file = path.join(run.dir, st.name, 'metrics.arrow');
    if (!fs.existsSync(file)) continue;
    const byModel = new Map<string, PerplexityRow>();
    for await (const b of readBatches(file)) {
      const metric = b.getChild('metric');
      const split = b.getChild('split');
      const value = b.getChild('value');
      const model = b.getChild('model');
      const note = b.getChild('note');
      if (!metric || !split || !value) continue;
      for (let i = 0; i < b.numRows; i++) {
        const m = String(metric.get(i));
        const sp = String(split.get(i));
        const v = Number(value.get(i));
        const name = model ? String(model.get(i)) : st.name;
        const row = (): PerplexityRow => {
          let r = byModel.get(name);
          if (!r) {
            r = { run: run.name, stage: st.name, model: name, validPpl: null, testPpl: null, testPplExclOov: null, testOov: null, testTokens: null, note: '' };
            byModel.set(name, r);
          }
          return r;
        };
        if (m === 'ppl' || m === 'perplexity') {
          const r = row();
          if (sp === 'valid') r.validPpl = v;
          else if (sp === 'test') r.testPpl = v;
          if (sp === 'test' && note) r.note = String(note.get(i) ?? '');
        } else if (sp === 'test' && (m === 'ppl_excl_oov' || m === 'ppl_no_unk')) row().testPplExclOov = v;
        else if (sp === 'test' && (m === 'oov' || m === 'unk_tokens')) row().testOov = v;
        else if (sp === 'test' && m === 'tokens') row().testTokens = v;
      }
    }
    // A stage with token counts but no perplexity (e.g. embeddings) is not a language model.
    for (const r of byModel.values()) if (r.validPpl !== null || r.testPpl !== null) out.push(r);
  }
  return out;
}

// ---------------------------------------------------------------- training curves

interface RawHistory {
  step: ArrayLike<number>;
  wall: ArrayLike<number>;
  loss: ArrayLike<number>;
  ppl: ArrayLike<number>;
}

async function readHistoryArrow(file: string): Promise<RawHistory> {
  const cols: Record<string, number[]> = { step: [], wall_s: [], train_loss: [], valid_ppl: [] };
  for await (const b of readBatches(file)) {
    for (const name of Object.keys(cols)) {
      const c = b.getChild(name);
      const dst = cols[name]!;
      if (!c) {
        for (let i = 0; i < b.numRows; i++) dst.push(NaN);
        continue;
      }
      const arr = c.toArray() as ArrayLike<number>;
      for (let i = 0; i < arr.length; i++) dst.push(Number(arr[i]));
    }
  }
  return { step: cols.step!, wall: cols.wall_s!, loss: cols.train_loss!, ppl: cols.valid_ppl! };
}

/** A running stage's history so far, from its checkpoint (written every --checkpoint-every steps). */
function readCheckpointHistory(runDir: string, stage: string): RawHistory | undefined {
  const root = path.join(runDir, '.checkpoints');
  let names: string[];
  try {
    names = fs.readdirSync(root).filter((n) => n.startsWith(`${stage}-`));
  } catch {
    return undefined;
  }
  let best: { t: number; file: string } | undefined;
  for (const n of names) {
    const file = path.join(root, n, 'checkpoint.json');
    try {
      const t = fs.statSync(file).mtimeMs;
      if (!best || t > best.t) best = { t, file };
    } catch {
      /* no checkpoint yet */
    }
  }
  if (!best) return undefined;
  try {
    const h = (JSON.parse(fs.readFileSync(best.file, 'utf8')) as { history?: { step: number; wallS: number; trainLoss: number | null; validPpl: number | null }[] }).history;
    if (!Array.isArray(h)) return undefined;
    return {
      step: h.map((r) => r.step),
      wall: h.map((r) => r.wallS),
      loss: h.map((r) => r.trainLoss ?? NaN),
      ppl: h.map((r) => r.validPpl ?? NaN),
    };
  } catch {
    return undefined; // being replaced right now; the next poll reads it
  }
}

async function trainingCurves(run: RunInfo, maxPoints: number, notes: string[]): Promise<Curve[]> {
  const out: Curve[] = [];
  for (const st of run.stages) {
    let raw: RawHistory | undefined;
    let live = false;
    const file = path.join(run.dir, st.name, 'history.arrow');
    if (st.state === 'running' || st.state === 'missing') {
      raw = readCheckpointHistory(run.dir, st.name);
      live = raw !== undefined;
    } else if (fs.existsSync(file)) raw = await readHistoryArrow(file);
    if (!raw) continue;
    const pick = (y: ArrayLike<number>): { step: number[]; wall: number[]; y: number[] } => {
      const keep = lttbIndices(raw!.step, y, maxPoints);
      return { step: keep.map((i) => raw!.step[i]!), wall: keep.map((i) => round(raw!.wall[i]!, 3)), y: keep.map((i) => round(y[i]!, 5)) };
    };
    const tr = pick(raw.loss);
    const va = pick(raw.ppl);
    const rows = raw.step.length;
    const m = readManifest(path.join(run.dir, st.name));
    const arch = (m?.metrics as { arch?: string } | undefined)?.arch;
    if (tr.step.length < countFinite(raw.loss)) notes.push(`${run.name}/${st.name}: train loss thinned from ${countFinite(raw.loss)} to ${tr.step.length} points (largest-triangle-three-buckets)`);
    out.push({
      run: run.name,
      stage: st.name,
      label: `${run.name}/${st.name}${arch ? ` (${arch})` : ''}`,
      live,
      train: { step: tr.step, wall: tr.wall, loss: tr.y },
      valid: { step: va.step, wall: va.wall, ppl: va.y },
      rows,
    });
  }
  return out;
}

function countFinite(a: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i]!)) n++;
  return n;
}

export function round(x: number, digits: number): number {
  if (!Number.isFinite(x)) return x;
  const p = 10 ** digits;
  return Math.round(x * p) / p;
}

/** Significant digits, for values whose scale is unknown (coordinates, weights). */
function sig(x: number, digits = 4): number {
  return Number.isFinite(x) ? Number(x.toPrecision(digits)) : x;
}

// ---------------------------------------------------------------- embedding maps

/** The first `n` rows of an embeddings.arrow (token, vector), skipping the special tokens; read batch by batch. */
export async function readFirstEmbeddings(file: string, n: number): Promise<{ words: string[]; dim: number; vectors: Float32Array; vocab: number }> {
  const f = await openArrow(file);
  try {
    const vecField = f.schema.fields.find((x) => x.name === 'vector');
    const type = vecField?.type as A.FixedSizeList | undefined;
    const dim = type?.listSize;
    if (!f.schema.fields.some((x) => x.name === 'token') || !dim)
      throw new InputError(file, 'not an embeddings table (needs columns token and vector FixedSizeList<float32>)', 'Rerun the stage that wrote it');
    const words: string[] = [];
    const vectors = new Float32Array(n * dim);
    let vocab = 0;
    const specials = new Set<string>(SPECIALS);
    for await (const b of f.batches()) {
      vocab += b.numRows;
      if (words.length >= n) continue;
      const tok = b.getChild('token')!;
      const vec = b.getChild('vector')!;
      let row = 0;
      for (const d of vec.data) {
        const child = d.children[0]!;
        const vals = child.values as Float32Array;
        for (let i = 0; i < d.length && words.length < n; i++, row++) {
          const w = String(tok.get(row));
          if (specials.has(w)) continue;
          const o = child.offset + (d.offset + i) * dim;
          vectors.set(vals.subarray(o, o + dim), words.length * dim);
          words.push(w);
        }
        if (words.length >= n) break;
      }
    }
    return { words, dim, vectors: vectors.subarray(0, words.length * dim), vocab };
  } finally {
    await f.close();
  }
}

export const MAP_NEIGHBORS = 8;

async function embeddingMap(stage: string, file: string, mapWords: number, tsneWords: number): Promise<EmbeddingMap> {
  const e = await readFirstEmbeddings(file, mapWords);
  const m = { rows: e.words.length, dim: e.dim, data: e.vectors };
  const { xy, variance } = pca2(m);
  const nt = Math.min(tsneWords, m.rows);
  const ts = tsne2({ rows: nt, dim: e.dim, data: e.vectors.subarray(0, nt * e.dim) }, { init: xy.subarray(0, nt * 2), iterations: 300 });
  const nb = neighborsWithin(m, MAP_NEIGHBORS);
  return {
    stage,
    vocab: e.vocab,
    dim: e.dim,
    words: e.words,
    pca: Array.from(xy, (v) => sig(v)),
    pcaVariance: [sig(variance[0]), sig(variance[1])],
    tsne: Array.from(ts, (v) => sig(v)),
    k: Math.min(MAP_NEIGHBORS, Math.max(m.rows - 1, 0)),
    neighbors: Array.from(nb.index),
    cosines: Array.from(nb.cosine, (v) => round(v, 3)),
  };
}

// ---------------------------------------------------------------- cache

/** JSON files under report/cache, written atomically; keys embed the fingerprints they depend on. */
export class Cache {
  constructor(readonly dir: string) {}
  file(key: string): string {
    return path.join(this.dir, `${key.replace(/[^A-Za-z0-9._-]+/g, '_')}.json`);
  }
  /** The cached value, or undefined. */
  peek<T>(key: string): T | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.file(key), 'utf8')) as T;
    } catch {
      return undefined;
    }
  }
  async get<T>(key: string, make: () => Promise<T>): Promise<T> {
    const file = this.file(key);
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
    } catch {
      /* not cached yet, or torn */
    }
    const v = await make();
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      const tmp = `${file}.tmp-${process.pid}`;
      fs.writeFileSync(tmp, JSON.stringify(v));
      fs.renameSync(tmp, file);
    } catch {
      /* a read-only run folder: the report still builds, uncached */
    }
    return v;
  }
}

export function manifestOf(run: RunInfo, stage: string): Manifest | undefined {
  return readManifest(path.join(run.dir, stage));
}
