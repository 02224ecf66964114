// The global type table on the main thread: every distinct token gets a
// provisional id in order of first appearance (in block order), with its
// count in each split. Block-local ids map to provisional ids through a
// per-block remap; the vocabulary builder maps provisional ids to final ids.
//
// Keys are the tokens' UTF-8 bytes, found by the hash the worker computed:
// merging a block compares bytes and allocates no strings (it runs on the
// main thread, which every worker waits on). Strings are decoded once, at
// the end, for the vocabulary.

import { SPECIALS } from '../../lib/formats/tokens.js';
import { hashString } from './encode.js';

/** Provisional ids 0..3 are the specials written literally in the corpus; all of them mean <unk>. */
export const LITERAL_SPECIALS = SPECIALS.length;

export interface TypeBlock {
  typeBytes: Uint8Array;
  typeEnds: Int32Array;
  typeHashes: Int32Array;
  /** [3 * i + split] */
  counts: Uint32Array;
}

export class TypeTable {
  private arena = new Uint8Array(1 << 20); // type bytes, each followed by '\n'
  private used = 0;
  /** Per provisional id: its start in the arena and its byte length, side by side (one cache line). */
  private entries = new Int32Array(2 << 16);
  /** Open addressing, two ints per slot: the hash, and the provisional id + 1 (0 = empty). */
  private slots = new Int32Array(2 << 17);
  private counts = new Float64Array(3 << 16);
  size = 0;

  constructor() {
    const enc = new TextEncoder();
    for (const s of SPECIALS) {
      const b = enc.encode(s);
      this.add(b, 0, b.length, hashString(s), -1);
    }
  }

  /** Bytes the table's contents take (bytes, entries, counts and slots), whatever its capacity. */
  approxBytes(): number {
    return this.used + this.size * (8 + 24 + 16);
  }

  /** Count of provisional type g in split s. */
  count(g: number, split: number): number {
    return this.counts[3 * g + split]!;
  }

  /** Train counts by provisional id. */
  trainCounts(): Float64Array {
    const out = new Float64Array(this.size);
    for (let g = 0; g < out.length; g++) out[g] = this.counts[3 * g]!;
    return out;
  }

  /** The tokens by provisional id (decoded once). */
  tokens(): string[] {
    if (this.size === 0) return [];
    return new TextDecoder().decode(this.arena.subarray(0, this.used - 1)).split('\n');
  }

  private add(src: Uint8Array, from: number, to: number, h: number, slot: number): number {
    const id = this.size++;
    const len = to - from;
    if (2 * id + 2 > this.entries.length) {
      const e = new Int32Array(this.entries.length * 2);
      e.set(this.entries);
      this.entries = e;
      const c = new Float64Array(this.counts.length * 2);
      c.set(this.counts);
      this.counts = c;
    }
    if (this.used + len + 1 > this.arena.length) {
      let n = this.arena.length * 2;
      while (n < this.used + len + 1) n *= 2;
      const a = new Uint8Array(n);
      a.set(this.arena.subarray(0, this.used));
      this.arena = a;
    }
    // A byte loop: a subarray per new type cost more than the copy (types are short).
    const arena = this.arena;
    for (let k = 0, at = this.used; k < len; k++) arena[at + k] = src[from + k]!;
    this.entries[2 * id] = this.used;
    this.entries[2 * id + 1] = len;
    this.arena[this.used + len] = 10;
    this.used += len + 1;
    if (slot < 0) slot = this.freeSlot(h);
    this.slots[2 * slot] = h;
    this.slots[2 * slot + 1] = id + 1;
    if (4 * this.size > this.slots.length) this.rehash();
    return id;
  }

  private freeSlot(h: number): number {
    const mask = (this.slots.length >> 1) - 1;
    let j = h & mask;
    while (this.slots[2 * j + 1] !== 0) j = (j + 1) & mask;
    return j;
  }

  private rehash(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    for (let k = 0; k < old.length; k += 2) {
      if (old[k + 1] === 0) continue;
      const j = this.freeSlot(old[k]!);
      this.slots[2 * j] = old[k]!;
      this.slots[2 * j + 1] = old[k + 1]!;
    }
  }

  /** Add a block's local types and their per-split counts; returns the local -> provisional id map. */
  merge(b: TypeBlock): Int32Array {
    const n = b.typeEnds.length;
    const remap = new Int32Array(n);
    const bytes = b.typeBytes;
    let from = 0;
    for (let i = 0; i < n; i++) {
      const to = b.typeEnds[i]!;
      const h = b.typeHashes[i]!;
      const len = to - from;
      let id = -1;
      const slots = this.slots;
      const mask = (slots.length >> 1) - 1;
      let j = h & mask;
      for (; ; j = (j + 1) & mask) {
        const v = slots[2 * j + 1]!;
        if (v === 0) break;
        if (slots[2 * j] !== h || this.entries[2 * v - 1] !== len) continue;
        const s = this.entries[2 * v - 2]!;
        let k = 0;
        while (k < len && this.arena[s + k] === bytes[from + k]) k++;
        if (k === len) {
          id = v - 1;
          break;
        }
      }
      if (id < 0) id = this.add(bytes, from, to, h, j);
      this.counts[3 * id]! += b.counts[3 * i]!;
      this.counts[3 * id + 1]! += b.counts[3 * i + 1]!;
      this.counts[3 * id + 2]! += b.counts[3 * i + 2]!;
      remap[i] = id;
      from = to + 1;
    }
    return remap;
  }
}
