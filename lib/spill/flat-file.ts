// Typed arrays on disk as raw native-endian bytes, for the intermediate columns
// of a stage that works in bounded memory (lm-ngram's streaming Kneser–Ney):
// written through one bounded buffer, read back in chunks of whole rows or as
// a range, and updated in place window by window. Nothing here is an output
// format; the files live in a stage's temp folder and are removed with it.

import fs from 'node:fs';

export type Typed = Int32Array | Uint32Array | Float32Array | Float64Array;
export interface TypedCtor<T extends Typed> {
  new (length: number): T;
  readonly BYTES_PER_ELEMENT: number;
}

function bytesOf(a: Typed, from: number, n: number): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset + from * a.BYTES_PER_ELEMENT, n * a.BYTES_PER_ELEMENT);
}

function readFully(fd: number, into: Uint8Array, position: number): void {
  let off = 0;
  while (off < into.length) {
    const got = fs.readSync(fd, into, off, into.length - off, position + off);
    if (got === 0) throw new Error(`flat file: short read at byte ${position + off}`);
    off += got;
  }
}

function writeFully(fd: number, from: Uint8Array, position: number | null): void {
  let off = 0;
  while (off < from.length) off += fs.writeSync(fd, from, off, from.length - off, position === null ? null : position + off);
}

/** Appends values through a buffer of `bufferElems`. */
export class FlatWriter<T extends Typed> {
  private readonly fd: number;
  private readonly buf: T;
  private pos = 0;
  count = 0;

  constructor(
    readonly file: string,
    ctor: TypedCtor<T>,
    bufferElems: number,
  ) {
    this.fd = fs.openSync(file, 'w');
    this.buf = new ctor(Math.max(16, bufferElems));
  }

  push(v: number): void {
    if (this.pos === this.buf.length) this.flush();
    this.buf[this.pos++] = v;
    this.count++;
  }

  private flush(): void {
    writeFully(this.fd, bytesOf(this.buf, 0, this.pos), null);
    this.pos = 0;
  }

  close(): number {
    this.flush();
    fs.closeSync(this.fd);
    return this.count;
  }
}

/** Number of elements of type `ctor` in `file`. */
export function flatLength(file: string, ctor: TypedCtor<Typed>): number {
  return fs.statSync(file).size / ctor.BYTES_PER_ELEMENT;
}

/** Elements [from, from+n) of a flat file. */
export function readRange<T extends Typed>(file: string, ctor: TypedCtor<T>, from: number, n: number): T {
  const out = new ctor(n);
  if (n === 0) return out;
  const fd = fs.openSync(file, 'r');
  try {
    readFully(fd, bytesOf(out, 0, n), from * ctor.BYTES_PER_ELEMENT);
  } finally {
    fs.closeSync(fd);
  }
  return out;
}

/** A whole flat file (for tables bounded by the vocabulary, like the unigrams). */
export function writeAll(file: string, values: Typed): void {
  fs.writeFileSync(file, bytesOf(values, 0, values.length));
}

/** One chunk of a row-major flat file: rows [start, start+rows), `width` values each. */
export interface Chunk<T extends Typed> {
  start: number;
  rows: number;
  data: T;
}

/** Chunks of `rowsPerChunk` whole rows; `data` is reused between chunks. */
export function* chunks<T extends Typed>(file: string, ctor: TypedCtor<T>, width: number, rowsPerChunk: number): Generator<Chunk<T>> {
  const totalRows = flatLength(file, ctor) / width;
  const buf = new ctor(Math.max(1, rowsPerChunk) * width);
  const per = buf.length / width;
  const fd = fs.openSync(file, 'r');
  try {
    for (let start = 0; start < totalRows; start += per) {
      const rows = Math.min(per, totalRows - start);
      readFully(fd, bytesOf(buf, 0, rows * width), start * width * ctor.BYTES_PER_ELEMENT);
      yield { start, rows, data: (rows === per ? buf : buf.subarray(0, rows * width)) as T };
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads element i of a flat file for non-decreasing i, one window at a time. */
export class FlatCursor<T extends Typed> {
  private readonly fd: number;
  private readonly buf: T;
  private lo = 0;
  private hi = 0;
  readonly length: number;

  constructor(file: string, ctor: TypedCtor<T>, bufferElems: number) {
    this.fd = fs.openSync(file, 'r');
    this.buf = new ctor(Math.max(16, bufferElems));
    this.length = fs.fstatSync(this.fd).size / ctor.BYTES_PER_ELEMENT;
  }

  at(i: number): number {
    if (i < this.lo || i >= this.hi) {
      const n = Math.min(this.buf.length, this.length - i);
      readFully(this.fd, bytesOf(this.buf, 0, n), i * this.buf.BYTES_PER_ELEMENT);
      this.lo = i;
      this.hi = i + n;
    }
    return this.buf[i - this.lo]!;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

/**
 * Sets element i of an existing flat file for non-decreasing i: a window is
 * read, changed and written back when i leaves it, so one pass of a
 * multi-pass computation fills in its share of the file.
 */
export class FlatUpdater<T extends Typed> {
  private readonly fd: number;
  private readonly buf: T;
  private lo = 0;
  private hi = 0;
  private dirty = false;
  readonly length: number;

  /** `fresh`: the file is created with `length` zeros instead of opened. */
  constructor(file: string, ctor: TypedCtor<T>, bufferElems: number, fresh?: { length: number }) {
    if (fresh) {
      fs.writeFileSync(file, '');
      fs.truncateSync(file, fresh.length * ctor.BYTES_PER_ELEMENT);
    }
    this.fd = fs.openSync(file, 'r+');
    this.buf = new ctor(Math.max(16, bufferElems));
    this.length = fs.fstatSync(this.fd).size / ctor.BYTES_PER_ELEMENT;
  }

  set(i: number, v: number): void {
    if (i < this.lo || i >= this.hi) {
      this.writeBack();
      const n = Math.min(this.buf.length, this.length - i);
      readFully(this.fd, bytesOf(this.buf, 0, n), i * this.buf.BYTES_PER_ELEMENT);
      this.lo = i;
      this.hi = i + n;
    }
    this.buf[i - this.lo] = v;
    this.dirty = true;
  }

  private writeBack(): void {
    if (this.dirty) writeFully(this.fd, bytesOf(this.buf, 0, this.hi - this.lo), this.lo * this.buf.BYTES_PER_ELEMENT);
    this.dirty = false;
  }

  close(): void {
    this.writeBack();
    fs.closeSync(this.fd);
  }
}

/** Elements [from, from+out.length) of a flat file into `out` (which may be a view of shared memory). */
export function readInto(file: string, from: number, out: Typed): void {
  if (out.length === 0) return;
  const fd = fs.openSync(file, 'r');
  try {
    readFully(fd, bytesOf(out, 0, out.length), from * out.BYTES_PER_ELEMENT);
  } finally {
    fs.closeSync(fd);
  }
}
