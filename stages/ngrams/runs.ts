// Sorted runs on disk: the spill format of the external sort. A run file holds
// `rows` n-grams sorted lexicographically: first rows*order int32 words
// (row-major), then rows uint32 counts, little-endian as in memory. A reader
// pages through it in blocks so a k-way merge holds one block per run.

import fs from 'node:fs';

export function writeRun(file: string, words: Int32Array, counts: Uint32Array): void {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, new Uint8Array(words.buffer, words.byteOffset, words.byteLength));
    fs.writeSync(fd, new Uint8Array(counts.buffer, counts.byteOffset, counts.byteLength));
  } finally {
    fs.closeSync(fd);
  }
}

/** Pages through one run, `blockRows` rows at a time. */
export class RunReader {
  readonly rows: number;
  private readonly fd: number;
  /** Words and counts of the current block. */
  words = new Int32Array(0);
  counts = new Uint32Array(0);
  /** Row within the block, and rows in the block. */
  pos = 0;
  len = 0;
  private next = 0;

  constructor(
    readonly file: string,
    readonly order: number,
    private readonly blockRows = 1 << 15,
  ) {
    const size = fs.statSync(file).size;
    const rowBytes = order * 4 + 4;
    if (size % rowBytes !== 0) throw new Error(`${file}: run file size ${size} is not a multiple of ${rowBytes}`);
    this.rows = size / rowBytes;
    this.fd = fs.openSync(file, 'r');
    this.load();
  }

  /** False once every row has been consumed. */
  get live(): boolean {
    return this.pos < this.len;
  }

  advance(): void {
    if (++this.pos >= this.len) this.load();
  }

  private load(): void {
    const n = Math.min(this.blockRows, this.rows - this.next);
    this.pos = 0;
    this.len = n;
    if (n <= 0) {
      this.len = 0;
      return;
    }
    if (this.words.length < n * this.order) {
      this.words = new Int32Array(this.blockRows * this.order);
      this.counts = new Uint32Array(this.blockRows);
    }
    const wb = new Uint8Array(this.words.buffer, 0, n * this.order * 4);
    const cb = new Uint8Array(this.counts.buffer, 0, n * 4);
    readFully(this.fd, wb, this.next * this.order * 4);
    readFully(this.fd, cb, this.rows * this.order * 4 + this.next * 4);
    this.next += n;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

function readFully(fd: number, buf: Uint8Array, position: number): void {
  let off = 0;
  while (off < buf.length) {
    const got = fs.readSync(fd, buf, off, buf.length - off, position + off);
    if (got === 0) throw new Error('run file ended early');
    off += got;
  }
}
