// Small synthetic corpora for the embedding trainers: sentences drawn from one
// of two disjoint word groups, so a trained model must put each group's words
// together (a property we can assert without a reference model).

import fs from 'node:fs';
import path from 'node:path';
import { writeWhitespaceTokens } from './token-shards.js';

/** Deterministic sentences: each uses `len` words of group "a" or group "b" (size words each). */
export function twoTopicText(sentences: number, len = 8, size = 10, seed = 7): string {
  let x = seed >>> 0;
  const rand = (n: number): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % n;
  };
  const lines: string[] = [];
  for (let s = 0; s < sentences; s++) {
    const g = rand(2) === 0 ? 'a' : 'b';
    const ws: string[] = [];
    for (let i = 0; i < len; i++) ws.push(`${g}${rand(size)}`);
    lines.push(ws.join(' '));
  }
  return lines.join('\n') + '\n';
}

/** Write `text` as a tokenize-stage folder (vocab.arrow + train shards) under dir/tokenize. */
export async function tokenFolder(dir: string, text: string, shardRows = 50_000): Promise<string> {
  const txt = path.join(dir, 'corpus.txt');
  fs.writeFileSync(txt, text);
  const out = path.join(dir, 'tokenize');
  await writeWhitespaceTokens(txt, out, shardRows);
  return out;
}

export function cosine(v: Float32Array, dim: number, i: number, j: number): number {
  let d = 0;
  let a = 0;
  let b = 0;
  for (let k = 0; k < dim; k++) {
    d += v[i * dim + k]! * v[j * dim + k]!;
    a += v[i * dim + k]! ** 2;
    b += v[j * dim + k]! ** 2;
  }
  return d / Math.sqrt(a * b);
}

/** Mean cosine within groups minus mean cosine across groups, over tokens named a* / b*. */
export function topicSeparation(tokens: readonly string[], v: Float32Array, dim: number): number {
  const idx = tokens.map((t, i) => [t, i] as const).filter(([t]) => /^[ab]\d+$/.test(t));
  let within = 0;
  let nw = 0;
  let across = 0;
  let na = 0;
  for (let x = 0; x < idx.length; x++)
    for (let y = x + 1; y < idx.length; y++) {
      const c = cosine(v, dim, idx[x]![1], idx[y]![1]);
      if (idx[x]![0][0] === idx[y]![0][0]) {
        within += c;
        nw++;
      } else {
        across += c;
        na++;
      }
    }
  return within / nw - across / na;
}
