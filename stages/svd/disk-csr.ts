// The PMI matrix as compressed sparse rows on disk, for a matrix past --memory:
// the row pointers (one float64 per word) stay in memory, the column indices
// and values are flat files in the stage's temp folder (lib/spill/flat-file.ts),
// and each sparse product reads them one block of rows at a time into shared
// memory for the pool. A row's product is the same sum in the same order
// whatever the blocks, so the vectors are the same bytes as with the matrix in
// memory. The transpose is written the same way, one range of its rows per
// pass over the matrix, in the order of transposeCsr.

import path from 'node:path';
import { columnValues, readBatches } from '../../pipeline/arrow.js';
import { chunks, FlatWriter, readInto } from '../../lib/spill/flat-file.js';
import type { Csr } from '../../lib/linalg/dense.js';

export interface DiskCsr {
  kind: 'disk';
  rows: number;
  cols: number;
  rowPtr: Float64Array;
  colFile: string;
  valFile: string;
  /** Bytes of column indices and values a block may hold. */
  blockBytes: number;
}

/** A matrix in memory or on disk, as the sparse products take it. */
export type SparseRows = Csr | DiskCsr;

export const isDisk = (A: SparseRows): A is DiskCsr => (A as DiskCsr).kind === 'disk';

const BUFFER = 1 << 16;
/** Bytes per nonzero: an int32 column and a float32 value. */
export const NONZERO_BYTES = 8;

/** Read a (row, col, value) table of vocabulary ids, sorted by row, into CSR files over matrix indices. */
export async function writeSparse(file: string, index: Map<number, number>, V: number, dir: string, blockBytes: number, onCells: (n: number) => void = () => {}): Promise<DiskCsr> {
  const rowPtr = new Float64Array(V + 1);
  const colFile = path.join(dir, 'pmi-cols.bin');
  const valFile = path.join(dir, 'pmi-vals.bin');
  const cols = new FlatWriter(colFile, Int32Array, BUFFER);
  const vals = new FlatWriter(valFile, Float32Array, BUFFER);
  for await (const b of readBatches(file)) {
    const rc = b.getChild('row')!.data;
    for (let d = 0; d < rc.length; d++) {
      const rs = columnValues<Int32Array>(rc[d]!);
      const cs = columnValues<Int32Array>(b.getChild('col')!.data[d]!);
      const vs = columnValues<Float32Array>(b.getChild('pmi')!.data[d]!);
      for (let i = 0; i < rs.length; i++) {
        rowPtr[index.get(rs[i]!)! + 1]!++;
        cols.push(index.get(cs[i]!)!);
        vals.push(vs[i]!);
      }
    }
    onCells(b.numRows);
  }
  cols.close();
  vals.close();
  for (let r = 0; r < V; r++) rowPtr[r + 1]! += rowPtr[r]!;
  return { kind: 'disk', rows: V, cols: V, rowPtr, colFile, valFile, blockBytes };
}

/** Row blocks [lo, hi) of at most `blockBytes` of nonzeros (at least one row each). */
export function rowBlocks(A: DiskCsr): [number, number][] {
  const per = Math.max(1, Math.floor(A.blockBytes / NONZERO_BYTES));
  const out: [number, number][] = [];
  let lo = 0;
  while (lo < A.rows) {
    let hi = lo + 1;
    while (hi < A.rows && A.rowPtr[hi + 1]! - A.rowPtr[lo]! <= per) hi++;
    out.push([lo, hi]);
    lo = hi;
  }
  return out;
}

/** Rows [lo, hi) as a Csr of hi-lo rows in memory from `alloc` (shared for the pool). */
export function loadBlock(A: DiskCsr, lo: number, hi: number, alloc: { f64(n: number): Float64Array; i32(n: number): Int32Array; f32(n: number): Float32Array }): Csr {
  const base = A.rowPtr[lo]!;
  const nnz = A.rowPtr[hi]! - base;
  const rowPtr = alloc.f64(hi - lo + 1);
  for (let r = lo; r <= hi; r++) rowPtr[r - lo] = A.rowPtr[r]! - base;
  const colIdx = alloc.i32(nnz);
  const vals = alloc.f32(nnz);
  readInto(A.colFile, base, colIdx);
  readInto(A.valFile, base, vals);
  return { rows: hi - lo, cols: A.cols, rowPtr, colIdx, vals };
}

/** The transpose on disk, equal to transposeCsr's: one range of its rows (the matrix's columns) per pass. */
export function transposeOnDisk(A: DiskCsr, dir: string): DiskCsr {
  const rowPtr = new Float64Array(A.cols + 1);
  for (const c of chunks(A.colFile, Int32Array, 1, BUFFER)) for (let i = 0; i < c.rows; i++) rowPtr[c.data[i]! + 1]!++;
  for (let c = 0; c < A.cols; c++) rowPtr[c + 1]! += rowPtr[c]!;
  const T: DiskCsr = { kind: 'disk', rows: A.cols, cols: A.rows, rowPtr, colFile: path.join(dir, 'pmi-t-cols.bin'), valFile: path.join(dir, 'pmi-t-vals.bin'), blockBytes: A.blockBytes };
  const outCols = new FlatWriter(T.colFile, Int32Array, BUFFER);
  const outVals = new FlatWriter(T.valFile, Float32Array, BUFFER);
  for (const [clo, chi] of rowBlocks(T)) {
    const base = rowPtr[clo]!;
    const n = rowPtr[chi]! - base;
    const colIdx = new Int32Array(n);
    const vals = new Float32Array(n);
    const next = rowPtr.slice(clo, chi);
    // The matrix's rows in order: row r's entries in column c go to the next free slot of c.
    let r = 0;
    const valChunks = chunks(A.valFile, Float32Array, 1, BUFFER);
    for (const c of chunks(A.colFile, Int32Array, 1, BUFFER)) {
      const v = valChunks.next().value!.data;
      for (let i = 0; i < c.rows; i++) {
        const p = c.start + i;
        while (A.rowPtr[r + 1]! <= p) r++;
        const col = c.data[i]!;
        if (col < clo || col >= chi) continue;
        const k = next[col - clo]!++ - base;
        colIdx[k] = r;
        vals[k] = v[i]!;
      }
    }
    valChunks.return(undefined);
    for (let i = 0; i < n; i++) {
      outCols.push(colIdx[i]!);
      outVals.push(vals[i]!);
    }
  }
  outCols.close();
  outVals.close();
  return T;
}
