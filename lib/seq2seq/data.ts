// The stage's data: sentence pairs as id arrays, written as one Arrow table
// per split (`tokens/<split>.arrow`: `src` and `tgt` id lists per row), and
// length-bucketed, padded batches for training.

import path from 'node:path';
import fs from 'node:fs';
import * as A from 'apache-arrow';
import { ArrowFileWriter, field, listInt32, listInt32Data, listOfInt32, primitiveData, readTableSync, utf8Data } from '../../pipeline/arrow.js';
import { BOS, EOS, PAD, vocabSchema } from '../formats/tokens.js';
import { mixSeed, permutation } from '../nn/random.js';
import type { Batcher } from '../nn/train-loop.js';
import type { Split } from '../../datasets/source.js';
import type { SideVocab } from './pieces.js';

export const pairsSchema = new A.Schema([field('src', listOfInt32()), field('tgt', listOfInt32())]);

export interface PairData {
  src: Int32Array[];
  tgt: Int32Array[];
}

export async function writePairs(dir: string, split: Split, d: PairData): Promise<number> {
  fs.mkdirSync(path.join(dir, 'tokens'), { recursive: true });
  const col = (rows: Int32Array[]) => {
    const off = new Int32Array(rows.length + 1);
    rows.forEach((r, i) => (off[i + 1] = off[i]! + r.length));
    const vals = new Int32Array(off[rows.length]!);
    rows.forEach((r, i) => vals.set(r, off[i]!));
    return listInt32Data(off, vals);
  };
  const w = new ArrowFileWriter(path.join(dir, 'tokens', `${split}.arrow`), pairsSchema);
  await w.writeColumns([col(d.src), col(d.tgt)]);
  return w.close();
}

export function readPairsTable(file: string): PairData {
  const t = readTableSync(file);
  const out: PairData = { src: [], tgt: [] };
  for (const b of t.batches)
    for (const [name, rows] of [['src', out.src], ['tgt', out.tgt]] as const) {
      const l = listInt32(b.getChild(name)!.data[0]!);
      for (let i = 0; i + 1 < l.offsets.length; i++) rows.push(l.values.slice(l.offsets[i]!, l.offsets[i + 1]!));
    }
  return out;
}

export async function writeSideVocab(file: string, v: SideVocab): Promise<void> {
  const w = new ArrowFileWriter(file, vocabSchema);
  await w.writeColumns([primitiveData(new A.Int32(), Int32Array.from(v.tokens, (_, i) => i)), utf8Data(v.tokens), primitiveData(new A.Int64(), new BigInt64Array(v.tokens.length))]);
  await w.close();
}

/**
 * One padded batch, row-major:
 *   src (B, S) source ids, PAD after srcLen[b];
 *   tgtIn (B, T) = <s> y1 .. y_{n}, tgtOut (B, T) = y1 .. y_n </s>, PAD after;
 *   weights (B·T): 1 on real target positions, 0 on padding.
 */
export interface PairBatch {
  B: number;
  S: number;
  T: number;
  src: Int32Array;
  srcLen: Int32Array;
  tgtIn: Int32Array;
  tgtOut: Int32Array;
  weights: Float32Array;
}

export function makeBatch(src: Int32Array[], tgt: Int32Array[]): PairBatch {
  const B = src.length;
  const S = Math.max(1, ...src.map((s) => s.length));
  const T = Math.max(...tgt.map((t) => t.length)) + 1;
  const b: PairBatch = { B, S, T, src: new Int32Array(B * S).fill(PAD), srcLen: new Int32Array(B), tgtIn: new Int32Array(B * T).fill(PAD), tgtOut: new Int32Array(B * T).fill(PAD), weights: new Float32Array(B * T) };
  for (let r = 0; r < B; r++) {
    b.src.set(src[r]!, r * S);
    b.srcLen[r] = src[r]!.length;
    const y = tgt[r]!;
    b.tgtIn[r * T] = BOS;
    b.tgtIn.set(y, r * T + 1);
    b.tgtOut.set(y, r * T);
    b.tgtOut[r * T + y.length] = EOS;
    b.weights.fill(1, r * T, r * T + y.length + 1);
  }
  return b;
}

/**
 * Batches bucketed by length: pairs sorted by (source length, target length)
 * are cut into batches of about `tokens` target tokens (at most `maxRows`
 * rows), so little of a batch is padding; the batch order is a seeded
 * shuffle per epoch (a function of (seed, epoch): exact resume).
 */
export class BucketBatches implements Batcher<PairBatch> {
  readonly steps: number;
  private readonly groups: Int32Array[] = [];
  constructor(
    private readonly data: PairData,
    tokens: number,
    maxRows: number,
    private readonly seed: number,
  ) {
    const n = data.src.length;
    const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => data.src[a]!.length - data.src[b]!.length || data.tgt[a]!.length - data.tgt[b]!.length || a - b);
    let start = 0;
    while (start < n) {
      let end = start;
      let longest = 0;
      while (end < n && end - start < maxRows) {
        const len = Math.max(data.src[order[end]!]!.length, data.tgt[order[end]!]!.length + 1);
        if (end > start && Math.max(longest, len) * (end - start + 1) > tokens) break;
        longest = Math.max(longest, len);
        end++;
      }
      this.groups.push(order.slice(start, end));
      start = end;
    }
    this.steps = this.groups.length;
  }
  batch(epoch: number, k: number): PairBatch {
    const g = this.groups[permutation(this.steps, mixSeed(this.seed, 8, epoch))[k]!]!;
    return makeBatch(Array.from(g, (i) => this.data.src[i]!), Array.from(g, (i) => this.data.tgt[i]!));
  }
}

/** Rows r0..r1 of a batch, re-padded to their own longest source and target (padding changes no loss, so neither does this). */
export function sliceBatch(b: PairBatch, r0: number, r1: number): PairBatch {
  const src: Int32Array[] = [];
  const tgt: Int32Array[] = [];
  for (let r = r0; r < r1; r++) {
    src.push(b.src.slice(r * b.S, r * b.S + b.srcLen[r]!));
    let n = 0;
    for (let t = 0; t < b.T; t++) n += b.weights[r * b.T + t]!;
    tgt.push(b.tgtOut.slice(r * b.T, r * b.T + n - 1)); // y1 .. y_n without </s>
  }
  return makeBatch(src, tgt);
}

/**
 * A batch cut into at most `parts` shards of consecutive rows with about equal
 * target tokens; each shard's weight is its share of the batch's target tokens,
 * since the loss is a mean over them (lib/nn/data-parallel.ts).
 */
export function splitPairBatch(b: PairBatch, parts: number): { batch: PairBatch; weight: number }[] {
  const tokens = new Float64Array(b.B);
  let total = 0;
  for (let r = 0; r < b.B; r++) {
    for (let t = 0; t < b.T; t++) tokens[r]! += b.weights[r * b.T + t]!;
    total += tokens[r]!;
  }
  const n = Math.min(parts, b.B);
  const out: { batch: PairBatch; weight: number }[] = [];
  let r0 = 0;
  let seen = 0;
  for (let k = 0; k < n && r0 < b.B; k++) {
    let r1 = r0;
    let here = 0;
    // Take rows until this shard reaches its share of what is left (at least one row, and leave one per later shard).
    const goal = (total - seen) / (n - k);
    while (r1 < b.B - (n - k - 1) && (r1 === r0 || here + tokens[r1]! / 2 <= goal)) here += tokens[r1++]!;
    if (k === n - 1) while (r1 < b.B) here += tokens[r1++]!;
    out.push({ batch: sliceBatch(b, r0, r1), weight: here / total });
    seen += here;
    r0 = r1;
  }
  return out;
}
