// Runs: one per spill of a counting table, entries grouped by row (columns
// unordered within a row), each with a float64 sum of weight units (the dense
// region's cells) or a uint16 distance (the pair log's events; dense-region.ts,
// RowGroups). A spill while counting goes to a file laid out so a merge can read
// any row range without reading the rest:
//   [V, n, kind] float64 | rowStarts (V+1) float64 | cols n int32 | sums n float64 (kind 0) or dists n uint16 (kind 1)
// A counting task's last run may instead stay in memory (SharedArrayBuffers),
// read in place by the merges on this machine: no write and read back.

import fs from 'node:fs';
import type { RowGroups } from './dense-region.js';

const HEADER = 24;
const SUMS = 0;
const DISTS = 1;

function writeAll(fd: number, a: ArrayBufferView): void {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  for (let off = 0; off < bytes.length; ) off += fs.writeSync(fd, bytes, off, bytes.length - off);
}

function readInto(fd: number, a: ArrayBufferView, position: number): void {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  for (let off = 0; off < bytes.length; ) {
    const got = fs.readSync(fd, bytes, off, bytes.length - off, position + off);
    if (got === 0) throw new Error(`run file ended early at byte ${position + off}`);
    off += got;
  }
}

export function writeRun(file: string, V: number, t: RowGroups): void {
  const n = t.cols.length;
  const starts = t.starts;
  const fd = fs.openSync(file, 'w');
  try {
    writeAll(fd, Float64Array.of(V, n, t.sums ? SUMS : DISTS));
    writeAll(fd, starts);
    writeAll(fd, t.cols);
    writeAll(fd, t.sums ?? t.dists!);
  } finally {
    fs.closeSync(fd);
  }
}

/** A run file's path, or a run kept in memory. */
export type RunSource = string | RowGroups;

/** Rows [lo, hi) of a run: starts relative to the slice (hi-lo+1), cols, and sums or dists as the run has. */
export type RunSlice = RowGroups;

export function readRunRows(run: RunSource, lo: number, hi: number): RunSlice {
  if (typeof run !== 'string') {
    const first = run.starts[lo]!;
    const starts = run.starts.slice(lo, hi + 1);
    for (let i = 0; i < starts.length; i++) starts[i]! -= first;
    const end = run.starts[hi]!;
    const cols = run.cols.subarray(first, end);
    return run.sums ? { starts, cols, sums: run.sums.subarray(first, end) } : { starts, cols, dists: run.dists!.subarray(first, end) };
  }
  const file = run;
  const fd = fs.openSync(file, 'r');
  try {
    const head = new Float64Array(3);
    readInto(fd, head, 0);
    const [V, n, kind] = [head[0]!, head[1]!, head[2]!];
    const starts = new Float64Array(hi - lo + 1);
    readInto(fd, starts, HEADER + lo * 8);
    const first = starts[0]!;
    const count = starts[hi - lo]! - first;
    for (let i = 0; i < starts.length; i++) starts[i]! -= first;
    const cols = new Int32Array(count);
    const values = kind === SUMS ? new Float64Array(count) : new Uint16Array(count);
    const colsAt = HEADER + (V + 1) * 8;
    if (count > 0) {
      readInto(fd, cols, colsAt + first * 4);
      readInto(fd, values, colsAt + n * 4 + first * values.BYTES_PER_ELEMENT);
    }
    return values instanceof Float64Array ? { starts, cols, sums: values } : { starts, cols, dists: values };
  } finally {
    fs.closeSync(fd);
  }
}
