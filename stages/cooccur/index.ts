// The cooccur stage: a word-context co-occurrence matrix over the tokenize
// stage's train shards, as GloVe's `cooccur` computes it (window 10, symmetric,
// 1/d weights by default), counted in parallel and bounded by --memory:
//   1. choose the matrix vocabulary (--min-count, --max-vocab; rows = cols)
//   2. count windowed pairs per shard range into typed-array hash tables,
//      spilling sorted runs to disk when a table reaches its share of --memory
//   3. merge the runs row range by row range into cooccur.arrow (row, col,
//      weight; vocabulary ids, sorted by row then col) and marginals.arrow.

import fs from 'node:fs';
import path from 'node:path';
import * as A from 'apache-arrow';
import { ArrowFileWriter, field, primitiveData, utf8Data } from '../../pipeline/arrow.js';
import { UsageError } from '../../pipeline/errors.js';
import { defineStage } from '../../pipeline/stage.js';
import { listTokenShards, readVocab, SPECIALS } from '../../lib/formats/tokens.js';
import type { CountResult, CountTask, CountUnit } from './count.js';
import type { MergeResult, MergeTask } from './merge.js';
import { readRunRowStarts, type RunSource } from './runs.js';
import { DenseRegion } from './pair-table.js';
import { contextWeights, sumsAreExact, type Weighting } from './weights.js';
import { TASKS } from './tasks.js';

export const cooccurSchema = new A.Schema([field('row', new A.Int32()), field('col', new A.Int32()), field('weight', new A.Float32())]);
export const marginalsSchema = new A.Schema([
  field('id', new A.Int32()),
  field('token', new A.Utf8()),
  field('count', new A.Int64()),
  field('row_sum', new A.Float64()),
  field('col_sum', new A.Float64()),
]);

/** Bytes per table entry while counting: hash slots at load 1/2 plus the spill's sort buffers. */
const BYTES_PER_ENTRY = 96;
/** Bytes per entry while merging: run slices read plus output arrays. */
const MERGE_BYTES_PER_ENTRY = 48;

/** Split the shards into `threads` tasks of contiguous units; shards are split when there are fewer than threads. */
export function planUnits(files: string[], threads: number, splitShards: boolean): CountUnit[][] {
  const parts = splitShards && files.length < threads ? Math.ceil(threads / Math.max(1, files.length)) : 1;
  const units: CountUnit[] = [];
  for (const file of files) for (let p = 0; p < parts; p++) units.push({ file, part: p, parts });
  const groups: CountUnit[][] = [];
  const n = Math.min(threads, units.length);
  for (let g = 0; g < n; g++) groups.push(units.slice(Math.floor((units.length * g) / n), Math.floor((units.length * (g + 1)) / n)));
  return groups;
}

export default defineStage({
  name: 'cooccur',
  describe: 'word-context co-occurrence matrix (GloVe cooccur weighting by default)',
  version: 1,
  tasks: TASKS,
  inputs: ['tokenize'],
  params: {
    window: { type: 'int', default: 10, min: 1, max: 1000, describe: 'context words on each side (left only without --symmetric)' },
    symmetric: { type: 'bool', default: true, describe: 'count contexts on both sides; false: only words to the left of the row word' },
    weighting: { type: 'enum', choices: ['harmonic', 'uniform', 'dynamic'] as const, default: 'harmonic', describe: 'harmonic 1/d (GloVe), uniform 1, or dynamic (L-d+1)/L (word2vec\'s shrunk window in expectation)' },
    'min-count': { type: 'int', default: 5, min: 1, describe: 'drop words seen fewer times in train (before windowing, as GloVe and word2vec do)' },
    'max-vocab': { type: 'int', default: 0, min: 0, describe: 'keep at most this many most frequent words (0: no limit)' },
    'cross-sentences': { type: 'bool', default: false, describe: 'let windows run across sentence boundaries (never across documents)' },
    'dense-words': {
      type: 'int',
      default: 2048,
      min: 0,
      max: 8192,
      fingerprint: false,
      describe: 'pairs of frequency ranks r, c with r*c <= N^2 are counted in a dense region per thread, as GloVe does (speed only; shrunk to fit an eighth of the memory share)',
    },
    memory: { type: 'size', default: '1G', fingerprint: false, describe: 'memory budget for counting tables; past it, sorted runs spill to disk' },
  },
  async run(ctx) {
    const p = ctx.params;
    const window = p.window;
    const tokDir = ctx.input('tokenize').dir;

    // 1. vocabulary
    const vocab = await readVocab(tokDir);
    const keepIds: number[] = [];
    for (let id = SPECIALS.length; id < vocab.tokens.length; id++) {
      if (vocab.counts[id]! < p['min-count']) continue;
      if (p['max-vocab'] > 0 && keepIds.length >= p['max-vocab']) break;
      keepIds.push(id);
    }
    const V = keepIds.length;
    if (V === 0) throw new UsageError(`cooccur: no word occurs ${p['min-count']} times in train; lower --min-count`);
    const idToIndex = new Int32Array(vocab.tokens.length).fill(-1);
    keepIds.forEach((id, i) => (idToIndex[id] = i));
    const indexToId = Int32Array.from(keepIds);
    const trainTokens = vocab.counts.reduce((s, c) => s + c, 0);
    const weights = contextWeights(window, p.weighting as Weighting);
    if (!sumsAreExact(weights, trainTokens))
      ctx.warn(`window ${window} with ${p.weighting} weights is too wide for exact integer sums on ${trainTokens} tokens: weights are float64 sums and may differ in the last bit between thread counts`);
    ctx.log.info(`cooccur: ${V} words (min-count ${p['min-count']}${p['max-vocab'] ? `, max-vocab ${p['max-vocab']}` : ''}), window ${window}, ${p.symmetric ? 'symmetric' : 'left'}, ${p.weighting}`);

    // 2. count
    const files = listTokenShards(tokDir, 'train');
    if (files.length === 0) throw new UsageError(`cooccur: ${tokDir} has no train token shards; rerun the tokenize stage`);
    const runDir = path.join(ctx.checkpointDir, `runs-${process.pid}`);
    fs.rmSync(runDir, { recursive: true, force: true });
    fs.mkdirSync(runDir, { recursive: true });
    try {
      const threads = ctx.pool.threads;
      // The dense region takes at most an eighth of a thread's share: draining it may need three times its size.
      const denseProduct = DenseRegion.productFor(V, p.symmetric, p['dense-words'] ** 2, p.memory / threads / 8);
      const denseBytes = DenseRegion.cells(V, p.symmetric, denseProduct) * 8;
      const maxEntries = Math.max(1024, Math.floor((p.memory / threads - 4 * denseBytes) / BYTES_PER_ENTRY));
      const groups = planUnits(files, threads, !p['cross-sentences']);
      const counting = ctx.progress.step('counting co-occurrences', groups.length, 'tasks');
      const counted = await Promise.all(
        groups.map(async (units, g) => {
          const first = files.indexOf(units[0]!.file);
          const task: CountTask = {
            units,
            ...(p['cross-sentences'] && units[0]!.part === 0 && first > 0 ? { prevFile: files[first - 1]! } : {}),
            idToIndex,
            V,
            window,
            weightUnits: weights.units,
            symmetric: p.symmetric,
            crossSentences: p['cross-sentences'],
            maxEntries,
            denseProduct,
            // A merge on this machine reads the last run in place; remote workers see only files.
            keepLastInMemory: !ctx.pool.remote,
            runPrefix: path.join(runDir, `t${String(g).padStart(3, '0')}`),
          };
          const r = await ctx.pool.run<CountResult>(TASKS.count, task);
          counting.tick();
          return r;
        }),
      );
      const runs: RunSource[] = counted.flatMap((r) => [...r.runs, ...(r.memoryRun ? [r.memoryRun] : [])]);
      const tokens = counted.reduce((s, r) => s + r.tokens, 0);
      const kept = counted.reduce((s, r) => s + r.kept, 0);
      counting.done(`${tokens} tokens (${kept} in the vocabulary), ${runs.length} sorted runs`);

      // 3. merge, row range by row range, in order
      const perRow = new Float64Array(V);
      for (const run of runs) {
        const starts = readRunRowStarts(run);
        for (let r = 0; r < V; r++) perRow[r]! += starts[r + 1]! - starts[r]!;
      }
      const chunkEntries = Math.max(1 << 16, Math.floor(p.memory / threads / MERGE_BYTES_PER_ENTRY));
      const ranges: [number, number][] = [];
      for (let lo = 0; lo < V; ) {
        let hi = lo;
        let n = 0;
        while (hi < V && (hi === lo || n + perRow[hi]! <= chunkEntries)) n += perRow[hi++]!;
        ranges.push([lo, hi]);
        lo = hi;
      }
      const merging = ctx.progress.step('merging runs', V, 'rows');
      const out = new ArrowFileWriter(path.join(ctx.outDir, 'cooccur.arrow'), cooccurSchema);
      const rowSums = new Float64Array(V);
      const colSums = new Float64Array(V);
      const pending: Promise<MergeResult>[] = [];
      const launch = (i: number): void => {
        const [rowLo, rowHi] = ranges[i]!;
        const task: MergeTask = { runs, V, rowLo, rowHi, scale: weights.scale, indexToId };
        pending[i] = ctx.pool.run<MergeResult>(TASKS.merge, task);
      };
      const inFlight = threads + 1;
      for (let i = 0; i < Math.min(inFlight, ranges.length); i++) launch(i);
      for (let i = 0; i < ranges.length; i++) {
        const r = await pending[i]!;
        delete pending[i];
        if (i + inFlight < ranges.length) launch(i + inFlight);
        await out.writeColumns([primitiveData(new A.Int32(), r.rows), primitiveData(new A.Int32(), r.cols), primitiveData(new A.Float32(), r.weights)]);
        rowSums.set(r.rowSums, ranges[i]![0]);
        for (let c = 0; c < V; c++) colSums[c]! += r.colSums[c]!;
        merging.set(ranges[i]![1]);
      }
      const entries = await out.close();
      merging.done(`${entries} entries`);

      // marginals, in weights (units / scale)
      const marg = new ArrowFileWriter(path.join(ctx.outDir, 'marginals.arrow'), marginalsSchema);
      const scale = weights.scale;
      await marg.writeColumns([
        primitiveData(new A.Int32(), indexToId),
        utf8Data(keepIds.map((id) => vocab.tokens[id]!)),
        primitiveData(new A.Int64(), BigInt64Array.from(keepIds, (id) => BigInt(vocab.counts[id]!))),
        primitiveData(new A.Float64(), rowSums.map((x) => x / scale)),
        primitiveData(new A.Float64(), colSums.map((x) => x / scale)),
      ]);
      await marg.close();
      const total = rowSums.reduce((s, x) => s + x, 0) / scale;
      return {
        rows: { 'cooccur.arrow': entries, 'marginals.arrow': V },
        metrics: { vocabulary: V, entries, tokens, keptTokens: kept, totalWeight: total, spilledRuns: runs.length, density: entries / (V * V) },
      };
    } finally {
      fs.rmSync(runDir, { recursive: true, force: true });
    }
  },
});
