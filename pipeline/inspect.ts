// What `lexflow inspect` shows of an Arrow file: schema, row count, head and
// tail rows, and per-column statistics, all computed batch by batch.

import * as A from 'apache-arrow';
import { openArrow, type ArrowFile } from './arrow.js';

export type Cell = string | number | boolean | null | Cell[];

/** A JS value for one cell: bigint -> number, lists -> arrays, long lists truncated. */
export function cellValue(v: unknown, maxItems = 12): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof A.Vector || ArrayBuffer.isView(v) || Array.isArray(v)) {
    const arr = v instanceof A.Vector ? v.toArray() : (v as ArrayLike<unknown>);
    const n = arr.length;
    const out: Cell[] = [];
    for (let i = 0; i < Math.min(n, maxItems); i++) out.push(cellValue((arr as ArrayLike<unknown>)[i], maxItems));
    if (n > maxItems) out.push(`… ${n - maxItems} more`);
    return out;
  }
  if (typeof v === 'object' && v !== null && 'toJSON' in v) return cellValue((v as { toJSON(): unknown }).toJSON(), maxItems);
  return String(v);
}

export function cellText(c: Cell): string {
  if (c === null) return 'null';
  if (Array.isArray(c)) return `[${c.map(cellText).join(', ')}]`;
  if (typeof c === 'number') return Number.isInteger(c) ? String(c) : String(Number(c.toPrecision(7)));
  return String(c);
}

export interface ColumnStats {
  name: string;
  type: string;
  nulls: number;
  /** NaN values of a float column: left out of min, max and mean (one NaN would make them all NaN). */
  nans: number;
  min: number | string | null;
  max: number | string | null;
  mean: number | null;
  /** Distinct values when few (<= 1000), else null. */
  distinct: number | null;
  /** For list columns: statistics of the list lengths; values stats cover the items. */
  lengths?: { min: number; max: number; mean: number };
}

const DISTINCT_CAP = 1000;

class StatsAcc {
  nulls = 0;
  nans = 0;
  count = 0;
  sum = 0;
  min: number | string | null = null;
  max: number | string | null = null;
  distinct: Set<unknown> | null = new Set();
  lenMin = Infinity;
  lenMax = -Infinity;
  lenSum = 0;
  lists = 0;

  addScalar(v: unknown): void {
    if (v === null || v === undefined) {
      this.nulls++;
      return;
    }
    const x = typeof v === 'bigint' ? Number(v) : v;
    if (typeof x === 'number' && Number.isNaN(x)) {
      this.nans++;
      return;
    }
    if (typeof x === 'number') {
      this.count++;
      this.sum += x;
      if (this.min === null || x < (this.min as number)) this.min = x;
      if (this.max === null || x > (this.max as number)) this.max = x;
    } else if (typeof x === 'string') {
      this.count++;
      if (this.min === null || x < (this.min as string)) this.min = x;
      if (this.max === null || x > (this.max as string)) this.max = x;
    }
    if (this.distinct) {
      this.distinct.add(x);
      if (this.distinct.size > DISTINCT_CAP) this.distinct = null;
    }
  }

  /** Numeric typed-array fast path (values of primitive or list columns). */
  addNumbers(values: ArrayLike<number | bigint>): void {
    for (let i = 0; i < values.length; i++) {
      const x = Number(values[i]);
      if (Number.isNaN(x)) {
        this.nans++;
        continue;
      }
      this.count++;
      this.sum += x;
      if (this.min === null || x < (this.min as number)) this.min = x;
      if (this.max === null || x > (this.max as number)) this.max = x;
      if (this.distinct) {
        this.distinct.add(x);
        if (this.distinct.size > DISTINCT_CAP) this.distinct = null;
      }
    }
  }

  addLength(n: number): void {
    this.lists++;
    this.lenSum += n;
    if (n < this.lenMin) this.lenMin = n;
    if (n > this.lenMax) this.lenMax = n;
  }
}

function isNumericPrimitive(t: A.DataType): boolean {
  return A.DataType.isInt(t) || A.DataType.isFloat(t);
}

/** Per-column statistics over every batch of the file. */
export async function columnStats(file: ArrowFile): Promise<ColumnStats[]> {
  const fields = file.schema.fields;
  const accs = fields.map(() => new StatsAcc());
  for await (const batch of file.batches()) {
    fields.forEach((f, i) => {
      const acc = accs[i]!;
      const col = batch.getChildAt(i)!;
      for (const data of col.data) {
        const t = f.type;
        if (isNumericPrimitive(t) && data.nullCount === 0) {
          acc.addNumbers((data.values as Int32Array).subarray(data.offset, data.offset + data.length));
        } else if ((A.DataType.isList(t) || A.DataType.isFixedSizeList(t)) && data.nullCount === 0 && isNumericPrimitive(t.children[0]!.type)) {
          const child = data.children[0]!;
          if (A.DataType.isList(t)) {
            const offs = data.valueOffsets as Int32Array;
            for (let r = 0; r < data.length; r++) acc.addLength(offs[data.offset + r + 1]! - offs[data.offset + r]!);
            const lo = offs[data.offset]!;
            const hi = offs[data.offset + data.length]!;
            acc.addNumbers((child.values as Int32Array).subarray(child.offset + lo, child.offset + hi));
          } else {
            const dim = (t as A.FixedSizeList).listSize;
            for (let r = 0; r < data.length; r++) acc.addLength(dim);
            acc.addNumbers((child.values as Float32Array).subarray(child.offset + data.offset * dim, child.offset + (data.offset + data.length) * dim));
          }
        } else {
          const vec = A.makeVector(data);
          for (let r = 0; r < vec.length; r++) acc.addScalar(vec.get(r));
        }
      }
    });
  }
  return fields.map((f, i) => {
    const a = accs[i]!;
    const s: ColumnStats = {
      name: f.name,
      type: String(f.type),
      nulls: a.nulls,
      nans: a.nans,
      min: a.min,
      max: a.max,
      mean: a.count > 0 && typeof a.min === 'number' ? a.sum / a.count : null,
      distinct: a.distinct ? a.distinct.size : null,
    };
    if (a.lists > 0) s.lengths = { min: a.lenMin, max: a.lenMax, mean: a.lenSum / a.lists };
    return s;
  });
}

/** Rows [start, start+count) as objects of cells, reading only the batches that hold them. */
export async function readRows(file: ArrowFile, start: number, count: number, batchRows: number[]): Promise<Record<string, Cell>[]> {
  const out: Record<string, Cell>[] = [];
  let base = 0;
  for (let b = 0; b < batchRows.length && out.length < count; b++) {
    const n = batchRows[b]!;
    if (base + n > start) {
      const batch = await file.batch(b);
      for (let r = Math.max(0, start - base); r < n && out.length < count; r++) {
        const row: Record<string, Cell> = {};
        for (const f of file.schema.fields) row[f.name] = cellValue(batch.getChild(f.name)!.get(r));
        out.push(row);
      }
    }
    base += n;
  }
  return out;
}

/** Rows per batch, from the batches themselves (the footer gives no counts in arrow-js). */
export async function batchRowCounts(file: ArrowFile): Promise<number[]> {
  const counts: number[] = [];
  for (let i = 0; i < file.numBatches; i++) counts.push((await file.batch(i)).numRows);
  return counts;
}

export { openArrow };
