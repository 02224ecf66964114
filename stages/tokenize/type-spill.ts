// The type table within --memory. While the table of distinct types (types.ts)
// stays under its share of the budget, nothing changes: one table, one
// vocabulary. Past it, the table is written as a sorted run (every type's bytes,
// its provisional id and its counts per split, in code-point order) and a new
// table starts: a *generation*, whose blocks keep their ids into it. At the end
// the runs are merged twice, as an external sort does: the first merge sums
// each type's counts over the generations and keeps the types that can enter
// the vocabulary (count >= --min-count), which buildVocab orders as it would
// the whole table; the second gives every generation its provisional -> final
// id map, and the per-split figures. The vocabulary and the shards are the same
// bytes as with one table, since neither depends on provisional ids.
//
// What stays in memory past the budget is the candidate vocabulary (the types
// that reach --min-count, which vocab.arrow lists anyway) and one generation's
// id map at a time while shards are written.

import fs from 'node:fs';
import path from 'node:path';
import type { EncodedBlock } from './encode.js';
import { LITERAL_SPECIALS, TypeTable } from './types.js';
import { buildVocab, compareCodePoints, type BuiltVocab, type VocabOptions } from './vocab.js';
import { SPECIALS } from '../../lib/formats/tokens.js';

export interface SplitFigures {
  tokens: number;
  types: number;
  oov: number;
}

/** Record: u32 byte length, u32 provisional id, 3 x f64 counts, then the bytes. */
const HEAD = 32;

class RunWriter {
  private readonly fd: number;
  private buf = Buffer.alloc(1 << 20);
  private pos = 0;
  constructor(file: string) {
    this.fd = fs.openSync(file, 'w');
  }
  add(bytes: Uint8Array, pid: number, c0: number, c1: number, c2: number): void {
    if (this.pos + HEAD + bytes.length > this.buf.length) this.flush();
    if (HEAD + bytes.length > this.buf.length) this.buf = Buffer.alloc(2 * (HEAD + bytes.length));
    const b = this.buf;
    b.writeUInt32LE(bytes.length, this.pos);
    b.writeUInt32LE(pid, this.pos + 4);
    b.writeDoubleLE(c0, this.pos + 8);
    b.writeDoubleLE(c1, this.pos + 16);
    b.writeDoubleLE(c2, this.pos + 24);
    b.set(bytes, this.pos + HEAD);
    this.pos += HEAD + bytes.length;
  }
  private flush(): void {
    let off = 0;
    while (off < this.pos) off += fs.writeSync(this.fd, this.buf, off, this.pos - off);
    this.pos = 0;
  }
  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }
}

/** Reads a run record by record through a bounded buffer. */
class RunReader {
  private readonly fd: number;
  private buf = Buffer.alloc(1 << 16);
  private start = 0;
  private end = 0;
  private filePos = 0;
  token = '';
  pid = 0;
  counts = [0, 0, 0];
  done = false;

  constructor(
    file: string,
    readonly gen: number,
  ) {
    this.fd = fs.openSync(file, 'r');
    this.next();
  }

  private fill(need: number): boolean {
    if (this.end - this.start >= need) return true;
    if (need > this.buf.length) {
      const b = Buffer.alloc(2 * need);
      this.buf.copy(b, 0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
      this.buf = b;
    } else if (this.start > 0) {
      this.buf.copy(this.buf, 0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
    }
    while (this.end - this.start < need) {
      const got = fs.readSync(this.fd, this.buf, this.end, this.buf.length - this.end, this.filePos);
      if (got === 0) return false;
      this.end += got;
      this.filePos += got;
    }
    return true;
  }

  next(): void {
    if (!this.fill(HEAD)) {
      this.done = true;
      fs.closeSync(this.fd);
      return;
    }
    const b = this.buf;
    const len = b.readUInt32LE(this.start);
    if (!this.fill(HEAD + len)) throw new Error('type run: truncated record');
    const s = this.start;
    this.pid = b.readUInt32LE(s + 4);
    this.counts = [b.readDoubleLE(s + 8), b.readDoubleLE(s + 16), b.readDoubleLE(s + 24)];
    this.token = b.toString('utf8', s + HEAD, s + HEAD + len);
    this.start += HEAD + len;
  }
}

export interface VocabResult {
  vocab: BuiltVocab;
  /** Provisional -> final ids of generation g (the one table's `vocab.finalId` without spills). */
  finalIds(gen: number): Int32Array;
  splits: SplitFigures[];
}

export class SpillingTypes {
  private table = new TypeTable();
  private readonly runs: string[] = [];
  private readonly genSizes: number[] = [];

  constructor(
    private readonly dir: string,
    private readonly budgetBytes: number,
  ) {}

  /** The generation blocks merged now belong to. */
  get generation(): number {
    return this.runs.length;
  }

  get spilledRuns(): number {
    return this.runs.length;
  }

  /** Train tokens merged so far. */
  trainTokens = 0;

  /** Merge a block; the returned remap is into the current generation. */
  merge(r: EncodedBlock): Int32Array {
    for (let i = 0; i < r.typeEnds.length; i++) this.trainTokens += r.counts[3 * i]!;
    return this.table.merge(r);
  }

  /** After a block: spill the table if it outgrew the budget. */
  checkBudget(): void {
    if (this.table.approxBytes() > this.budgetBytes) this.spill();
  }

  private spill(): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const file = path.join(this.dir, `types-${this.runs.length}.bin`);
    const t = this.table;
    const tokens = t.tokens();
    const order = Int32Array.from({ length: t.size }, (_, i) => i).sort((a, b) => compareCodePoints(tokens[a]!, tokens[b]!));
    const enc = new TextEncoder();
    const w = new RunWriter(file);
    for (const g of order) w.add(enc.encode(tokens[g]!), g, t.count(g, 0), t.count(g, 1), t.count(g, 2));
    w.close();
    this.runs.push(file);
    this.genSizes.push(t.size);
    this.table = new TypeTable();
  }

  /** Every distinct type over the runs, in code-point order, with its summed counts and its (generation, provisional id) entries. */
  private merged(each: (token: string, counts: number[], entries: { gen: number; pid: number }[]) => void): void {
    const readers = this.runs.map((f, g) => new RunReader(f, g));
    const entries: { gen: number; pid: number }[] = [];
    for (;;) {
      let min: RunReader | undefined;
      for (const r of readers) if (!r.done && (!min || compareCodePoints(r.token, min.token) < 0)) min = r;
      if (!min) break;
      const token = min.token;
      const counts = [0, 0, 0];
      entries.length = 0;
      for (const r of readers) {
        if (r.done || r.token !== token) continue;
        for (let s = 0; s < 3; s++) counts[s]! += r.counts[s]!;
        entries.push({ gen: r.gen, pid: r.pid });
        r.next();
      }
      each(token, counts, entries);
    }
  }

  finish(trainSentences: number, opts: VocabOptions): VocabResult {
    if (this.runs.length === 0) {
      const t = this.table;
      const vocab = buildVocab(t.tokens(), t.trainCounts(), trainSentences, opts, LITERAL_SPECIALS);
      const splits = [0, 1, 2].map(() => ({ tokens: 0, types: 0, oov: 0 }));
      for (let g = 0; g < t.size; g++) for (let s = 0; s < 3; s++) addFigure(splits[s]!, t.count(g, s), vocab.finalId[g] === 0);
      return { vocab, finalIds: () => vocab.finalId, splits };
    }
    this.spill();
    // 1. Candidates: the literal specials (summed over generations) first, then every type reaching --min-count.
    const candTokens: string[] = [...SPECIALS];
    const candCounts: number[] = [0, 0, 0, 0];
    let cutTotal = 0;
    let cutTrainTypes = 0;
    this.merged((token, counts, entries) => {
      const c = counts[0]!;
      if (entries[0]!.pid < LITERAL_SPECIALS) candCounts[entries[0]!.pid]! += c;
      else if (c >= opts.minCount) {
        candTokens.push(token);
        candCounts.push(c);
      } else {
        cutTotal += c;
        if (c > 0) cutTrainTypes++;
      }
    });
    const built = buildVocab(candTokens, Float64Array.from(candCounts), trainSentences, opts, LITERAL_SPECIALS);
    const counts = built.counts.slice();
    counts[0]! += cutTotal;
    const vocab: BuiltVocab = { ...built, counts, trainTypes: built.trainTypes + cutTrainTypes };
    const finalOf = new Map<string, number>();
    for (let i = LITERAL_SPECIALS; i < candTokens.length; i++) if (built.finalId[i]! > 0) finalOf.set(candTokens[i]!, built.finalId[i]!);

    // 2. Each generation's id map, written as (provisional id, final id) pairs; the per-split figures.
    const maps = this.runs.map((_, g) => fs.openSync(path.join(this.dir, `ids-${g}.bin`), 'w'));
    const pending = this.runs.map(() => [] as number[]);
    const flush = (g: number): void => {
      const a = Int32Array.from(pending[g]!);
      fs.writeSync(maps[g]!, new Uint8Array(a.buffer));
      pending[g]!.length = 0;
    };
    const splits = [0, 1, 2].map(() => ({ tokens: 0, types: 0, oov: 0 }));
    this.merged((token, c, entries) => {
      const id = entries[0]!.pid < LITERAL_SPECIALS ? 0 : (finalOf.get(token) ?? 0);
      for (let s = 0; s < 3; s++) addFigure(splits[s]!, c[s]!, id === 0);
      for (const e of entries) {
        const p = pending[e.gen]!;
        p.push(e.pid, id);
        if (p.length >= 1 << 14) flush(e.gen);
      }
    });
    for (let g = 0; g < this.runs.length; g++) {
      flush(g);
      fs.closeSync(maps[g]!);
    }
    return {
      vocab,
      splits,
      finalIds: (gen) => {
        const pairs = new Int32Array(new Uint8Array(fs.readFileSync(path.join(this.dir, `ids-${gen}.bin`))).buffer);
        const out = new Int32Array(this.genSizes[gen]!);
        for (let i = 0; i < pairs.length; i += 2) out[pairs[i]!] = pairs[i + 1]!;
        return out;
      },
    };
  }
}

function addFigure(f: SplitFigures, c: number, oov: boolean): void {
  if (c === 0) return;
  f.tokens += c;
  f.types++;
  if (oov) f.oov += c;
}
