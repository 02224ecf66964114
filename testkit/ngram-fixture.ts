// What the n-gram tests share: temporary folders and one pool for a test file,
// and the ten-sentence corpus of the hand-worked examples. Token shards come from
// testkit/token-shards.ts, stage runs from testkit/stage-harness.ts.

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
