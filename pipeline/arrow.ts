// Arrow IPC helpers (docs/ARCHITECTURE.md, "Arrow tables"). Tables are written one record
// batch at a time, straight to disk, and read back one batch at a time, so no
// table has to fit in memory. Columns are built from typed arrays without
// copying; `listInt32` gives the values and offsets of a List<int32> column
// as typed arrays, also without copying.

import fs from 'node:fs';
import { once } from 'node:events';
import * as A from 'apache-arrow';
import { InputError } from './errors.js';

export { A };

export const ARROW_MAGIC = 'ARROW1';

// ---------------------------------------------------------------- building columns

export const int32 = (): A.Int32 => new A.Int32();
export const listOfInt32 = (): A.List<A.Int32> => new A.List(new A.Field('item', new A.Int32(), false));

export function field(name: string, type: A.DataType, nullable = false): A.Field {
  return new A.Field(name, type, nullable);
}

type Prim = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array | BigInt64Array | BigUint64Array;

/** A primitive column over `values` (no copy). */
export function primitiveData<T extends A.DataType>(type: T, values: Prim): A.Data<T> {
  return A.makeData({ type, length: values.length, data: values } as never) as A.Data<T>;
}

/** A List<int32> column from offsets (length rows+1) and values (no copy). */
export function listInt32Data(offsets: Int32Array, values: Int32Array): A.Data<A.List<A.Int32>> {
  const child = A.makeData({ type: new A.Int32(), length: values.length, data: values });
  return A.makeData({ type: listOfInt32(), length: offsets.length - 1, valueOffsets: offsets, child });
}

/** A FixedSizeList<float32> column of `values.length / dim` rows (no copy). */
export function fixedFloat32Data(dim: number, values: Float32Array): A.Data<A.FixedSizeList<A.Float32>> {
  const child = A.makeData({ type: new A.Float32(), length: values.length, data: values });
  const type = new A.FixedSizeList(dim, new A.Field('item', new A.Float32(), false));
  return A.makeData({ type, length: values.length / dim, child });
}

/** A utf8 column from JS strings (encodes once into one buffer). */
export function utf8Data(strings: readonly string[]): A.Data<A.Utf8> {
  const enc = new TextEncoder();
  const parts = strings.map((s) => enc.encode(s));
  const offsets = new Int32Array(strings.length + 1);
  let total = 0;
  for (let i = 0; i < parts.length; i++) {
    total += parts[i]!.length;
    offsets[i + 1] = total;
  }
  const data = new Uint8Array(total);
  for (let i = 0; i < parts.length; i++) data.set(parts[i]!, offsets[i]!);
  return A.makeData({ type: new A.Utf8(), length: strings.length, valueOffsets: offsets, data });
}

/** Assemble a record batch from a schema and one Data per field, in order. */
export function makeBatch(schema: A.Schema, columns: A.Data[]): A.RecordBatch {
  const length = columns.length ? columns[0]!.length : 0;
  for (const c of columns) if (c.length !== length) throw new Error('makeBatch: columns differ in length');
  const struct = A.makeData({ type: new A.Struct(schema.fields), length, children: columns, nullCount: 0 });
  return new A.RecordBatch(schema, struct);
}

// ---------------------------------------------------------------- writing

/**
 * Writes an Arrow IPC file batch by batch. Bytes are flushed to disk as they
 * are produced; `write` waits for the file stream to drain (backpressure).
 */
export class ArrowFileWriter {
  private readonly writer: A.RecordBatchFileWriter;
  private readonly out: fs.WriteStream;
  private readonly done: Promise<void>;
  private rowCount = 0;
  private closed = false;

  constructor(
    readonly path: string,
    readonly schema: A.Schema,
  ) {
    this.writer = new A.RecordBatchFileWriter({ autoDestroy: true });
    this.out = fs.createWriteStream(path);
    const src = this.writer.toNodeStream();
    src.pipe(this.out);
    this.done = new Promise((resolve, reject) => {
      this.out.on('finish', () => resolve());
      this.out.on('error', reject);
      src.on('error', reject);
    });
    this.writer.reset(undefined, schema);
  }

  get rows(): number {
    return this.rowCount;
  }

  async write(batch: A.RecordBatch): Promise<void> {
    if (batch.numRows === 0) return;
    this.writer.write(batch);
    this.rowCount += batch.numRows;
    if (this.out.writableNeedDrain) await once(this.out, 'drain');
  }

  /** Build a batch from columns (one Data per schema field) and write it. */
  async writeColumns(columns: A.Data[]): Promise<void> {
    await this.write(makeBatch(this.schema, columns));
  }

  async close(): Promise<number> {
    if (this.closed) return this.rowCount;
    this.closed = true;
    this.writer.finish();
    this.writer.close();
    await this.done;
    return this.rowCount;
  }
}

// ---------------------------------------------------------------- reading

/** Check the magic bytes at both ends, so a truncated file is named before Arrow trips on it. */
export function checkArrowFile(path: string): void {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch {
    throw new InputError(path, 'no such Arrow file', 'Check the path, or run the stage that writes it');
  }
  try {
    const size = fs.fstatSync(fd).size;
    const head = Buffer.alloc(6);
    const tail = Buffer.alloc(6);
    if (size < 12) throw new InputError(path, `not an Arrow IPC file (${size} bytes)`, 'Rerun the stage that wrote it (lexflow stage NAME --force)');
    fs.readSync(fd, head, 0, 6, 0);
    fs.readSync(fd, tail, 0, 6, size - 6);
    if (head.toString('latin1') !== ARROW_MAGIC)
      throw new InputError(path, 'not an Arrow IPC file (bad magic bytes at the start)', 'Rerun the stage that wrote it (lexflow stage NAME --force)');
    if (tail.toString('latin1') !== ARROW_MAGIC)
      throw new InputError(path, 'truncated Arrow file (no footer)', 'It was not written to the end; rerun the stage that wrote it (lexflow stage NAME --force)');
  } finally {
    fs.closeSync(fd);
  }
}

/** An open Arrow file: its schema, batch count, and batches read one at a time. */
export interface ArrowFile {
  readonly path: string;
  readonly schema: A.Schema;
  readonly numBatches: number;
  batch(i: number): Promise<A.RecordBatch>;
  batches(): AsyncIterable<A.RecordBatch>;
  close(): Promise<void>;
}

export async function openArrow(path: string): Promise<ArrowFile> {
  checkArrowFile(path);
  const fh = await fs.promises.open(path, 'r');
  let reader: A.AsyncRecordBatchFileReader;
  try {
    reader = (await A.RecordBatchReader.from(fh)) as unknown as A.AsyncRecordBatchFileReader;
    await reader.open();
  } catch (e) {
    await fh.close().catch(() => {});
    throw new InputError(path, `corrupt Arrow file (${(e as Error).message})`, 'Rerun the stage that wrote it (lexflow stage NAME --force)');
  }
  const numBatches = reader.numRecordBatches;
  const readOne = async (i: number): Promise<A.RecordBatch> => {
    const b = await reader.readRecordBatch(i);
    if (!b) throw new InputError(path, `corrupt Arrow file (record batch ${i} unreadable)`, 'Rerun the stage that wrote it');
    return b;
  };
  return {
    path,
    schema: reader.schema,
    numBatches,
    batch: readOne,
    async *batches() {
      for (let i = 0; i < numBatches; i++) yield await readOne(i);
    },
    async close() {
      await reader.cancel().catch(() => {});
      await fh.close().catch(() => {});
    },
  };
}

/** Stream every batch of a file, closing it at the end. */
export async function* readBatches(path: string): AsyncGenerator<A.RecordBatch> {
  const f = await openArrow(path);
  try {
    yield* f.batches();
  } finally {
    await f.close();
  }
}

/** Read a whole small file at once (a bounded token shard in a worker, a vocabulary). */
export function readTableSync(path: string): A.Table {
  checkArrowFile(path);
  try {
    return A.tableFromIPC(fs.readFileSync(path));
  } catch (e) {
    throw new InputError(path, `corrupt Arrow file (${(e as Error).message})`, 'Rerun the stage that wrote it (lexflow stage NAME --force)');
  }
}

/** Row count from the footer, without reading the data. */
export async function countRows(path: string): Promise<number> {
  const f = await openArrow(path);
  let n = 0;
  try {
    for await (const b of f.batches()) n += b.numRows;
  } finally {
    await f.close();
  }
  return n;
}

// ---------------------------------------------------------------- zero-copy access

/** Offsets (rows+1, starting at 0) and values of a List<int32> chunk, as views into Arrow's buffers. */
export interface ListInt32 {
  offsets: Int32Array;
  values: Int32Array;
}

export function listInt32(data: A.Data): ListInt32 {
  const rows = data.length;
  const allOffsets = data.valueOffsets as Int32Array;
  const offsets = allOffsets.subarray(data.offset, data.offset + rows + 1);
  const child = data.children[0]!;
  const base = offsets[0]!;
  const end = offsets[rows]!;
  const values = (child.values as Int32Array).subarray(child.offset + base, child.offset + end);
  if (base === 0) return { offsets, values };
  // A sliced column: rebase the offsets (a small copy of rows+1 ints, values stay shared).
  const rebased = new Int32Array(rows + 1);
  for (let i = 0; i <= rows; i++) rebased[i] = offsets[i]! - base;
  return { offsets: rebased, values };
}

/** The primitive values of a column chunk as a typed-array view (no copy). */
export function columnValues<T extends Prim>(data: A.Data): T {
  const v = data.values as T;
  return v.subarray(data.offset, data.offset + data.length) as T;
}
