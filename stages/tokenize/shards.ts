// Token shards: `tokens/<split>-NNNNN.arrow`, one record batch each, of at
// most `shardTokens` tokens (a longer sentence gets a shard of its own).
// Sentences are appended in corpus order with their final ids, so shard
// boundaries depend only on the corpus and the params, never on threads.

import fs from 'node:fs';
import path from 'node:path';
import * as A from 'apache-arrow';
import { ArrowFileWriter, listInt32Data, primitiveData } from '../../pipeline/arrow.js';
import { TOKENS_DIR, shardName, tokensSchema } from '../../lib/formats/tokens.js';
import type { Split } from '../../datasets/source.js';

export class ShardWriter {
  private docs = new Uint32Array(1024);
  private offsets = new Int32Array(1025);
  private ids: Int32Array;
  private rows = 0;
  private tokens = 0;
  private next = 0;
  /** Rows by file, relative to the stage folder. */
  readonly files: Record<string, number> = {};

  constructor(
    private readonly stageDir: string,
    private readonly split: Split,
    private readonly shardTokens: number,
  ) {
    this.ids = new Int32Array(Math.min(shardTokens, 1 << 20));
    fs.mkdirSync(path.join(stageDir, TOKENS_DIR), { recursive: true });
  }

  /** True when a sentence of `len` tokens does not fit in the open shard: flush first. */
  full(len: number): boolean {
    return this.rows > 0 && this.tokens + len > this.shardTokens;
  }

  /** Append one sentence: `src[from..to)` mapped through `finalId` (call `flush` first when `full`). */
  add(doc: number, src: Int32Array, from: number, to: number, finalId: Int32Array): void {
    const len = to - from;
    if (this.rows + 1 >= this.docs.length) {
      const d = new Uint32Array(this.docs.length * 2);
      d.set(this.docs);
      this.docs = d;
      const o = new Int32Array(this.offsets.length * 2);
      o.set(this.offsets);
      this.offsets = o;
    }
    if (this.tokens + len > this.ids.length) {
      let n = this.ids.length * 2;
      while (n < this.tokens + len) n *= 2;
      const v = new Int32Array(n);
      v.set(this.ids.subarray(0, this.tokens));
      this.ids = v;
    }
    const ids = this.ids;
    let k = this.tokens;
    for (let i = from; i < to; i++) ids[k++] = finalId[src[i]!]!;
    this.docs[this.rows] = doc;
    this.tokens = k;
    this.offsets[++this.rows] = k;
  }

  /** Write the open shard (if any) as one record batch. */
  async flush(): Promise<void> {
    if (this.rows === 0) return;
    const name = shardName(this.split, this.next++);
    const w = new ArrowFileWriter(path.join(this.stageDir, TOKENS_DIR, name), tokensSchema);
    await w.writeColumns([
      primitiveData(new A.Uint32(), this.docs.subarray(0, this.rows)),
      listInt32Data(this.offsets.subarray(0, this.rows + 1), this.ids.subarray(0, this.tokens)),
    ]);
    // Closed (flushed to disk) before the buffers are reused for the next shard.
    this.files[`${TOKENS_DIR}/${name}`] = await w.close();
    this.rows = 0;
    this.tokens = 0;
  }
}
