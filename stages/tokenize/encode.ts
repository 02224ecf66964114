// The block encoder: token strings -> block-local ids, in first-seen order,
// with the train-split count of each local type. Sentences are recorded as
// offsets into the id array, with their document and split. The main thread
// later merges local types into the global table and remaps the ids.

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
  /** Occurrences of each local type in train sentences. */
  trainCounts: Uint32Array;
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

export class BlockEncoder {
  private readonly index = new Map<string, number>();
  private readonly types: string[] = [];
  private trainCounts = new Uint32Array(1024);
  private ids = new Int32Array(1 << 14);
  private idCount = 0;
  private sentEnds = new Int32Array(1024);
  private sentDoc = new Int32Array(1024);
  private sentSplit = new Uint8Array(1024);
  private sentCount = 0;
  private readonly docSplits: number[] = [];
  replaced = 0;

  constructor(private readonly lowercase: boolean) {}

  /** Start a document (a jsonl record) in split `split`; returns its local index. */
  startDocument(split: number): number {
    this.docSplits.push(split);
    return this.docSplits.length - 1;
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
    const index = this.index;
    let t = 0;
    for (let s = 0; s < bounds.count; s++) {
      const stop = bounds.ends[s]!;
      for (; t < stop; t++) {
        let tok = src.slice(start[t], end[t]);
        if (perToken) tok = tok.toLowerCase();
        let id = index.get(tok);
        if (id === undefined) {
          id = this.types.length;
          index.set(tok, id);
          this.types.push(tok);
          if (id === this.trainCounts.length) this.trainCounts = grown(this.trainCounts, id + 1);
        }
        if (split === 0) this.trainCounts[id]!++;
        ids[this.idCount++] = id;
      }
      this.sentDoc[this.sentCount] = doc;
      this.sentSplit[this.sentCount] = split;
      this.sentEnds[++this.sentCount] = this.idCount;
    }
  }

  finish(): EncodedBlock {
    const typeBytes = new TextEncoder().encode(this.types.length ? this.types.join('\n') + '\n' : '');
    return {
      ids: this.ids.slice(0, this.idCount),
      sentEnds: this.sentEnds.slice(0, this.sentCount + 1),
      sentDoc: this.sentDoc.slice(0, this.sentCount),
      sentSplit: this.sentSplit.slice(0, this.sentCount),
      docSplit: Uint8Array.from(this.docSplits),
      typeBytes,
      trainCounts: this.trainCounts.slice(0, this.types.length),
      replaced: this.replaced,
    };
  }
}

/** The ArrayBuffers of a block, for the transfer list. */
export function blockBuffers(b: EncodedBlock): ArrayBuffer[] {
  return [b.ids, b.sentEnds, b.sentDoc, b.sentSplit, b.docSplit, b.typeBytes, b.trainCounts].map((a) => a.buffer as ArrayBuffer);
}

/** Decode the local type list of a block. */
export function blockTypes(b: EncodedBlock): string[] {
  if (b.typeBytes.length === 0) return [];
  const s = new TextDecoder().decode(b.typeBytes);
  return s.slice(0, -1).split('\n');
}
