// The one writer of token-shard fixtures: a tokenize-stage output folder
// (vocab.arrow + tokens/<split>-NNNNN.arrow, docs/ARCHITECTURE.md "Arrow tables")
// from sentences given in the test, or streamed from a whitespace-tokenized file,
// so stage tests do not depend on the tokenize stage.

import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import * as A from 'apache-arrow';
import { ArrowFileWriter, listInt32Data, primitiveData, utf8Data } from '../pipeline/arrow.js';
import { SPECIALS, TOKENS_DIR, UNK, shardName, tokensSchema, vocabSchema } from '../lib/formats/tokens.js';
import type { Split } from '../datasets/source.js';

/** A sentence: its words, or a line split on whitespace. */
export type Sentence = string | readonly string[];

export interface TokenShardOptions {
  /** Sentences per shard (default: one shard per split). */
  rowsPerShard?: number;
  /**
   * Each sentence's `doc`: `row` (default) its row number in the split, `zero` all 0,
   * or the ids per split (the document of each sentence).
   */
  docs?: 'row' | 'zero' | Partial<Record<Split, ArrayLike<number>>>;
  /**
   * The words after the specials, in id order. Default: the train split's words by
   * count (descending), then by token; words of other splits that train lacks become `<unk>`.
   */
  vocab?: readonly string[];
}

export interface WrittenTokens {
  /** Spelling of every id. */
  tokens: string[];
  index: Map<string, number>;
  /** Train counts per id. */
  counts: number[];
}

const SPLIT_ORDER: readonly Split[] = ['train', 'valid', 'test'];
const words = (s: Sentence): readonly string[] => (typeof s === 'string' ? s.split(/\s+/).filter(Boolean) : s);
const byCountThenToken = (counts: Map<string, number>) => (a: string, b: string) => counts.get(b)! - counts.get(a)! || (a < b ? -1 : a > b ? 1 : 0);

async function writeVocab(dir: string, tokens: readonly string[], counts: readonly number[]): Promise<void> {
  const vw = new ArrowFileWriter(path.join(dir, 'vocab.arrow'), vocabSchema);
  await vw.writeColumns([
    primitiveData(new A.Int32(), Int32Array.from(tokens, (_, i) => i)),
    utf8Data([...tokens]),
    primitiveData(new A.Int64(), BigInt64Array.from(counts, (c) => BigInt(c))),
  ]);
  await vw.close();
}

async function writeShard(file: string, docs: Uint32Array, offsets: Int32Array, ids: Int32Array): Promise<void> {
  const w = new ArrowFileWriter(file, tokensSchema);
  await w.writeColumns([primitiveData(new A.Uint32(), docs), listInt32Data(offsets, ids)]);
  await w.close();
}

/** Write a tokenize-stage folder for the given splits (every split given gets at least one shard). */
export async function writeTokenShards(dir: string, splits: Partial<Record<Split, readonly Sentence[]>>, opts: TokenShardOptions = {}): Promise<WrittenTokens> {
  fs.mkdirSync(path.join(dir, TOKENS_DIR), { recursive: true });
  const trainCounts = new Map<string, number>();
  for (const s of splits.train ?? []) for (const w of words(s)) if (!SPECIALS.includes(w as never)) trainCounts.set(w, (trainCounts.get(w) ?? 0) + 1);
  const vocab = opts.vocab ?? [...trainCounts.keys()].sort(byCountThenToken(trainCounts));
  const tokens = [...SPECIALS, ...vocab];
  const index = new Map(tokens.map((t, i) => [t, i]));
  const counts = tokens.map((t) => trainCounts.get(t) ?? 0);
  await writeVocab(dir, tokens, counts);
  const perShard = opts.rowsPerShard ?? Number.MAX_SAFE_INTEGER;
  for (const split of SPLIT_ORDER) {
    const lines = splits[split];
    if (!lines) continue;
    const docOf = (row: number): number => {
      const d = opts.docs ?? 'row';
      return d === 'row' ? row : d === 'zero' ? 0 : (d[split]?.[row] ?? 0);
    };
    for (let start = 0, shard = 0; shard === 0 || start < lines.length; start += perShard, shard++) {
      const part = lines.slice(start, start + perShard);
      const ids: number[] = [];
      const offsets = new Int32Array(part.length + 1);
      part.forEach((s, i) => {
        for (const w of words(s)) ids.push(index.get(w) ?? UNK);
        offsets[i + 1] = ids.length;
      });
      const docs = Uint32Array.from(part, (_, i) => docOf(start + i));
      await writeShard(path.join(dir, TOKENS_DIR, shardName(split, shard)), docs, offsets, Int32Array.from(ids));
    }
  }
  return { tokens, index, counts };
}

/** Sentences of documents, flattened, with each sentence's document number (for `docs`). */
export function documents(corpus: readonly (readonly Sentence[])[]): { sentences: Sentence[]; docs: number[] } {
  const sentences: Sentence[] = [];
  const docs: number[] = [];
  corpus.forEach((doc, d) => doc.forEach((s) => (sentences.push(s), docs.push(d))));
  return { sentences, docs };
}

async function* fileLines(file: string): AsyncGenerator<string[]> {
  const rl = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  for await (const line of rl) yield line.split(/[ \t]+/).filter((w) => w !== '');
}

/**
 * Stream a whitespace-tokenized text file (one sentence per line, as the word2vec C
 * tool and GloVe read it) into train shards of at most `shardRows` sentences:
 * lexflow then trains on exactly the words the C tools see. A literal `<unk>` is
 * lexflow's `<unk>`. Two passes; only the vocabulary is held in memory.
 */
export async function writeWhitespaceTokens(textFile: string, outDir: string, shardRows = 50_000): Promise<{ tokens: number; sentences: number; types: number }> {
  const counts = new Map<string, number>();
  for await (const ws of fileLines(textFile)) for (const w of ws) counts.set(w, (counts.get(w) ?? 0) + 1);
  const unkCount = counts.get(SPECIALS[UNK]) ?? 0;
  for (const s of SPECIALS) counts.delete(s);
  const vocab = [...counts.keys()].sort(byCountThenToken(counts));
  const idOf = new Map<string, number>([[SPECIALS[UNK], UNK]]);
  vocab.forEach((w, i) => idOf.set(w, SPECIALS.length + i));
  fs.mkdirSync(path.join(outDir, TOKENS_DIR), { recursive: true });
  await writeVocab(outDir, [...SPECIALS, ...vocab], [unkCount, 0, 0, 0, ...vocab.map((w) => counts.get(w)!)]);

  let shard = 0;
  let tokens = 0;
  let sentences = 0;
  let rowIds: number[] = [];
  let rowOffsets: number[] = [0];
  const flush = async (): Promise<void> => {
    if (rowOffsets.length === 1) return;
    await writeShard(path.join(outDir, TOKENS_DIR, shardName('train', shard++)), new Uint32Array(rowOffsets.length - 1), Int32Array.from(rowOffsets), Int32Array.from(rowIds));
    rowIds = [];
    rowOffsets = [0];
  };
  for await (const ws of fileLines(textFile)) {
    for (const w of ws) rowIds.push(idOf.get(w) ?? UNK);
    rowOffsets.push(rowIds.length);
    tokens += ws.length;
    sentences++;
    if (rowOffsets.length - 1 >= shardRows) await flush();
  }
  await flush();
  return { tokens, sentences, types: vocab.length };
}

/** Train shards for a corpus of documents (each a list of sentences); `doc` is the document number. */
export async function writeDocuments(dir: string, corpus: readonly (readonly Sentence[])[], rowsPerShard?: number): Promise<WrittenTokens> {
  const { sentences, docs } = documents(corpus);
  return writeTokenShards(dir, { train: sentences }, { docs: { train: docs }, rowsPerShard });
}
