// A stand-in for the tokenize stage while it is not on main: a source stage named
// `tokenize` that writes its layout (pipeline/tokens.ts) from whitespace-split
// lines. Every 10th line (from the 9th) is valid, every 10th (from the 10th) test;
// train goes into two shards. As the real stage: the vocabulary holds the train
// words, words seen only in valid/test become <unk>, and <s>/</s> count the train
// sentences. When the real tokenize stage is registered, it is used instead.

import fs from 'node:fs';
import path from 'node:path';
import * as A from 'apache-arrow';
import { ArrowFileWriter, listInt32Data, primitiveData, utf8Data } from '../../pipeline/arrow.js';
import { allStages, registerStage } from '../../pipeline/registry.js';
import { defineStage } from '../../pipeline/stage.js';
import { shardName, SPECIALS, TOKENS_DIR, tokensSchema, vocabSchema } from '../../lib/formats/tokens.js';
import type { Split } from '../../datasets/source.js';
import subwordStage from '../../stages/subword/index.js';
import { splitWords } from '../../lib/subword/pieces.js';

const fakeTokenize = defineStage({
  name: 'tokenize',
  describe: 'whitespace words (test stand-in)',
  version: 1,
  inputs: [],
  source: true,
  params: {},
  async run(ctx) {
    const lines: Array<{ doc: number; words: string[]; split: Split }> = [];
    const files = await ctx.dataset!.files();
    files.forEach((f, doc) => {
      for (const line of fs.readFileSync(f.path, 'utf8').split('\n')) {
        const words = splitWords(line);
        if (words.length === 0) continue;
        const k = lines.length % 10;
        lines.push({ doc, words, split: k === 8 ? 'valid' : k === 9 ? 'test' : 'train' });
      }
    });
    const count = new Map<string, number>();
    for (const l of lines) for (const w of l.words) count.set(w, (count.get(w) ?? 0) + (l.split === 'train' ? 1 : 0));
    const words = [...count.keys()].filter((w) => count.get(w)! > 0).sort((a, b) => count.get(b)! - count.get(a)! || (a < b ? -1 : 1));
    const vocab = [...SPECIALS, ...words];
    const sentences = lines.filter((l) => l.split === 'train').length;
    const id = new Map(vocab.map((w, i) => [w, i]));
    const v = new ArrowFileWriter(path.join(ctx.outDir, 'vocab.arrow'), vocabSchema);
    await v.writeColumns([
      primitiveData(new A.Int32(), Int32Array.from(vocab, (_, i) => i)),
      utf8Data(vocab),
      primitiveData(new A.Int64(), BigInt64Array.from(vocab, (w, i) => BigInt(i === 1 || i === 2 ? sentences : i < SPECIALS.length ? 0 : count.get(w)!))),
    ]);
    await v.close();
    fs.mkdirSync(path.join(ctx.outDir, TOKENS_DIR));
    const rows: Record<string, number> = { 'vocab.arrow': vocab.length };
    const write = async (split: Split, index: number, part: typeof lines) => {
      const offsets = new Int32Array(part.length + 1);
      const ids: number[] = [];
      part.forEach((l, r) => {
        for (const w of l.words) ids.push(id.get(w) ?? 0);
        offsets[r + 1] = ids.length;
      });
      const rel = path.join(TOKENS_DIR, shardName(split, index));
      const w = new ArrowFileWriter(path.join(ctx.outDir, rel), tokensSchema);
      await w.writeColumns([primitiveData(new A.Uint32(), Uint32Array.from(part, (l) => l.doc)), listInt32Data(offsets, Int32Array.from(ids))]);
      rows[rel] = await w.close();
    };
    const train = lines.filter((l) => l.split === 'train');
    const half = Math.ceil(train.length / 2);
    await write('train', 0, train.slice(0, half));
    await write('train', 1, train.slice(half));
    await write('valid', 0, lines.filter((l) => l.split === 'valid'));
    await write('test', 0, lines.filter((l) => l.split === 'test'));
    return { rows };
  },
});

/** Register the subword stage, and the stand-in tokenize stage unless the real one is there; true when the stand-in is used. */
export function registerSubwordStages(): boolean {
  const names = new Set(allStages().map((s) => s.name));
  const standIn = !names.has('tokenize');
  if (standIn) registerStage(fakeTokenize);
  if (!names.has('subword')) registerStage(subwordStage);
  return standIn;
}
