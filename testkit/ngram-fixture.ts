// Test fixtures for the n-gram stages: a tokenize-stage folder (vocab.arrow and
// tokens/<split>-NNNNN.arrow, per pipeline/tokens.ts) written from whitespace
// text, and a minimal StageContext to run a stage without the runner.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as A from 'apache-arrow';
import { ArrowFileWriter, listInt32Data, primitiveData, utf8Data } from '../pipeline/arrow.js';
import { SPECIALS, tokensSchema, vocabSchema, shardName, TOKENS_DIR, UNK } from '../lib/formats/tokens.js';
import { createPool, type Pool } from '../pipeline/pool.js';
import { silentProgress } from '../pipeline/progress.js';
import { createLogger } from '../pipeline/log.js';
import { resolveParams, type ParamSchema } from '../pipeline/params.js';
import type { StageContext, StageDef, StageResult } from '../pipeline/stage.js';

const made: string[] = [];

/** A fresh temporary folder, removed by closeTestPool() at the end of the test file. */
export function tmpDir(prefix = 'lexflow-ngram-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
}

export interface Corpus {
  train: string[];
  valid?: string[];
  test?: string[];
}

/** Write a tokenize-stage folder; the vocabulary comes from train, other words become <unk>. */
export async function writeTokenizeDir(dir: string, corpus: Corpus, rowsPerShard = 1000): Promise<{ tokens: string[]; index: Map<string, number> }> {
  fs.mkdirSync(path.join(dir, TOKENS_DIR), { recursive: true });
  const counts = new Map<string, number>();
  for (const line of corpus.train) for (const w of line.split(/\s+/).filter(Boolean)) if (!SPECIALS.includes(w as never)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const words = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const tokens = [...SPECIALS, ...words.map((w) => w[0])];
  const index = new Map(tokens.map((t, i) => [t, i]));
  const vw = new ArrowFileWriter(path.join(dir, 'vocab.arrow'), vocabSchema);
  const cnt = new BigInt64Array(tokens.length);
  words.forEach((w, i) => (cnt[i + SPECIALS.length] = BigInt(w[1])));
  await vw.writeColumns([primitiveData(new A.Int32(), Int32Array.from(tokens.map((_, i) => i))), utf8Data(tokens), primitiveData(new A.Int64(), cnt)]);
  await vw.close();
  for (const split of ['train', 'valid', 'test'] as const) {
    const lines = corpus[split];
    if (!lines) continue;
    for (let s = 0, shard = 0; s < lines.length || (s === 0 && shard === 0); s += rowsPerShard, shard++) {
      const part = lines.slice(s, s + rowsPerShard);
      const ids: number[] = [];
      const offsets = [0];
      for (const line of part) {
        for (const w of line.split(/\s+/).filter(Boolean)) ids.push(index.get(w) ?? UNK);
        offsets.push(ids.length);
      }
      const w = new ArrowFileWriter(path.join(dir, TOKENS_DIR, shardName(split, shard)), tokensSchema);
      const docs = new Uint32Array(part.length);
      for (let i = 0; i < part.length; i++) docs[i] = s + i;
      await w.writeColumns([primitiveData(new A.Uint32(), docs), listInt32Data(Int32Array.from(offsets), Int32Array.from(ids))]);
      await w.close();
      if (lines.length === 0) break;
    }
  }
  return { tokens, index };
}

let sharedPool: Pool | undefined;
export function testPool(): Pool {
  sharedPool ??= createPool(2);
  return sharedPool;
}
export async function closeTestPool(): Promise<void> {
  await sharedPool?.destroy();
  sharedPool = undefined;
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** Run one stage's `run` with the given input folders and params; returns its result, warnings and output folder. */
export async function runStage<P extends ParamSchema>(
  def: StageDef<P>,
  inputs: Record<string, string>,
  params: Record<string, unknown>,
  outDir: string,
): Promise<{ result: StageResult; warnings: string[]; outDir: string }> {
  fs.mkdirSync(outDir, { recursive: true });
  const warnings: string[] = [];
  const ctx: StageContext<P> = {
    params: resolveParams(def.params, params, def.name),
    runDir: path.dirname(outDir),
    outDir,
    checkpointDir: path.join(outDir, '.ckpt'),
    input: (name) => {
      const dir = inputs[name];
      if (!dir) throw new Error(`no input ${name}`);
      return { dir, manifest: undefined as never };
    },
    dataset: undefined,
    pool: testPool(),
    progress: silentProgress,
    log: createLogger('quiet'),
    warn: (m) => warnings.push(m),
  };
  const result = await def.run(ctx);
  return { result, warnings, outDir };
}

/** The ten-sentence corpus of the hand-worked tests. */
export const TEN_SENTENCES = [
  'the cat sat on the mat',
  'the dog sat on the log',
  'the cat saw the dog',
  'a dog saw a cat',
  'the mat was red',
  'a cat sat',
  'the dog ran',
  'a log was on the mat',
  'the cat ran on the log',
  'a red dog sat on a mat',
];
