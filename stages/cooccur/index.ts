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
import type { RunSource } from './runs.js';
import { DenseRegion } from './dense-region.js';
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

/**
 * Bytes of the budget per logged event while counting: 10 in the log and up to 12 in the run
 * it drains into (both directions), with the margin of the hash table the log replaced (its
 * slots at load 1/2 and the spill's sort buffers took 96).
 */
const BYTES_PER_ENTRY = 96;
/** Bytes per entry while merging: run slices read plus output arrays. */
const MERGE_BYTES_PER_ENTRY = 48;
/** Entries (a bound) per merged row range. */
const RANGE_ENTRIES = 1 << 21;

/**
 * Split the shards into `threads` tasks of contiguous units, balanced by shard size in
 * bytes (about tokens): with `splitShards`, a shard that straddles a cut is split there
 * by rows; without (windows across sentences need whole shards), tasks get whole shards.
 */
export function planUnits(files: string[], sizes: number[], threads: number, splitShards: boolean): CountUnit[][] {
  const total = sizes.reduce((s, x) => s + x, 0);
  const n = Math.max(1, Math.min(threads, splitShards ? threads : files.length));
  const groups: CountUnit[][] = Array.from({ length: n }, () => []);
  let start = 0;
  for (const [i, file] of files.entries()) {
    const size = sizes[i]!;
    const end = start + size;
    if (!splitShards) {
      // the task whose share holds this shard's middle
      groups[Math.min(n - 1, Math.floor(((start + size / 2) / Math.max(1, total)) * n))]!.push({ file, from: 0, to: 1 });
    } else {
      let from = 0;
      for (let g = Math.min(n - 1, Math.floor((start / Math.max(1, total)) * n)); g < n; g++) {
        const cut = g === n - 1 ? Infinity : (total * (g + 1)) / n;
        const to = cut >= end ? 1 : (cut - start) / Math.max(1, size);
        if (to > from) groups[g]!.push({ file, from, to });
        from = to;
        if (to === 1) break;
      }
    }
    start = end;
  }
  return groups.filter((g) => g.length > 0);
}

export default defineStage({
  name: 'cooccur',
  describe: 'word-context co-occurrence matrix (GloVe cooccur weighting by default)',
  // 2: record batches set by the vocabulary alone (the same bytes for any --threads and --memory)
  version: 2,
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
      // 512, not 2048: a region per thread of ~96 MB at 2048 made two threads slower than one
      // (their random writes contend for the shared cache); at 512 one thread is as fast and
      // two are 1.1x (3M tokens) to 1.3x (10M) faster (docs/BENCHMARKS.md).
      default: 512,
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
      // The dense region takes at most an eighth of a thread's share (draining it may need three times
      // its size), and no more cells than the thread's window events (a bigger one is pages to zero and scan).
      const events = (trainTokens / threads) * window;
      const denseProduct = DenseRegion.productFor(V, p.symmetric, p['dense-words'] ** 2, Math.min(p.memory / threads / 8, 8 * events));
      const denseBytes = DenseRegion.cells(V, p.symmetric, denseProduct) * 8;
      const maxEntries = Math.max(1024, Math.floor((p.memory / threads - 4 * denseBytes) / BYTES_PER_ENTRY));
      const groups = planUnits(files, files.map((f) => fs.statSync(f).size), threads, !p['cross-sentences']);
      const counting = ctx.progress.step('counting co-occurrences', groups.length, 'tasks');
      const counted = await Promise.all(
        groups.map(async (units, g) => {
          const first = files.indexOf(units[0]!.file);
          const task: CountTask = {
            units,
            ...(p['cross-sentences'] && units[0]!.from === 0 && first > 0 ? { prevFile: files[first - 1]! } : {}),
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
      const runs: RunSource[] = counted.flatMap((r) => [...r.runs, ...r.memoryRuns]);
      const tokens = counted.reduce((s, r) => s + r.tokens, 0);
      const kept = counted.reduce((s, r) => s + r.kept, 0);
      counting.done(`${tokens} tokens (${kept} in the vocabulary), ${runs.length} sorted runs`);

      // 3. merge, row range by row range, in order. The ranges (one record batch each) follow a
      // bound on each row's entries that depends on the vocabulary alone, min(V, events of the
      // word), not on --threads or --memory: the file is the same bytes for any of them. The
      // budget sets how many merges are in flight.
      const perRow = Float64Array.from(keepIds, (id) => Math.min(V, (p.symmetric ? 2 : 1) * window * vocab.counts[id]!));
      const ranges: [number, number][] = [];
      for (let lo = 0; lo < V; ) {
        let hi = lo;
        let n = 0;
        while (hi < V && (hi === lo || n + perRow[hi]! <= RANGE_ENTRIES)) n += perRow[hi++]!;
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
        const task: MergeTask = { runs, V, rowLo, rowHi, scale: weights.scale, weightUnits: weights.units, indexToId };
        pending[i] = ctx.pool.run<MergeResult>(TASKS.merge, task);
      };
      // The runs kept in memory take their share of the budget first.
      const heldBytes = counted.reduce((s, r) => s + r.memoryRuns.reduce((b, g) => b + g.starts.byteLength + g.cols.byteLength + (g.sums ?? g.dists!).byteLength, 0), 0);
      const inFlight = Math.max(1, Math.min(threads + 1, Math.floor((p.memory - heldBytes) / (RANGE_ENTRIES * MERGE_BYTES_PER_ENTRY))));
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
