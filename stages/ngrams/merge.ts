// k-way merge of sorted runs into the final table `order-N.arrow`: a binary heap
// of run readers ordered by their current row; equal n-grams from different runs
// are summed; rows at or below the prune threshold are dropped (KenLM --prune).

import * as A from 'apache-arrow';
import { ArrowFileWriter, field, primitiveData } from '../../pipeline/arrow.js';
import { RunReader } from './runs.js';

export function ngramSchema(order: number): A.Schema {
  const fields = [];
  for (let k = 1; k <= order; k++) fields.push(field(`w${k}`, new A.Int32()));
  fields.push(field('count', new A.Uint32()));
  return new A.Schema(fields);
}

export interface MergeResult {
  rows: number;
  /** Sum of counts written (tokens of that order). */
  total: number;
}

function less(a: RunReader, b: RunReader, order: number): boolean {
  const pa = a.pos * order;
  const pb = b.pos * order;
  for (let k = 0; k < order; k++) {
    const d = a.words[pa + k]! - b.words[pb + k]!;
    if (d !== 0) return d < 0;
  }
  return false;
}

export async function mergeRuns(files: string[], order: number, outFile: string, pruneAtOrBelow = 0, batchRows = 1 << 16): Promise<MergeResult> {
  const readers = files.map((f) => new RunReader(f, order)).filter((r) => {
    if (r.live) return true;
    r.close();
    return false;
  });
  // Min-heap of readers by current row.
  const heap = readers.slice();
  const down = (i: number): void => {
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const m = r < n && less(heap[r]!, heap[l]!, order) ? r : l;
      if (!less(heap[m]!, heap[i]!, order)) return;
      [heap[m], heap[i]] = [heap[i]!, heap[m]!];
      i = m;
    }
  };
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);

  const writer = new ArrowFileWriter(outFile, ngramSchema(order));
  const schemaTypes = [...Array(order)].map(() => new A.Int32());
  let cols = [...Array(order)].map(() => new Int32Array(batchRows));
  let counts = new Uint32Array(batchRows);
  let fill = 0;
  let rows = 0;
  let total = 0;
  // The pending row (summing equal keys across runs).
  const pending = new Int32Array(order);
  let pendingCount = -1;

  const flush = async (): Promise<void> => {
    if (fill === 0) return;
    const data: A.Data[] = cols.map((c, k) => primitiveData(schemaTypes[k]!, c.subarray(0, fill)));
    data.push(primitiveData(new A.Uint32(), counts.subarray(0, fill)));
    await writer.writeColumns(data);
    // Arrow keeps views of the arrays: start fresh ones.
    cols = [...Array(order)].map(() => new Int32Array(batchRows));
    counts = new Uint32Array(batchRows);
    fill = 0;
  };
  const emit = (): boolean => {
    if (pendingCount <= pruneAtOrBelow) return false;
    if (pendingCount > 0xffffffff) throw new Error(`count of an ${order}-gram exceeds 2^32`);
    for (let k = 0; k < order; k++) cols[k]![fill] = pending[k]!;
    counts[fill++] = pendingCount;
    rows++;
    total += pendingCount;
    return fill === batchRows;
  };

  while (heap.length > 0) {
    const top = heap[0]!;
    const base = top.pos * order;
    let same = pendingCount >= 0;
    if (same) {
      for (let k = 0; k < order; k++) {
        if (pending[k] !== top.words[base + k]) {
          same = false;
          break;
        }
      }
    }
    if (same) {
      pendingCount += top.counts[top.pos]!;
    } else {
      if (pendingCount >= 0 && emit()) await flush();
      for (let k = 0; k < order; k++) pending[k] = top.words[base + k]!;
      pendingCount = top.counts[top.pos]!;
    }
    top.advance();
    if (!top.live) {
      top.close();
      const last = heap.pop()!;
      if (heap.length > 0 && last !== top) heap[0] = last;
      else if (heap.length > 0 && last === top) {
        /* top was the last element: nothing to move */
      }
    }
    if (heap.length > 0) down(0);
  }
  if (pendingCount >= 0) emit();
  await flush();
  await writer.close();
  return { rows, total };
}
