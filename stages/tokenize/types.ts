// The global type table on the main thread: every distinct token string gets
// a provisional id in order of first appearance (in block order), with its
// train count. Block-local ids are remapped to provisional ids as blocks
// arrive; the vocabulary builder later maps provisional ids to final ids.

import { SPECIALS, UNK } from '../../pipeline/tokens.js';

export class TypeTable {
  private readonly index = new Map<string, number>();
  readonly tokens: string[] = [];
  private counts = new Float64Array(1 << 16);

  constructor() {
    // A literal `<unk>` in the corpus (PTB) is the unknown word: provisional id 0, like the special.
    // The other specials written literally are unknown words too: they cannot be two tokens at once.
    this.tokens.push(SPECIALS[UNK]);
    for (const s of SPECIALS) this.index.set(s, UNK);
  }

  get size(): number {
    return this.tokens.length;
  }

  /** Train counts by provisional id (a view; valid until the next merge). */
  get trainCounts(): Float64Array {
    return this.counts.subarray(0, this.tokens.length);
  }

  /** Add a block's local types and train counts; returns the local -> provisional id map. */
  merge(localTypes: readonly string[], trainCounts: Uint32Array): Int32Array {
    const remap = new Int32Array(localTypes.length);
    for (let i = 0; i < localTypes.length; i++) {
      const tok = localTypes[i]!;
      let id = this.index.get(tok);
      if (id === undefined) {
        id = this.tokens.length;
        this.index.set(tok, id);
        this.tokens.push(tok);
        if (id === this.counts.length) {
          const c = new Float64Array(this.counts.length * 2);
          c.set(this.counts);
          this.counts = c;
        }
      }
      this.counts[id]! += trainCounts[i]!;
      remap[i] = id;
    }
    return remap;
  }
}
