// The block encoder: token spans -> group-local ids, in first-seen order,
// with each local type's count per split. Sentences are recorded as offsets
// into the id array, with their document and split. The main thread later
// merges local types into the global table.
//
// The worker's type table is an open-addressing hash table keyed by the
// token's characters in the text: a token already seen costs a hash and a
// compare over its characters, with no string allocated (most tokens are
// repeats). It is kept across the groups a worker tokenizes (one table per
// worker, not per group), and each group's local types carry their ids in it
// (`tableIds`): the main thread then looks a type up once per worker, not once
// per group, and finds it by that id afterwards (seen-types.ts). Each result
// still holds every local type's bytes, so it stands alone: a lost or retried
// task (remote workers) leaves no hole in what the main thread knows.

import { threadId } from 'node:worker_threads';
import type { SentenceBounds } from './sentences.js';
import type { TokenSpans } from './spans.js';

/** What tokenizing one block yields; every array is transferred back to the main thread. */
export interface EncodedBlock {
  /** Block-local type ids, sentence after sentence. */
  ids: Int32Array;
  /** Sentence i is ids[sentEnds[i] .. sentEnds[i+1]); length sentences+1. */
  sentEnds: Int32Array;
  /** Document of each sentence, as an index among the documents that start in this block (jsonl); 0 for txt. */
  sentDoc: Int32Array;
  /** Split of each sentence (0 train, 1 valid, 2 test). */
  sentSplit: Uint8Array;
  /** Split of each document that starts in this block (jsonl records); empty for txt, whose document is the file. */
  docSplit: Uint8Array;
  /** The local types, UTF-8, each followed by '\n' (tokens never contain whitespace). */
  typeBytes: Uint8Array;
  /** End (exclusive, before its '\n') of each local type in typeBytes. */
  typeEnds: Int32Array;
  /** hashString of each local type, so the main thread merges without decoding strings. */
  typeHashes: Int32Array;
  /** Occurrences of local type i in split s at [3 * i + s]. */
  counts: Uint32Array;
  /** The worker's type table these ids come from: unique per table, never reused. */
  table: string;
  /** Id of each local type in that table (the same type has the same id in every group of the table). */
  tableIds: Int32Array;
  /** Tables of this worker dropped (over their budget) since its last result: their ids will not come again. */
  retired: string[];
  /** Invalid UTF-8 sequences replaced by U+FFFD (`--on-invalid replace`). */
  replaced: number;
}

function grown<T extends Int32Array | Uint32Array | Uint8Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  let n = a.length * 2;
  while (n < need) n *= 2;
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}

/** FNV-1a over the UTF-16 units of s[start..end). */
export function hashRange(s: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

/** The hash the type tables use for a whole string. */
export function hashString(s: string): number {
  return hashRange(s, 0, s.length);
}

function sameAscii(tok: string, b: Uint8Array, start: number, end: number): boolean {
  if (tok.length !== end - start) return false;
  for (let i = 0; i < tok.length; i++) if (tok.charCodeAt(i) !== b[start + i]) return false;
  return true;
}

function sameRange(tok: string, s: string, start: number, end: number): boolean {
  if (tok.length !== end - start) return false;
  for (let i = 0; i < tok.length; i++) if (tok.charCodeAt(i) !== s.charCodeAt(start + i)) return false;
  return true;
}

let tables = 0;

/**
 * A key no other table has, on any machine: process, thread, a counter and
 * random digits (node:crypto's randomUUID would load OpenSSL into every worker).
 */
function newTableKey(): string {
  return `${process.pid}.${threadId}.${++tables}.${Math.random().toString(36).slice(2)}`;
}

/** Bytes a worker's table may hold when the caller sets no budget. */
const DEFAULT_TABLE_BYTES = 64 << 20;

export class BlockEncoder {
  // ---- the worker's table, kept across groups
  private key = newTableKey();
  private retired: string[] = [];
  private types: string[] = [];
  private typeChars = 0;
  private hashes = new Int32Array(1024);
  /** Open addressing, two ints per slot: the hash, and the type id + 1 (0 = empty); side by side, one cache line per probe. */
  private slots = new Int32Array(2 << 12);
  /** Per table id, side by side: the group that last saw it, and its local id in that group. */
  private seen = new Int32Array(2 * 1024);
  private group = 0;
  // ---- the current group
  /** Local id -> table id. */
  private touched = new Int32Array(1024);
  private localCount = 0;
  private counts = new Uint32Array(3 * 1024);
  private ids = new Int32Array(1 << 14);
  private idCount = 0;
  private sentEnds = new Int32Array(1024);
  private sentDoc = new Int32Array(1024);
  private sentSplit = new Uint8Array(1024);
  private sentCount = 0;
  private readonly docSplits: number[] = [];
  replaced = 0;

  constructor(private readonly lowercase: boolean) {}

  /** Bytes the table takes, about (strings, their slots and per-id arrays). */
  tableBytes(): number {
    return this.typeChars + this.types.length * 48;
  }

  /**
   * Start a group, keeping the grown arrays and the table: a worker encodes
   * group after group with one encoder. A table past `maxTableBytes` is dropped
   * first (a new one, with a new key), so a worker's memory stays bounded.
   */
  reset(maxTableBytes = DEFAULT_TABLE_BYTES): void {
    this.counts.fill(0, 0, 3 * this.localCount);
    this.localCount = 0;
    if (this.tableBytes() > maxTableBytes) this.dropTable();
    // The stamp is the group number: no per-group clearing of the table's arrays.
    if (++this.group === 0x7fffffff) {
      this.seen.fill(0);
      this.group = 1;
    }
    this.idCount = 0;
    this.sentCount = 0;
    this.docSplits.length = 0;
    this.replaced = 0;
  }

  private dropTable(): void {
    this.retired.push(this.key);
    this.key = newTableKey();
    this.types = [];
    this.typeChars = 0;
    this.slots = new Int32Array(2 << 12);
    this.seen.fill(0);
  }

  /** Start a document (a jsonl record) in split `split`; returns its local index. */
  startDocument(split: number): number {
    this.docSplits.push(split);
    return this.docSplits.length - 1;
  }

  /** The table id of the token s[start..end), added if new. */
  private idOf(s: string, start: number, end: number): number {
    const h = hashRange(s, start, end);
    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    for (let j = h & mask; ; j = (j + 1) & mask) {
      const v = slots[2 * j + 1]!;
      if (v === 0) {
        const id = this.types.length;
        this.types.push(s.slice(start, end));
        this.typeChars += end - start;
        if (id === this.hashes.length) {
          this.hashes = grown(this.hashes, id + 1);
          this.seen = grown(this.seen, 2 * (id + 1));
        }
        this.hashes[id] = h;
        this.seen[2 * id] = 0;
        slots[2 * j] = h;
        slots[2 * j + 1] = id + 1;
        if (4 * this.types.length > slots.length) this.rehash();
        return id;
      }
      if (slots[2 * j] === h && sameRange(this.types[v - 1]!, s, start, end)) return v - 1;
    }
  }

  /** The group-local id of table id `id`, given one at its first sight in the group. */
  private localOf(id: number): number {
    const seen = this.seen;
    if (seen[2 * id] === this.group) return seen[2 * id + 1]!;
    const l = this.localCount++;
    if (l === this.touched.length) {
      this.touched = grown(this.touched, l + 1);
      this.counts = grown(this.counts, 3 * (l + 1));
    }
    this.touched[l] = id;
    seen[2 * id] = this.group;
    seen[2 * id + 1] = l;
    return l;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = (slots.length >> 1) - 1;
    for (let id = 0; id < this.types.length; id++) {
      const h = this.hashes[id]!;
      let j = h & mask;
      while (slots[2 * j + 1] !== 0) j = (j + 1) & mask;
      slots[2 * j] = h;
      slots[2 * j + 1] = id + 1;
    }
    this.slots = slots;
  }

  /** The table id of the ASCII token b[start..end) whose hash is `h`, added if new (its string made only then). */
  private idOfAscii(b: Uint8Array, start: number, end: number, h: number): number {
    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    for (let j = h & mask; ; j = (j + 1) & mask) {
      const v = slots[2 * j + 1]!;
      if (v === 0) return this.idOf(Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('latin1'), 0, end - start);
      if (slots[2 * j] === h && sameAscii(this.types[v - 1]!, b, start, end)) return v - 1;
    }
  }

  /**
   * Add the lines of an all-ASCII block in one pass over its bytes: what
   * decodeUtf8 + splitWhitespace + splitSentences('line') + addText give, for
   * a block where every code unit is its byte (no decoding, no spans; the hash
   * is taken while scanning, and FNV-1a over bytes equals hashRange over the
   * units). Whitespace and control characters separate tokens; a line break
   * (LF, or CR not before LF) ends a sentence that has tokens.
   */
  addAsciiLines(b: Uint8Array, split: number): void {
    const n = b.length;
    this.ids = grown(this.ids, this.idCount + ((n + 1) >> 1));
    const ids = this.ids;
    let open = false;
    let i = 0;
    while (i < n) {
      let c = b[i]!;
      if (c <= 0x20 || c === 0x7f) {
        if (open && (c === 10 || (c === 13 && b[i + 1] !== 10))) {
          this.endSentence(0, split);
          open = false;
        }
        i++;
        continue;
      }
      const start = i;
      let h = 0x811c9dc5;
      do {
        h = Math.imul(h ^ c, 0x01000193);
        c = b[++i]!;
      } while (i < n && c > 0x20 && c !== 0x7f);
      const id = this.localOf(this.idOfAscii(b, start, i, h));
      this.counts[3 * id + split]!++;
      ids[this.idCount++] = id;
      open = true;
    }
    if (open) this.endSentence(0, split);
  }

  private endSentence(doc: number, split: number): void {
    if (this.sentCount + 2 > this.sentEnds.length) {
      const need = this.sentCount + 2;
      this.sentEnds = grown(this.sentEnds, need);
      this.sentDoc = grown(this.sentDoc, need);
      this.sentSplit = grown(this.sentSplit, need);
    }
    this.sentDoc[this.sentCount] = doc;
    this.sentSplit[this.sentCount] = split;
    this.sentEnds[++this.sentCount] = this.idCount;
  }

  /**
   * Add the sentences of `text`: tokens at `spans`, sentence ends at `bounds`.
   * `lower` is the lowercased text when it keeps indices in place (see normalize.ts).
   */
  addText(text: string, lower: string | undefined, spans: TokenSpans, bounds: SentenceBounds, doc: number, split: number): void {
    const { start, end } = spans;
    const src = lower ?? text;
    const perToken = this.lowercase && lower === undefined;
    this.ids = grown(this.ids, this.idCount + spans.count);
    const need = this.sentCount + bounds.count + 1;
    this.sentEnds = grown(this.sentEnds, need);
    this.sentDoc = grown(this.sentDoc, need);
    this.sentSplit = grown(this.sentSplit, need);
    const ids = this.ids;
    let t = 0;
    for (let s = 0; s < bounds.count; s++) {
      const stop = bounds.ends[s]!;
      for (; t < stop; t++) {
        let id: number;
        if (perToken) {
          const tok = src.slice(start[t], end[t]).toLowerCase();
          id = this.localOf(this.idOf(tok, 0, tok.length));
        } else id = this.localOf(this.idOf(src, start[t]!, end[t]!));
        this.counts[3 * id + split]!++;
        ids[this.idCount++] = id;
      }
      this.sentDoc[this.sentCount] = doc;
      this.sentSplit[this.sentCount] = split;
      this.sentEnds[++this.sentCount] = this.idCount;
    }
  }

  finish(): EncodedBlock {
    const n = this.localCount;
    const tableIds = this.touched.slice(0, n);
    const words = new Array<string>(n);
    const typeHashes = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      words[i] = this.types[tableIds[i]!]!;
      typeHashes[i] = this.hashes[tableIds[i]!]!;
    }
    const typeBytes = new TextEncoder().encode(n ? words.join('\n') + '\n' : '');
    const typeEnds = new Int32Array(n);
    for (let i = 0, k = 0; i < typeBytes.length; i++) if (typeBytes[i] === 10) typeEnds[k++] = i;
    const retired = this.retired;
    this.retired = [];
    return {
      typeEnds,
      typeHashes,
      ids: this.ids.slice(0, this.idCount),
      sentEnds: this.sentEnds.slice(0, this.sentCount + 1),
      sentDoc: this.sentDoc.slice(0, this.sentCount),
      sentSplit: this.sentSplit.slice(0, this.sentCount),
      docSplit: Uint8Array.from(this.docSplits),
      typeBytes,
      counts: this.counts.slice(0, 3 * n),
      table: this.key,
      tableIds,
      retired,
      replaced: this.replaced,
    };
  }
}

/** The ArrayBuffers of a block, for the transfer list. */
export function blockBuffers(b: EncodedBlock): ArrayBuffer[] {
  return [b.ids, b.sentEnds, b.sentDoc, b.sentSplit, b.docSplit, b.typeBytes, b.typeEnds, b.typeHashes, b.counts, b.tableIds].map((a) => a.buffer as ArrayBuffer);
}

/** Decode the local type list of a block (tests and debugging; the stage merges bytes). */
export function blockTypes(b: EncodedBlock): string[] {
  if (b.typeBytes.length === 0) return [];
  const s = new TextDecoder().decode(b.typeBytes);
  return s.slice(0, -1).split('\n');
}
