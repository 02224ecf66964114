// Read a tokenize stage folder back as plain values, for assertions.

import fs from 'node:fs';
import path from 'node:path';
import { listTokenShards, readTokenShard, readVocab } from '../lib/formats/tokens.js';
import { SPLITS, type Split } from '../datasets/source.js';

export interface Sentence {
  doc: number;
  tokens: string[];
  ids: number[];
}

export async function readTokenizeOutput(dir: string): Promise<{ vocab: string[]; counts: number[]; splits: Record<Split, Sentence[]>; shards: Record<Split, number[]> }> {
  const v = await readVocab(dir);
  const splits = {} as Record<Split, Sentence[]>;
  const shards = {} as Record<Split, number[]>;
  for (const split of SPLITS) {
    splits[split] = [];
    shards[split] = [];
    for (const file of listTokenShards(dir, split)) {
      const s = readTokenShard(file);
      shards[split].push(s.ids.length);
      for (let i = 0; i < s.rows; i++) {
        const ids = Array.from(s.ids.subarray(s.offsets[i], s.offsets[i + 1]));
        splits[split].push({ doc: s.docs[i]!, ids, tokens: ids.map((x) => v.tokens[x]!) });
      }
    }
  }
  return { vocab: v.tokens, counts: Array.from(v.counts), splits, shards };
}

/** Every output file of a stage folder (but its manifest, which holds times) with its bytes. */
export function outputFiles(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string, rel: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else if (e.name !== '_manifest.json') out.set(r, fs.readFileSync(path.join(d, e.name)));
    }
  };
  walk(dir, '');
  return out;
}
