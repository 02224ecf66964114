// Word vectors on disk and in memory.
//
// Three file formats, all read into the same shape (one contiguous row-major
// Float32Array, tokens in file order, a token -> row Map, and a unit-length copy
// for cosine similarity):
//   - `embeddings.arrow`: token utf8, vector FixedSizeList<float32> (docs/ARCHITECTURE.md).
//   - word2vec text:   "V D\n" then "word x1 x2 ... xD\n" per row (as word2vec -binary 0
//                      and gensim's save_word2vec_format(binary=False) write it).
//   - word2vec binary: "V D\n" then "word " + D little-endian float32 + "\n" per row
//                      (word2vec -binary 1, gensim binary=True).
// Writers stream batch by batch; readers stream the file in chunks and fill a
// matrix sized from the header, so a file is never held twice in memory.

import fs from 'node:fs';
import * as A from 'apache-arrow';
import { ArrowFileWriter, ARROW_MAGIC, field, fixedFloat32Data, openArrow, utf8Data } from '../../pipeline/arrow.js';
import { InputError } from '../../pipeline/errors.js';
import { Digits, writeAscii, writeDigits } from './decimal.js';

export type EmbeddingFormat = 'arrow' | 'word2vec-text' | 'word2vec-binary';

/** A vocabulary of vectors: row i of `vectors` (dim floats) belongs to tokens[i]. */
export interface Embeddings {
  readonly tokens: string[];
  readonly dim: number;
  /** rows x dim, row-major. */
  readonly vectors: Float32Array;
  /** token -> row (the first row when a token repeats). */
  readonly index: Map<string, number>;
}

/** Embeddings plus their L2-normalized copy (zero rows stay zero), for cosine. */
export interface LoadedEmbeddings extends Embeddings {
  readonly unit: Float32Array;
  readonly format: EmbeddingFormat;
}

export function embeddingsSchema(dim: number): A.Schema {
  return new A.Schema([
    field('token', new A.Utf8()),
    field('vector', new A.FixedSizeList(dim, new A.Field('item', new A.Float32(), false))),
  ]);
}

export function indexTokens(tokens: readonly string[]): Map<string, number> {
  const index = new Map<string, number>();
  for (let i = 0; i < tokens.length; i++) if (!index.has(tokens[i]!)) index.set(tokens[i]!, i);
  return index;
}

/** A unit-length copy of each row; rows of norm 0 stay 0. */
export function normalizeRows(vectors: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(vectors.length);
  const rows = dim === 0 ? 0 : vectors.length / dim;
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    let s = 0;
    for (let j = 0; j < dim; j++) s += vectors[o + j]! * vectors[o + j]!;
    if (s === 0) continue;
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < dim; j++) out[o + j] = vectors[o + j]! * inv;
  }
  return out;
}

// ---------------------------------------------------------------- Arrow

/** Streams `embeddings.arrow`: call `write` with any number of rows at a time. */
export class EmbeddingsArrowWriter {
  private readonly writer: ArrowFileWriter;
  constructor(
    readonly path: string,
    readonly dim: number,
  ) {
    this.writer = new ArrowFileWriter(path, embeddingsSchema(dim));
  }
  /** `vectors` holds tokens.length rows of `dim` floats. */
  async write(tokens: readonly string[], vectors: Float32Array): Promise<void> {
    if (vectors.length !== tokens.length * this.dim) throw new Error(`EmbeddingsArrowWriter: ${tokens.length} tokens but ${vectors.length / this.dim} vectors`);
    await this.writer.writeColumns([utf8Data(tokens), fixedFloat32Data(this.dim, vectors)]);
  }
  close(): Promise<number> {
    return this.writer.close();
  }
}

const BATCH_ROWS = 8192;

/** `onRows` hears of each batch of rows written (a progress bar). */
export async function writeEmbeddingsArrow(path: string, emb: Pick<Embeddings, 'tokens' | 'dim' | 'vectors'>, onRows?: (n: number) => void): Promise<number> {
  const w = new EmbeddingsArrowWriter(path, emb.dim);
  for (let r = 0; r < emb.tokens.length; r += BATCH_ROWS) {
    const end = Math.min(emb.tokens.length, r + BATCH_ROWS);
    await w.write(emb.tokens.slice(r, end), emb.vectors.subarray(r * emb.dim, end * emb.dim));
    onRows?.(end - r);
  }
  return w.close();
}

export async function readEmbeddingsArrow(path: string): Promise<Embeddings> {
  const f = await openArrow(path);
  try {
    const tokField = f.schema.fields.find((x) => x.name === 'token');
    const vecField = f.schema.fields.find((x) => x.name === 'vector');
    const vecType = vecField?.type;
    if (!tokField || !A.DataType.isUtf8(tokField.type) || !vecType || !A.DataType.isFixedSizeList(vecType) || !A.DataType.isFloat(vecType.children[0]!.type))
      throw new InputError(path, 'not an embeddings table (needs columns token utf8 and vector FixedSizeList<float32>)', 'Point at an embeddings.arrow written by the svd, word2vec or glove stage');
    const dim = (vecType as A.FixedSizeList).listSize;
    const tokens: string[] = [];
    let vectors = new Float32Array(0);
    let rows = 0;
    for await (const b of f.batches()) {
      const tok = b.getChild('token')!;
      const vec = b.getChild('vector')!;
      const need = (rows + b.numRows) * dim;
      if (need > vectors.length) {
        const grown = new Float32Array(Math.max(need, vectors.length * 2));
        grown.set(vectors.subarray(0, rows * dim));
        vectors = grown;
      }
      for (const d of vec.data) {
        const child = d.children[0]!;
        const vals = (child.values as Float32Array).subarray(child.offset + d.offset * dim, child.offset + (d.offset + d.length) * dim);
        vectors.set(vals, rows * dim);
        rows += d.length;
      }
      for (let i = 0; i < b.numRows; i++) tokens.push(tok.get(i) as string);
    }
    vectors = vectors.length === rows * dim ? vectors : vectors.slice(0, rows * dim);
    return { tokens, dim, vectors, index: indexTokens(tokens) };
  } finally {
    await f.close();
  }
}

// ---------------------------------------------------------------- word2vec formats: writing

/** Buffered synchronous file output: bounded memory, few syscalls. */
class ByteSink {
  private readonly fd: number;
  private readonly buf = Buffer.allocUnsafe(1 << 20);
  private pos = 0;
  constructor(path: string) {
    this.fd = fs.openSync(path, 'w');
  }
  private flush(): void {
    if (this.pos > 0) fs.writeSync(this.fd, this.buf, 0, this.pos);
    this.pos = 0;
  }
  /** Make `n` bytes of room at `pos` in `buf` (false when a row that long needs the string path). */
  room(n: number): boolean {
    if (n > this.buf.length - this.pos) this.flush();
    return n <= this.buf.length;
  }
  get buffer(): Buffer {
    return this.buf;
  }
  get position(): number {
    return this.pos;
  }
  set position(p: number) {
    this.pos = p;
  }
  text(s: string): void {
    if (s.length * 3 > this.buf.length - this.pos) this.flush();
    if (s.length * 3 > this.buf.length) {
      fs.writeSync(this.fd, s);
      return;
    }
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }
  floats(v: Float32Array): void {
    const bytes = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    if (bytes.length > this.buf.length - this.pos) this.flush();
    if (bytes.length > this.buf.length) {
      fs.writeSync(this.fd, bytes);
      return;
    }
    // Float32Array is platform-endian; every Node platform is little-endian, as the format wants.
    bytes.copy(this.buf, this.pos);
    this.pos += bytes.length;
  }
  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }
}

/** Shortest decimal that reads back as the same float32 (at most 9 significant digits). */
export function formatFloat32(x: number): string {
  for (let p = 6; p < 9; p++) {
    const s = x.toPrecision(p);
    if (Math.fround(Number(s)) === x) return String(Number(s));
  }
  return String(Number(x.toPrecision(9)));
}

const digits = new Digits();

/**
 * Write formatFloat32(x) into `buf` at `pos` (room for 24 bytes), digit by
 * digit; returns the position after. The same text: the shortest of 6, 7 or 8
 * significant digits that reads back as x, else 9, without trailing zeros.
 */
export function writeFloat32(buf: Uint8Array, pos: number, x: number): number {
  if (x !== 0) {
    const negative = x < 0;
    for (let p = 6; p <= 9; p++) {
      if (!digits.of(x, p)) break;
      if (p === 9 || Math.fround(digits.read(p, negative)) === x) return writeDigits(buf, pos, negative, digits.value, p, digits.exponent);
    }
  }
  return writeAscii(buf, pos, formatFloat32(x));
}

/** Characters word2vec and gensim split rows on: a token may not contain them. */
export const WORD2VEC_SEPARATORS = /[ \t\n\r]/;

function checkToken(path: string, token: string): void {
  if (token === '' || WORD2VEC_SEPARATORS.test(token)) throw new InputError(path, `cannot write token ${JSON.stringify(token)} in word2vec format (empty or contains whitespace)`, 'Write embeddings.arrow instead, or tokenize without whitespace inside tokens');
}

/** `onRows` hears of every 1024 rows written (a progress bar; stderr writes to a TTY or pipe are synchronous, so a bar redraws during this loop). */
export function writeWord2vecText(path: string, emb: Pick<Embeddings, 'tokens' | 'dim' | 'vectors'>, onRows?: (n: number) => void): void {
  const { tokens, dim, vectors } = emb;
  const out = new ByteSink(path);
  try {
    out.text(`${tokens.length} ${dim}\n`);
    // Each row goes straight into the sink's buffer: the token's UTF-8, then the numbers (writeFloat32).
    const longestNumber = 24;
    for (let r = 0; r < tokens.length; r++) {
      const token = tokens[r]!;
      checkToken(path, token);
      if (out.room(token.length * 3 + (dim + 1) * (longestNumber + 1))) {
        const buf = out.buffer;
        let pos = out.position;
        pos += buf.write(token, pos, 'utf8');
        for (let j = 0; j < dim; j++) {
          buf[pos++] = 32;
          pos = writeFloat32(buf, pos, vectors[r * dim + j]!);
        }
        buf[pos++] = 10;
        out.position = pos;
      } else {
        const parts = [token];
        for (let j = 0; j < dim; j++) parts.push(formatFloat32(vectors[r * dim + j]!));
        out.text(parts.join(' ') + '\n');
      }
      if (onRows && ((r + 1) % 1024 === 0 || r + 1 === tokens.length)) onRows((r % 1024) + 1);
    }
  } finally {
    out.close();
  }
}

export function writeWord2vecBinary(path: string, emb: Pick<Embeddings, 'tokens' | 'dim' | 'vectors'>): void {
  const { tokens, dim, vectors } = emb;
  const out = new ByteSink(path);
  try {
    out.text(`${tokens.length} ${dim}\n`);
    for (let r = 0; r < tokens.length; r++) {
      checkToken(path, tokens[r]!);
      out.text(tokens[r]! + ' ');
      out.floats(vectors.subarray(r * dim, (r + 1) * dim));
      out.text('\n');
    }
  } finally {
    out.close();
  }
}

// ---------------------------------------------------------------- word2vec formats: reading

/** Buffered synchronous file input with byte-level access. */
class ByteSource {
  private readonly fd: number;
  buf = Buffer.allocUnsafe(1 << 20);
  pos = 0;
  end = 0;
  /** Bytes consumed before `buf[0]`. */
  base = 0;
  private eof = false;
  constructor(readonly path: string) {
    try {
      this.fd = fs.openSync(path, 'r');
    } catch {
      throw new InputError(path, 'no such embeddings file', 'Check the path');
    }
  }
  /** Make at least `n` bytes available at `pos` (fewer only at end of file); returns how many are. */
  ensure(n: number): number {
    if (this.end - this.pos >= n || this.eof) return this.end - this.pos;
    const keep = this.end - this.pos;
    if (n > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(n, this.buf.length * 2));
      this.buf.copy(bigger, 0, this.pos, this.end);
      this.buf = bigger;
    } else this.buf.copy(this.buf, 0, this.pos, this.end);
    this.base += this.pos;
    this.pos = 0;
    this.end = keep;
    while (this.end < n && !this.eof) {
      const got = fs.readSync(this.fd, this.buf, this.end, this.buf.length - this.end, null);
      if (got === 0) this.eof = true;
      this.end += got;
    }
    return this.end - this.pos;
  }
  /** Next line without its "\n" (and "\r"), or null at end of file. */
  line(): string | null {
    let start = this.pos;
    for (;;) {
      const nl = this.buf.indexOf(10, start);
      if (nl >= 0 && nl < this.end) {
        let stop = nl;
        if (stop > this.pos && this.buf[stop - 1] === 13) stop--;
        const s = this.buf.toString('utf8', this.pos, stop);
        this.pos = nl + 1;
        return s;
      }
      const had = this.end - this.pos;
      if (this.ensure(had + 1) <= had) {
        if (had === 0) return null;
        const s = this.buf.toString('utf8', this.pos, this.end).replace(/\r$/, '');
        this.pos = this.end;
        return s;
      }
      start = this.pos + had;
    }
  }
  close(): void {
    fs.closeSync(this.fd);
  }
}

const FORMAT_FIX = 'Give a word2vec file: a "V D" header line, then one row per word';

function parseHeader(path: string, line: string | null): { rows: number; dim: number } {
  const m = line === null ? null : /^\s*(\d+)\s+(\d+)\s*$/.exec(line);
  if (!m) throw new InputError(path, `bad word2vec header ${JSON.stringify((line ?? '').slice(0, 60))} on line 1 (expected "VOCAB_SIZE DIM")`, FORMAT_FIX);
  const rows = Number(m[1]);
  const dim = Number(m[2]);
  if (dim < 1) throw new InputError(path, `bad word2vec header: dimension ${dim}`, FORMAT_FIX);
  return { rows, dim };
}

export function readWord2vecText(path: string): Embeddings {
  const src = new ByteSource(path);
  try {
    const { rows, dim } = parseHeader(path, src.line());
    const vectors = new Float32Array(rows * dim);
    const tokens: string[] = [];
    for (let r = 0; r < rows; r++) {
      const line = src.line();
      const lineNo = r + 2;
      if (line === null) throw new InputError(path, `truncated: the header promises ${rows} rows but the file ends after ${r} (line ${lineNo} missing)`, 'Rewrite the file, or fix the row count in the header');
      const parts = line.split(' ').filter((p) => p !== '');
      if (parts.length !== dim + 1)
        throw new InputError(path, `line ${lineNo} (word ${JSON.stringify(parts[0] ?? '')}) has ${parts.length - 1} values but the header says dimension ${dim}`, 'Every row must have exactly DIM numbers after the word');
      tokens.push(parts[0]!);
      for (let j = 0; j < dim; j++) {
        const x = Number(parts[j + 1]);
        if (!Number.isFinite(x)) throw new InputError(path, `line ${lineNo}: value ${j + 1} ${JSON.stringify(parts[j + 1])} is not a number`, 'Is this a binary word2vec file? Load it as word2vec-binary');
        vectors[r * dim + j] = x;
      }
    }
    for (let extra = src.line(); extra !== null; extra = src.line())
      if (extra.trim() !== '') throw new InputError(path, `more rows than the header's ${rows}`, 'Fix the row count in the header');
    return { tokens, dim, vectors, index: indexTokens(tokens) };
  } finally {
    src.close();
  }
}

export function readWord2vecBinary(path: string): Embeddings {
  const src = new ByteSource(path);
  try {
    const { rows, dim } = parseHeader(path, src.line());
    const vectors = new Float32Array(rows * dim);
    const tokens: string[] = [];
    const rowBytes = 4 * dim;
    for (let r = 0; r < rows; r++) {
      const row = r + 1;
      // Skip the "\n" that ends the previous row (gensim and word2vec both tolerate its absence).
      while (src.ensure(1) >= 1 && (src.buf[src.pos] === 10 || src.buf[src.pos] === 13)) src.pos++;
      let len = 0;
      for (;;) {
        if (src.ensure(len + 1) < len + 1)
          throw new InputError(path, `truncated in row ${row} of ${rows} (the file ends inside a word)`, 'The file was not written to the end; rewrite it');
        if (src.buf[src.pos + len] === 32) break;
        if (++len > 1 << 16) throw new InputError(path, `row ${row}: no space after the word within 64 KiB; not a word2vec binary file`, FORMAT_FIX);
      }
      const token = src.buf.toString('utf8', src.pos, src.pos + len);
      src.pos += len + 1;
      const got = src.ensure(rowBytes);
      if (got < rowBytes)
        throw new InputError(path, `truncated in row ${row} of ${rows} (word ${JSON.stringify(token)}: ${got} of ${rowBytes} vector bytes)`, 'The file was not written to the end, or its header dimension is wrong; rewrite it');
      const o = r * dim;
      for (let j = 0; j < dim; j++) vectors[o + j] = src.buf.readFloatLE(src.pos + 4 * j);
      src.pos += rowBytes;
      tokens.push(token);
    }
    // Only the newline of the last row may follow.
    while (src.ensure(1) >= 1 && (src.buf[src.pos] === 10 || src.buf[src.pos] === 13)) src.pos++;
    if (src.ensure(1) > 0)
      throw new InputError(path, `bytes left after the header's ${rows} rows: the dimension ${dim} in the header disagrees with the rows`, 'Fix the header, or rewrite the file');
    return { tokens, dim, vectors, index: indexTokens(tokens) };
  } finally {
    src.close();
  }
}

// ---------------------------------------------------------------- any format

/** Arrow by its magic bytes; otherwise word2vec, binary unless the first row parses as text. */
export function detectEmbeddingFormat(path: string): EmbeddingFormat {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch {
    throw new InputError(path, 'no such embeddings file', 'Check the path');
  }
  try {
    const head = Buffer.alloc(64 * 1024);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    if (n >= 6 && head.toString('latin1', 0, 6) === ARROW_MAGIC) return 'arrow';
    const nl1 = head.indexOf(10);
    if (nl1 < 0 || nl1 >= n) throw new InputError(path, 'no header line in the first 64 KiB; not an embeddings file', FORMAT_FIX);
    const { dim } = parseHeader(path, head.toString('latin1', 0, nl1).replace(/\r$/, ''));
    const rowEnd = head.indexOf(10, nl1 + 1);
    if (rowEnd < 0 || rowEnd >= n) return 'word2vec-binary';
    const row = head.toString('latin1', nl1 + 1, rowEnd).replace(/\r$/, '');
    const parts = row.split(' ').filter((p) => p !== '');
    const numeric = parts.length === dim + 1 && parts.slice(1).every((p) => /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(p));
    return numeric ? 'word2vec-text' : 'word2vec-binary';
  } finally {
    fs.closeSync(fd);
  }
}

/** Read embeddings in any of the three formats (auto-detected unless `format` is given). */
export async function readEmbeddings(path: string, format?: EmbeddingFormat): Promise<Embeddings & { format: EmbeddingFormat }> {
  const fmt = format ?? detectEmbeddingFormat(path);
  const emb = fmt === 'arrow' ? await readEmbeddingsArrow(path) : fmt === 'word2vec-text' ? readWord2vecText(path) : readWord2vecBinary(path);
  return { ...emb, format: fmt };
}

/** Read embeddings and their unit-length copy, ready for cosine similarity. */
export async function loadEmbeddings(path: string, format?: EmbeddingFormat): Promise<LoadedEmbeddings> {
  const emb = await readEmbeddings(path, format);
  return { ...emb, unit: normalizeRows(emb.vectors, emb.dim) };
}
