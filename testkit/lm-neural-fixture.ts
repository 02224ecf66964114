// The toy language of the lm-neural tests; its token shards are written with
// testkit/token-shards.ts (writeTokenShards with `vocab: WORDS`).

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


export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `lexflow-${prefix}-`));
}
