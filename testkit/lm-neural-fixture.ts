// A tiny tokenize-stage output written by hand (vocab.arrow + token shards),
// so the lm-neural tests do not depend on the tokenize stage.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as A from 'apache-arrow';
import { ArrowFileWriter, listInt32Data, primitiveData, utf8Data } from '../pipeline/arrow.js';
import { SPECIALS, shardName, tokensSchema, vocabSchema, TOKENS_DIR } from '../lib/formats/tokens.js';

export const WORDS = ['the', 'cat', 'sat', 'on', 'mat', 'dog', 'ran', 'home'];

/** Sentences of a learnable toy language: "the cat sat on the mat" / "the dog ran home", alternating. */
export function toySentences(n: number): string[][] {
  const a = ['the', 'cat', 'sat', 'on', 'the', 'mat'];
  const b = ['the', 'dog', 'ran', 'home'];
  return Array.from({ length: n }, (_, i) => (i % 3 === 2 ? b : a));
}

export async function writeTokenizeOutput(dir: string, splits: Record<string, string[][]>): Promise<void> {
  fs.mkdirSync(path.join(dir, TOKENS_DIR), { recursive: true });
  const tokens = [...SPECIALS, ...WORDS];
  const id = new Map(tokens.map((t, i) => [t, i]));
  const counts = new Array(tokens.length).fill(0);
  for (const s of splits.train ?? []) for (const w of s) counts[id.get(w)!]++;
  const v = new ArrowFileWriter(path.join(dir, 'vocab.arrow'), vocabSchema);
  await v.writeColumns([
    primitiveData(new A.Int32(), Int32Array.from(tokens, (_, i) => i)),
    utf8Data(tokens),
    primitiveData(new A.Int64(), BigInt64Array.from(counts, (c) => BigInt(c))),
  ]);
  await v.close();
  for (const [split, sents] of Object.entries(splits)) {
    const offsets = new Int32Array(sents.length + 1);
    const ids: number[] = [];
    sents.forEach((s, i) => {
      for (const w of s) ids.push(id.get(w) ?? 0);
      offsets[i + 1] = ids.length;
    });
    const w = new ArrowFileWriter(path.join(dir, TOKENS_DIR, shardName(split as 'train', 0)), tokensSchema);
    await w.writeColumns([primitiveData(new A.Uint32(), new Uint32Array(sents.length)), listInt32Data(offsets, Int32Array.from(ids))]);
    await w.close();
  }
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `lexflow-${prefix}-`));
}
