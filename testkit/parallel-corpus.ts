// Tiny parallel corpora written by the tests themselves: a "translation" that
// maps each source word to a target word, so a model can learn it in seconds.

import fs from 'node:fs';
import path from 'node:path';

const SRC = ['a', 'big', 'dog', 'cat', 'runs', 'sleeps', 'the', 'small', 'red', 'house'];
const TGT = ['ein', 'grosser', 'hund', 'katze', 'rennt', 'schlaeft', 'der', 'kleiner', 'rotes', 'haus'];

/** n sentence pairs of 2..6 words; target = the source's words mapped one to one, capitalized and ended with a period. */
export function toyPairs(n: number, seed = 1): { src: string[]; tgt: string[] } {
  let s = seed >>> 0;
  const r = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const src: string[] = [];
  const tgt: string[] = [];
  for (let i = 0; i < n; i++) {
    const len = 2 + Math.floor(r() * 5);
    const ids = Array.from({ length: len }, () => Math.floor(r() * SRC.length));
    src.push(ids.map((k) => SRC[k]).join(' ') + '.');
    const t = ids.map((k) => TGT[k]!).join(' ');
    tgt.push(t[0]!.toUpperCase() + t.slice(1) + '.');
  }
  return { src, tgt };
}

/** A folder of train/val/test.{en,de} files. */
export function writeToyParallel(dir: string, sizes = { train: 400, val: 20, test: 20 }): string {
  fs.mkdirSync(dir, { recursive: true });
  let seed = 1;
  for (const [split, n] of Object.entries(sizes)) {
    const p = toyPairs(n, seed++);
    fs.writeFileSync(path.join(dir, `${split}.en`), p.src.join('\n') + '\n');
    fs.writeFileSync(path.join(dir, `${split}.de`), p.tgt.join('\n') + '\n');
  }
  return dir;
}
