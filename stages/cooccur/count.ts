// Counting word-context pairs in windows over token shards (the cooccur
// stage's worker side). Tokens outside the matrix vocabulary are dropped
// BEFORE windowing, so distances count kept words only, exactly as GloVe's
// cooccur and word2vec do. A window never crosses a sentence, or with
// cross-sentences never a document.
//
// Symmetric counting stores each unordered pair once (smaller index first)
// and expands it to (a,b) and (b,a) when the log spills (pair-log.ts); a word paired with
// itself counts twice, as GloVe adds both directions to the same cell.

import path from 'node:path';
import { readTokenShard } from '../../lib/formats/tokens.js';
import { PairLog } from './pair-log.js';
import { DenseRegion, drainDenseByRow, type RowGroups } from './dense-region.js';
import { writeRun } from './runs.js';

export interface CountUnit {
  file: string;
  /** This unit is sentences [floor(rows*from), floor(rows*to)) of the shard (0 <= from < to <= 1). */
  from: number;
  to: number;
}

export interface CountTask {
  units: CountUnit[];
  /** With cross-sentences: the shard before the first unit, whose last document may continue. */
  prevFile?: string;
  /** Token id -> matrix index, -1 when not in the matrix. */
  idToIndex: Int32Array;
  /** Matrix size (rows = cols). */
  V: number;
  window: number;
  /** Integer weight units by distance d = 1..window (weights.ts). */
  weightUnits: Float64Array;
  symmetric: boolean;
  crossSentences: boolean;
  /** Pairs of ranks r, c with (r+1)(c+1) <= denseProduct are counted in a dense region (dense-region.ts; 0: none). */
  denseProduct: number;
  /** Return the last run in SharedArrayBuffers instead of writing it (a merge on this machine reads it in place). */
  keepLastInMemory?: boolean;
  /** Log entries (pairs outside the dense region) at which to spill a run. */
  maxEntries: number;
  /** Runs are written as `${runPrefix}-NNNN.run`. */
  runPrefix: string;
}

export interface CountResult {
  /** Run files spilled while counting. */
  runs: string[];
  /** The last runs (the log's and the dense region's), when kept in memory (keepLastInMemory). */
  memoryRuns: RowGroups[];
  tokens: number;
  kept: number;
  sentences: number;
}

/** Write a run file (entries grouped by row, both directions for symmetric counting). */
function spillRun(groups: RowGroups, task: CountTask, runs: string[]): void {
  const file = `${task.runPrefix}-${String(runs.length).padStart(4, '0')}.run`;
  writeRun(file, task.V, groups);
  runs.push(file);
}

/** Spill the log as one run file. */
function spill(log: PairLog, task: CountTask, runs: string[]): void {
  spillRun(log.drainByRow(task.V, task.symmetric), task, runs);
}

/**
 * Count centers seq[from..to) against up to `window` kept words on their left
 * (which may reach back before `from`, into the carried history).
 */
function countCenters(seq: Int32Array, from: number, to: number, task: CountTask, log: PairLog, dense: DenseRegion, runs: string[]): void {
  const { window, weightUnits, symmetric } = task;
  const { lim, off, cells } = dense;
  const rowsD = lim.length;
  for (let i = from; i < to; i++) {
    const center = seq[i]!;
    const stop = Math.max(0, i - window);
    for (let k = i - 1; k >= stop; k--) {
      const left = seq[k]!;
      const w = weightUnits[i - k]!;
      // row, col of the stored entry: (center, left), or for symmetric counting the ordered pair
      const r = symmetric && left < center ? left : center;
      const c = symmetric && left < center ? center : left;
      if (r < rowsD && c < lim[r]!) cells[off[r]! + c]! += w;
      else log.add(r, c, i - k);
    }
    if (log.full) spill(log, task, runs);
  }
}

export function countUnits(task: CountTask): CountResult {
  let log: PairLog | undefined;
  const dense = new DenseRegion(task.V, task.symmetric, task.denseProduct);
  const runs: string[] = [];
  const { idToIndex, window } = task;
  let tokens = 0;
  let kept = 0;
  let sentences = 0;
  // seq = carried history (at most `window` kept words of the current document) + this sentence
  let seq = new Int32Array(1024);
  let hist = 0;
  let doc = -1;
  if (task.crossSentences && task.prevFile) {
    const prev = readTokenShard(task.prevFile);
    if (prev.rows > 0) {
      doc = prev.docs[prev.rows - 1]!;
      for (let r = prev.rows - 1; r >= 0 && prev.docs[r] === doc && hist < window; r--)
        for (let p = prev.offsets[r + 1]! - 1; p >= prev.offsets[r]! && hist < window; p--) {
          const x = idToIndex[prev.ids[p]!]!;
          if (x >= 0) seq[hist++] = x;
        }
      seq.subarray(0, hist).reverse();
    }
  }
  for (const unit of task.units) {
    const shard = readTokenShard(unit.file);
    // The log grows a chunk at a time: with the dense region taking most pairs, a size guessed
    // from the token count overshot its entries tenfold.
    log ??= new PairLog(task.maxEntries);
    const lo = Math.floor(shard.rows * unit.from);
    const hi = unit.to === 1 ? shard.rows : Math.floor(shard.rows * unit.to);
    for (let r = lo; r < hi; r++) {
      const a = shard.offsets[r]!;
      const b = shard.offsets[r + 1]!;
      sentences++;
      tokens += b - a;
      if (!task.crossSentences || shard.docs[r] !== doc) hist = 0;
      doc = shard.docs[r]!;
      if (seq.length < hist + (b - a)) {
        const grown = new Int32Array(Math.max(seq.length * 2, hist + (b - a)));
        grown.set(seq.subarray(0, hist));
        seq = grown;
      }
      let n = hist;
      for (let p = a; p < b; p++) {
        const x = idToIndex[shard.ids[p]!]!;
        if (x >= 0) seq[n++] = x;
      }
      kept += n - hist;
      countCenters(seq, hist, n, task, log, dense, runs);
      // keep the last `window` kept words as history for the next sentence of this document
      if (task.crossSentences) {
        const keep = Math.min(window, n);
        seq.copyWithin(0, n - keep, n);
        hist = keep;
      }
    }
  }
  log ??= new PairLog(task.maxEntries);
  // The last runs: the log's events and the dense region's cells.
  const shared = task.keepLastInMemory === true;
  const last = [log.drainByRow(task.V, task.symmetric, shared), drainDenseByRow(dense, task.V, task.symmetric, shared)].filter((g) => g.cols.length > 0);
  if (!shared) for (const g of last) spillRun(g, task, runs);
  return { runs: runs.map((r) => path.resolve(r)), memoryRuns: shared ? last : [], tokens, kept, sentences };
}
