// The pieces of every word type, as a CSR table: word w is spelled
// pieces[offsets[w] .. offsets[w+1]). Each type is encoded once; encoding a corpus
// of word ids is then a table lookup per token. Word ids 0..3 (the specials) map to
// piece ids 0..3.

import { SPECIALS } from '../../lib/formats/tokens.js';
import type { TokenizerSpec } from '../../lib/subword/spec.js';
import type { Tokenizer } from '../../lib/subword/tokenizer.js';

export interface PieceTable {
  offsets: Int32Array;
  pieces: Int32Array;
}

/** Encode word types `words` (ids 0..3 are the specials). With `shared`, the arrays live in SharedArrayBuffers for the pool. */
export function encodeWordTable(tok: Tokenizer, words: readonly string[], shared = false, from = 0, to = words.length): PieceTable {
  const n = to - from;
  const offsets = new Int32Array(shared ? new SharedArrayBuffer(4 * (n + 1)) : new ArrayBuffer(4 * (n + 1)));
  const flat: number[] = [];
  for (let w = from; w < to; w++) {
    if (w < SPECIALS.length) flat.push(w);
    else tok.encodeWord(words[w]!, flat);
    offsets[w - from + 1] = flat.length;
  }
  const pieces = new Int32Array(shared ? new SharedArrayBuffer(4 * flat.length) : new ArrayBuffer(4 * flat.length));
  pieces.set(flat);
  return { offsets, pieces };
}

/** Piece counts on the training split: each word's pieces weighted by the word's count. */
export function countPieces(table: PieceTable, wordCounts: ArrayLike<number>, nPieces: number): Float64Array {
  const out = new Float64Array(nPieces);
  for (let w = 0; w + 1 < table.offsets.length; w++) {
    const c = wordCounts[w]!;
    if (!(c > 0)) continue;
    for (let k = table.offsets[w]!; k < table.offsets[w + 1]!; k++) out[table.pieces[k]!] += c;
  }
  return out;
}

/**
 * Renumber pieces as the tokenize stage numbers words: specials 0..3, then by train
 * count descending, ties by piece text. Returns the new spec and newId[oldId].
 */
export function sortPiecesByCount(spec: TokenizerSpec, counts: Float64Array): { spec: TokenizerSpec; newId: Int32Array; counts: Float64Array } {
  const n = spec.pieces.length;
  const order = Array.from({ length: n - SPECIALS.length }, (_, i) => i + SPECIALS.length);
  order.sort((a, b) => counts[b]! - counts[a]! || (spec.pieces[a]! < spec.pieces[b]! ? -1 : spec.pieces[a]! > spec.pieces[b]! ? 1 : 0));
  const newId = new Int32Array(n);
  const sortedCounts = new Float64Array(n);
  const pieces = spec.pieces.slice(0, SPECIALS.length);
  for (let i = 0; i < SPECIALS.length; i++) {
    newId[i] = i;
    sortedCounts[i] = counts[i]!;
  }
  order.forEach((old, k) => {
    newId[old] = SPECIALS.length + k;
    sortedCounts[SPECIALS.length + k] = counts[old]!;
    pieces.push(spec.pieces[old]!);
  });
  return { spec: { ...spec, pieces }, newId, counts: sortedCounts };
}

/** Rewrite a table's piece ids in place through newId. */
export function renumberTable(table: PieceTable, newId: Int32Array): void {
  const p = table.pieces;
  for (let k = 0; k < p.length; k++) p[k] = newId[p[k]!]!;
}

/** Word types as one UTF-8 buffer and offsets, in SharedArrayBuffers: how the pool sees them without copies. */
export interface PackedWords {
  bytes: Uint8Array;
  offsets: Int32Array;
}

export function packWords(words: readonly string[]): PackedWords {
  const enc = new TextEncoder();
  const parts = words.map((w) => enc.encode(w));
  const offsets = new Int32Array(new SharedArrayBuffer(4 * (words.length + 1)));
  for (let i = 0; i < parts.length; i++) offsets[i + 1] = offsets[i]! + parts[i]!.length;
  const bytes = new Uint8Array(new SharedArrayBuffer(Math.max(1, offsets[words.length]!)));
  parts.forEach((p, i) => bytes.set(p, offsets[i]!));
  return { bytes, offsets };
}

/**
 * Encode packed word types from..to-1 into one Int32Array: the range's CSR offsets
 * (to-from+1 values, from 0) followed by its pieces, so a worker returns one buffer.
 */
export function encodePackedRange(tok: Tokenizer, words: PackedWords, from: number, to: number): Int32Array {
  const text = Buffer.from(words.bytes.buffer, words.bytes.byteOffset, words.bytes.byteLength);
  const n = to - from;
  const offsets: number[] = [0];
  const flat: number[] = [];
  for (let w = from; w < to; w++) {
    if (w < SPECIALS.length) flat.push(w);
    else tok.encodeWord(text.toString('utf8', words.offsets[w]!, words.offsets[w + 1]!), flat);
    offsets.push(flat.length);
  }
  const out = new Int32Array(n + 1 + flat.length);
  out.set(offsets);
  out.set(flat, n + 1);
  return out;
}

/** Join the ranges encodePackedRange made (in word order) into one table in SharedArrayBuffers. */
export function joinRanges(ranges: ReadonlyArray<{ from: number; to: number; data: Int32Array }>): PieceTable {
  const nWords = ranges.length ? ranges[ranges.length - 1]!.to : 0;
  let total = 0;
  for (const r of ranges) total += r.data.length - (r.to - r.from + 1);
  const offsets = new Int32Array(new SharedArrayBuffer(4 * (nWords + 1)));
  const pieces = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, total)));
  let base = 0;
  for (const r of ranges) {
    const n = r.to - r.from;
    for (let i = 1; i <= n; i++) offsets[r.from + i] = base + r.data[i]!;
    pieces.set(r.data.subarray(n + 1), base);
    base += r.data.length - (n + 1);
  }
  return { offsets, pieces: pieces.subarray(0, total) };
}
