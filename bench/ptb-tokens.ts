// PTB as the tokenize stage would write it (pipeline/tokens.ts), for the
// benchmark only: whitespace tokens, PTB's own `<unk>` as id 0, the vocabulary
// from the train split sorted by count then token, one shard per split.

import fs from 'node:fs';
import path from 'node:path';
import * as A from 'apache-arrow';
import { ArrowFileWriter, listInt32Data, primitiveData, utf8Data } from '../pipeline/arrow.js';
import { SPECIALS, shardName, tokensSchema, vocabSchema, TOKENS_DIR } from '../lib/formats/tokens.js';

/** Writes vocab.arrow and tokens/{train,valid,test}-00000.arrow under `out`; returns the vocabulary size. */
export async function writePtbTokens(ptbDir: string, out: string): Promise<number> {
  fs.mkdirSync(path.join(out, TOKENS_DIR), { recursive: true });
  const lines = (split: string): string[][] =>
    fs
      .readFileSync(path.join(ptbDir, `ptb.${split}.txt`), 'utf8')
      .split('\n')
      .map((l) => l.trim().split(/\s+/).filter(Boolean))
      .filter((l) => l.length > 0);
  const train = lines('train');
  const counts = new Map<string, number>();
  for (const s of train) for (const w of s) if (w !== '<unk>') counts.set(w, (counts.get(w) ?? 0) + 1);
  const words = [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)! || (a < b ? -1 : a > b ? 1 : 0));
  const tokens = [...SPECIALS, ...words];
  const id = new Map(tokens.map((t, i) => [t, i]));
  const v = new ArrowFileWriter(path.join(out, 'vocab.arrow'), vocabSchema);
  await v.writeColumns([
    primitiveData(new A.Int32(), Int32Array.from(tokens, (_, i) => i)),
    utf8Data(tokens),
    primitiveData(new A.Int64(), BigInt64Array.from(tokens, (t) => BigInt(counts.get(t) ?? 0))),
  ]);
  await v.close();
  for (const split of ['train', 'valid', 'test'] as const) {
    const sents = split === 'train' ? train : lines(split);
    const offsets = new Int32Array(sents.length + 1);
    const total = sents.reduce((s, x) => s + x.length, 0);
    const ids = new Int32Array(total);
    let p = 0;
    sents.forEach((s, i) => {
      for (const w of s) ids[p++] = id.get(w) ?? 0;
      offsets[i + 1] = p;
    });
    const w = new ArrowFileWriter(path.join(out, TOKENS_DIR, shardName(split, 0)), tokensSchema);
    await w.writeColumns([primitiveData(new A.Uint32(), new Uint32Array(sents.length)), listInt32Data(offsets, ids)]);
    await w.close();
  }
  return tokens.length;
}
