// Turn a whitespace-tokenized text file (one sentence per line, as the word2vec C
// tool and GloVe read it) into the tokenize stage's interchange: vocab.arrow and
// tokens/train-NNNNN.arrow. Benchmarks use it so lexflow trains on exactly the
// words the C tools see; tests use it to build small fixtures. Two streaming
// passes; only the vocabulary is held in memory.

import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { ArrowFileWriter, listInt32Data, primitiveData, utf8Data } from '../pipeline/arrow.js';
import { A } from '../pipeline/arrow.js';
import { SPECIALS, TOKENS_DIR, UNK, shardName, tokensSchema, vocabSchema } from '../lib/formats/tokens.js';

async function* lines(file: string): AsyncGenerator<string[]> {
  const rl = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  for await (const line of rl) yield line.split(/[ \t]+/).filter((w) => w !== '');
}

/** Write vocab.arrow and train shards of at most `shardRows` sentences for `textFile` into `outDir`. */
export async function writeWhitespaceTokens(textFile: string, outDir: string, shardRows = 50_000): Promise<{ tokens: number; sentences: number; types: number }> {
  const counts = new Map<string, number>();
  for await (const words of lines(textFile)) for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
  const unkCount = counts.get(SPECIALS[UNK]) ?? 0;
  counts.delete(SPECIALS[UNK]);
  for (const s of SPECIALS) counts.delete(s);
  const words = [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)! || (a < b ? -1 : a > b ? 1 : 0));
  const idOf = new Map<string, number>([[SPECIALS[UNK], UNK]]);
  words.forEach((w, i) => idOf.set(w, SPECIALS.length + i));

  fs.mkdirSync(path.join(outDir, TOKENS_DIR), { recursive: true });
  const V = SPECIALS.length + words.length;
  const ids = new Int32Array(V);
  const cnt = new BigInt64Array(V);
  for (let i = 0; i < V; i++) ids[i] = i;
  cnt[UNK] = BigInt(unkCount);
  words.forEach((w, i) => (cnt[SPECIALS.length + i] = BigInt(counts.get(w)!)));
  const vw = new ArrowFileWriter(path.join(outDir, 'vocab.arrow'), vocabSchema);
  await vw.writeColumns([primitiveData(new A.Int32(), ids), utf8Data([...SPECIALS, ...words]), primitiveData(new A.Int64(), cnt)]);
  await vw.close();

  let shard = 0;
  let tokens = 0;
  let sentences = 0;
  let rowIds: number[] = [];
  let rowOffsets: number[] = [0];
  const flush = async (): Promise<void> => {
    if (rowOffsets.length === 1) return;
    const w = new ArrowFileWriter(path.join(outDir, TOKENS_DIR, shardName('train', shard++)), tokensSchema);
    const rows = rowOffsets.length - 1;
    await w.writeColumns([primitiveData(new A.Uint32(), new Uint32Array(rows)), listInt32Data(Int32Array.from(rowOffsets), Int32Array.from(rowIds))]);
    await w.close();
    rowIds = [];
    rowOffsets = [0];
  };
  for await (const ws of lines(textFile)) {
    for (const w of ws) rowIds.push(idOf.get(w)!);
    rowOffsets.push(rowIds.length);
    tokens += ws.length;
    sentences++;
    if (rowOffsets.length - 1 >= shardRows) await flush();
  }
  await flush();
  return { tokens, sentences, types: words.length };
}
