// Merging runs (entries grouped by row), one range of rows at a time (the cooccur stage's second
// worker step). Within a row, the runs' entries are added into a dense
// accumulator indexed by column, and the touched columns are sorted: no heap,
// and sums of integer weight units are exact whatever the order.

import { readRunRows, type RunSlice, type RunSource } from './runs.js';

export interface MergeTask {
  runs: RunSource[];
  V: number;
  rowLo: number;
  rowHi: number;
  /** Weight units per 1.0 of weight. */
  scale: number;
  /** Weight units of an event at distance d (the runs' `dists`). */
  weightUnits: Float64Array;
  /** Matrix index -> vocabulary id (increasing). */
  indexToId: Int32Array;
}

export interface MergeResult {
  /** Vocabulary ids, sorted by row then col. */
  rows: Int32Array;
  cols: Int32Array;
  weights: Float32Array;
  /** Sum of each row in [rowLo, rowHi), in weight units. */
  rowSums: Float64Array;
  /** This range's contribution to every column's sum, in weight units. */
  colSums: Float64Array;
}

/** Sort a row's touched columns: insertion sort when few, a scan of the flags when dense, else the native sort. */
function sortColumns(cs: Int32Array, seen: Uint8Array, V: number): void {
  const t = cs.length;
  if (t <= 24) {
    for (let i = 1; i < t; i++) {
      const x = cs[i]!;
      let j = i - 1;
      while (j >= 0 && cs[j]! > x) {
        cs[j + 1] = cs[j]!;
        j--;
      }
      cs[j + 1] = x;
    }
  } else if (t > V >>> 4) {
    let k = 0;
    for (let c = 0; c < V; c++) if (seen[c]) cs[k++] = c;
  } else cs.sort();
}

/**
 * This thread's output arrays, reused from merge to merge: a merge fills them up to its
 * entries and returns exact copies, which move to the main thread (the bound, the runs'
 * entries, is well above the distinct pairs once two threads' runs overlap, and arrays
 * of the bound's size were garbage after every merge).
 */
let scratch: { rows: Int32Array; cols: Int32Array; weights: Float32Array } | undefined;

function outputScratch(bound: number): NonNullable<typeof scratch> {
  if (!scratch || scratch.rows.length < bound) {
    const n = Math.max(bound, scratch ? 2 * scratch.rows.length : 0);
    scratch = { rows: new Int32Array(n), cols: new Int32Array(n), weights: new Float32Array(n) };
  }
  return scratch;
}

export function mergeRows(task: MergeTask): MergeResult {
  const { V, rowLo, rowHi, scale, indexToId, weightUnits } = task;
  const slices: RunSlice[] = task.runs.map((f) => readRunRows(f, rowLo, rowHi));
  const bound = slices.reduce((s, x) => s + x.cols.length, 0);
  const { rows, cols, weights } = outputScratch(bound);
  const rowSums = new Float64Array(rowHi - rowLo);
  const colSums = new Float64Array(V);
  const acc = new Float64Array(V);
  const seen = new Uint8Array(V);
  const touched = new Int32Array(V);
  let m = 0;
  for (let r = rowLo; r < rowHi; r++) {
    let t = 0;
    for (const s of slices) {
      const end = s.starts[r - rowLo + 1]!;
      const sc = s.cols;
      const sums = s.sums;
      if (sums)
        for (let k = s.starts[r - rowLo]!; k < end; k++) {
          const c = sc[k]!;
          if (!seen[c]) {
            seen[c] = 1;
            touched[t++] = c;
          }
          acc[c]! += sums[k]!;
        }
      else {
        const dists = s.dists!;
        for (let k = s.starts[r - rowLo]!; k < end; k++) {
          const c = sc[k]!;
          if (!seen[c]) {
            seen[c] = 1;
            touched[t++] = c;
          }
          acc[c]! += weightUnits[dists[k]!]!;
        }
      }
    }
    const cs = touched.subarray(0, t);
    sortColumns(cs, seen, V);
    const id = indexToId[r]!;
    let rowSum = 0;
    for (let k = 0; k < t; k++) {
      const c = cs[k]!;
      const units = acc[c]!;
      rows[m] = id;
      cols[m] = indexToId[c]!;
      weights[m++] = units / scale;
      rowSum += units;
      colSums[c]! += units;
      acc[c] = 0;
      seen[c] = 0;
    }
    rowSums[r - rowLo] = rowSum;
  }
  return { rows: rows.slice(0, m), cols: cols.slice(0, m), weights: weights.slice(0, m), rowSums, colSums };
}
