// GloVe's `shuffle` with bounded memory (shuffle.c): read the co-occurrence
// entries in chunks of --shuffle-chunk, shuffle each chunk in memory and write it
// to a temporary file; then read chunk/files entries from every temporary file at
// a time, shuffle those together and append them to the output. Memory is one
// chunk whatever the matrix size. Records are 12 bytes: int32 row index,
// int32 column index, float32 weight (indices into the GloVe vocabulary).

import fs from 'node:fs';
import path from 'node:path';
import { columnValues, readBatches } from '../../pipeline/arrow.js';
import { InputError } from '../../pipeline/errors.js';
import { Lcg } from '../../lib/random/lcg.js';

export const RECORD_BYTES = 12;
const TWO53 = 9007199254740992;

/** Uniform integer in [0, n) from the top 53 bits of the LCG. */
function randBelow(rng: Lcg, n: number): number {
  rng.next();
  return Math.floor(((rng.hi * 2097152 + (rng.lo >>> 11)) / TWO53) * n);
}

/** Fisher-Yates over the first n records (3 int32 words each; the weight's bits move as an int). */
export function shuffleRecords(rec: Int32Array, n: number, rng: Lcg): void {
  for (let i = n - 1; i > 0; i--) {
    const j = randBelow(rng, i + 1);
    const a = 3 * i;
    const b = 3 * j;
    const r0 = rec[a]!;
    const r1 = rec[a + 1]!;
    const r2 = rec[a + 2]!;
    rec[a] = rec[b]!;
    rec[a + 1] = rec[b + 1]!;
    rec[a + 2] = rec[b + 2]!;
    rec[b] = r0;
    rec[b + 1] = r1;
    rec[b + 2] = r2;
  }
}

function writeRecords(fd: number, rec: Int32Array, n: number): void {
  fs.writeSync(fd, new Uint8Array(rec.buffer, rec.byteOffset, n * RECORD_BYTES));
}

/**
 * Shuffle cooccur.arrow into `outFile`. `indexOf` maps the table's token ids to
 * vocabulary indices. Returns the number of entries.
 */
/** `onRecords` hears of the records each pass has handled: every record twice, once per pass (a progress bar of 2 x entries). */
export async function shuffleCooccurrences(
  cooccurFile: string,
  indexOf: Map<number, number>,
  outFile: string,
  tmpDir: string,
  chunk: number,
  seed: number,
  onRecords?: (n: number) => void,
): Promise<number> {
  const rng = new Lcg(BigInt(seed) * 7919n + 17n);
  const buf = new ArrayBuffer(chunk * RECORD_BYTES);
  const rec = new Int32Array(buf);
  const wts = new Float32Array(buf);
  const temps: string[] = [];
  let fill = 0;
  let total = 0;
  const spill = (): void => {
    shuffleRecords(rec, fill, rng);
    const file = path.join(tmpDir, `shuffle-${String(temps.length).padStart(4, '0')}.bin`);
    const fd = fs.openSync(file, 'w');
    writeRecords(fd, rec, fill);
    fs.closeSync(fd);
    temps.push(file);
    fill = 0;
  };
  // Pass 1: shuffled chunks.
  for await (const batch of readBatches(cooccurFile)) {
    const rowCol = batch.getChild('row');
    const colCol = batch.getChild('col');
    const wCol = batch.getChild('weight');
    if (!rowCol || !colCol || !wCol) throw new InputError(cooccurFile, 'not a co-occurrence table (needs columns row, col, weight)', 'Point at the cooccur stage output');
    for (let c = 0; c < rowCol.data.length; c++) {
      const rows = columnValues<Int32Array>(rowCol.data[c]!);
      const cols = columnValues<Int32Array>(colCol.data[c]!);
      const ws = columnValues<Float32Array>(wCol.data[c]!);
      for (let i = 0; i < rows.length; i++) {
        const r = indexOf.get(rows[i]!);
        const q = indexOf.get(cols[i]!);
        if (r === undefined || q === undefined)
          throw new InputError(cooccurFile, `entry ${total} has token id ${r === undefined ? rows[i] : cols[i]}, which marginals.arrow does not list`, 'Rerun the cooccur stage');
        const w = ws[i]!;
        if (!(w > 0)) throw new InputError(cooccurFile, `entry ${total} has weight ${w}; GloVe needs positive co-occurrence counts`, 'Rerun the cooccur stage');
        rec[3 * fill] = r;
        rec[3 * fill + 1] = q;
        wts[3 * fill + 2] = w;
        fill++;
        total++;
        if (fill === chunk) spill();
      }
      onRecords?.(rows.length);
    }
  }
  if (fill > 0) spill();
  // Pass 2: merge, taking chunk / files records from each temporary file per round.
  const out = fs.openSync(outFile, 'w');
  const fds = temps.map((f) => fs.openSync(f, 'r'));
  const pos = temps.map(() => 0);
  const per = Math.max(1, Math.floor(chunk / Math.max(1, temps.length)));
  const bytes = new Uint8Array(buf);
  try {
    for (;;) {
      let n = 0;
      for (let j = 0; j < fds.length; j++) {
        const got = fs.readSync(fds[j]!, bytes, n * RECORD_BYTES, per * RECORD_BYTES, pos[j]!);
        pos[j] = pos[j]! + got;
        n += got / RECORD_BYTES;
      }
      if (n === 0) break;
      shuffleRecords(rec, n, rng);
      writeRecords(out, rec, n);
      onRecords?.(n);
    }
  } finally {
    for (const fd of fds) fs.closeSync(fd);
    fs.closeSync(out);
    for (const f of temps) fs.rmSync(f, { force: true });
  }
  return total;
}
