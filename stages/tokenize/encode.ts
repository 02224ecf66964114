// The block encoder: token spans -> block-local ids, in first-seen order,
// with each local type's count per split. Sentences are recorded as offsets
// into the id array, with their document and split. The main thread later
// merges local types into the global table.
//
// The local type table is an open-addressing hash table keyed by the token's
// characters in the text: a token already seen costs a hash and a compare
// over its characters, with no string allocated (most tokens are repeats).

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

function sameRange(tok: string, s: string, start: number, end: number): boolean {
  if (tok.length !== end - start) return false;
  for (let i = 0; i < tok.length; i++) if (tok.charCodeAt(i) !== s.charCodeAt(start + i)) return false;
  return true;
}

export class BlockEncoder {
  private types: string[] = [];
  private hashes = new Int32Array(1024);
  private slots = new Int32Array(1 << 12); // type id + 1; 0 = empty
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

  /** Forget the block, keep the grown arrays: a worker encodes block after block with one encoder. */
  reset(): void {
    this.counts.fill(0, 0, 3 * this.types.length);
    this.types = [];
    this.slots.fill(0);
    this.idCount = 0;
    this.sentCount = 0;
    this.docSplits.length = 0;
    this.replaced = 0;
  }

  /** Start a document (a jsonl record) in split `split`; returns its local index. */
  startDocument(split: number): number {
    this.docSplits.push(split);
    return this.docSplits.length - 1;
  }

  /** The local id of the token s[start..end), added if new. */
  private idOf(s: string, start: number, end: number): number {
    const h = hashRange(s, start, end);
    const mask = this.slots.length - 1;
    for (let j = h & mask; ; j = (j + 1) & mask) {
      const v = this.slots[j]!;
      if (v === 0) {
        const id = this.types.length;
        this.types.push(s.slice(start, end));
        if (id === this.hashes.length) {
          this.hashes = grown(this.hashes, id + 1);
          this.counts = grown(this.counts, 3 * (id + 1));
        }
        this.hashes[id] = h;
        this.slots[j] = id + 1;
        if (2 * this.types.length > this.slots.length) this.rehash();
        return id;
      }
      if (this.hashes[v - 1] === h && sameRange(this.types[v - 1]!, s, start, end)) return v - 1;
    }
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.types.length; id++) {
      let j = this.hashes[id]! & mask;
      while (slots[j] !== 0) j = (j + 1) & mask;
      slots[j] = id + 1;
    }
    this.slots = slots;
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
          id = this.idOf(tok, 0, tok.length);
        } else id = this.idOf(src, start[t]!, end[t]!);
        this.counts[3 * id + split]!++;
        ids[this.idCount++] = id;
      }
      this.sentDoc[this.sentCount] = doc;
      this.sentSplit[this.sentCount] = split;
      this.sentEnds[++this.sentCount] = this.idCount;
    }
  }

  finish(): EncodedBlock {
    const n = this.types.length;
    const typeBytes = new TextEncoder().encode(n ? this.types.join('\n') + '\n' : '');
    const typeEnds = new Int32Array(n);
    for (let i = 0, k = 0; i < typeBytes.length; i++) if (typeBytes[i] === 10) typeEnds[k++] = i;
    return {
      typeEnds,
      typeHashes: this.hashes.slice(0, n),
      ids: this.ids.slice(0, this.idCount),
      sentEnds: this.sentEnds.slice(0, this.sentCount + 1),
      sentDoc: this.sentDoc.slice(0, this.sentCount),
      sentSplit: this.sentSplit.slice(0, this.sentCount),
      docSplit: Uint8Array.from(this.docSplits),
      typeBytes,
      counts: this.counts.slice(0, 3 * this.types.length),
      replaced: this.replaced,
    };
  }
}

/** The ArrayBuffers of a block, for the transfer list. */
export function blockBuffers(b: EncodedBlock): ArrayBuffer[] {
  return [b.ids, b.sentEnds, b.sentDoc, b.sentSplit, b.docSplit, b.typeBytes, b.typeEnds, b.typeHashes, b.counts].map((a) => a.buffer as ArrayBuffer);
}

/** Decode the local type list of a block (tests and debugging; the stage merges bytes). */
export function blockTypes(b: EncodedBlock): string[] {
  if (b.typeBytes.length === 0) return [];
  const s = new TextDecoder().decode(b.typeBytes);
  return s.slice(0, -1).split('\n');
}
