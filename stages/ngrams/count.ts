// Counting n-grams of orders 1..N over token shards, as KenLM's lmplz sees a
// sentence: `<s> w1 ... wk </s>`, where `<s>` only starts n-grams (one `<s>` at
// most, at the start) and `</s>` ends the last ones. The unigram `<s>` is
// counted once per sentence. When the tables outgrow the memory budget they are
// sorted and spilled as runs (runs.ts); merge.ts combines the runs.

import fs from 'node:fs';
import path from 'node:path';
import { readTokenShard, BOS, EOS } from '../../lib/formats/tokens.js';
import { NgramCounter } from '../../lib/hash/ngram-counter.js';
import { sortRows } from './sort.js';
import { writeRun } from './runs.js';

export interface CountTask {
  shards: string[];
  order: number;
  /** In-memory budget of this task's tables, bytes. */
  memoryBytes: number;
  /** Where runs go; names are prefixed with `tag`. */
  spillDir: string;
  tag: string;
}

export interface CountResult {
  /** Run files per order (index 0 = unigrams). */
  runs: string[][];
  /** How many of those runs were written because the budget was reached. */
  spills: number;
  sentences: number;
  tokens: number;
}

/**
 * Add one sentence (ids without `<s>`/`</s>`) to the tables, KenLM's way: only
 * windows of the highest order N are counted in full (tables[N-1]); every
 * shorter n-gram either grows to the right into a longer one (so its count is
 * the sum over its extensions, derive.ts) or ends in `</s>`, and those few are
 * counted here in tables[n-1], n < N.
 */
export function countSentence(tables: NgramCounter[], ids: Int32Array, from: number, to: number, buf: Int32Array): Int32Array {
  const len = to - from;
  if (buf.length < len + 2) buf = new Int32Array((len + 2) * 2);
  buf[0] = BOS;
  buf.set(ids.subarray(from, to), 1);
  buf[len + 1] = EOS;
  const N = tables.length;
  const last = len + 1;
  const full = tables[N - 1]!;
  if (N === 1) {
    for (let i = 0; i <= last; i++) full.add(buf, i);
    return buf;
  }
  for (let start = 0; start + N - 1 <= last; start++) full.add(buf, start);
  for (let n = 1; n < N && n <= last + 1; n++) tables[n - 1]!.add(buf, last - n + 1);
  return buf;
}

/**
 * The tables may hold a third of the task's budget: a table that doubles holds
 * its old and new arrays at once (3x), and a spill holds the tables plus their
 * compacted and sorted copies of one table (its own arrays freed first). So the
 * peak stays near the budget.
 */
const TABLE_SHARE = 3;

/** Bytes the tables hold now (a table doubles when 3/4 full). */
function tableBytes(tables: NgramCounter[]): number {
  let b = 0;
  for (const t of tables) b += t.bytes;
  return b;
}

export function countShards(task: CountTask): CountResult {
  const { order } = task;
  const memoryBytes = Math.floor(task.memoryBytes / TABLE_SHARE);
  // Size the tables for the shards' tokens (about 4 bytes a token on disk) so they
  // rarely grow, but never past what the budget allows (a tiny budget stays tiny).
  let estTokens = 0;
  for (const f of task.shards) estTokens += fs.statSync(f).size / 4;
  // Only the highest order's table grows with the text (the others hold sentence
  // ends); it may start at up to half its share, since its capacity rounds up to
  // a power of two. Sizing it by every order's entries made it double (and rehash)
  // twice per task at the default budget.
  const lowerBytes = order * (order + 1) * 4 * (1 << 12) * 2;
  const topSlots = Math.floor(Math.max(0, memoryBytes - lowerBytes) / (2 * (order + 1) * 4));
  const initialFor = (n: number): number => Math.max(16, n < order ? Math.min(1 << 12, Math.floor(memoryBytes / ((order + 1) * 8 * order))) : Math.min(topSlots, Math.ceil(estTokens * 1.4)));
  let tables = [...Array(order)].map((_, k) => new NgramCounter(k + 1, initialFor(k + 1)));
  const runs: string[][] = [...Array(order)].map(() => []);
  let spills = 0;
  let sentences = 0;
  let tokens = 0;
  let buf: Int32Array = new Int32Array(256);

  const spill = (): void => {
    for (let k = 0; k < order; k++) {
      if (tables[k]!.size === 0) continue;
      const { words, counts } = tables[k]!.compact();
      tables[k] = new NgramCounter(k + 1, 16); // the table's arrays go before the sort allocates its copies
      const sorted = sortRows(words, counts, k + 1);
      const file = path.join(task.spillDir, `${task.tag}-o${k + 1}-r${runs[k]!.length}.run`);
      writeRun(file, sorted.words, sorted.counts);
      runs[k]!.push(file);
    }
  };

  for (const shard of task.shards) {
    const s = readTokenShard(shard);
    for (let r = 0; r < s.rows; r++) {
      const from = s.offsets[r]!;
      const to = s.offsets[r + 1]!;
      buf = countSentence(tables, s.ids, from, to, buf);
      sentences++;
      tokens += to - from;
      if (tableBytes(tables) > memoryBytes) {
        spill();
        spills++;
        tables = [...Array(order)].map((_, k) => new NgramCounter(k + 1, initialFor(k + 1)));
      }
    }
  }
  spill();
  return { runs, spills, sentences, tokens };
}
