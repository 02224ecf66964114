// Checkpoints of a Hogwild run, in ctx.checkpointDir. Each training thread
// writes its own position (`thread-T.json`) at sentence boundaries; thread 0
// also writes the weight matrices first (`weights-SEQ.bin`) and names them in
// its state, so with one thread a resumed run continues exactly where the
// checkpoint was taken. Every file is written to a temporary name and renamed.

import fs from 'node:fs';
import path from 'node:path';

export interface ThreadState {
  /** Next position to train: epoch, index into the thread's row ranges, row within the shard. */
  epoch: number;
  range: number;
  row: number;
  /** The thread's LCG state (two uint32 halves). */
  rngHi: number;
  rngLo: number;
  /** word2vec.c's per-thread word_count / last_word_count within the epoch. */
  wordCount: number;
  lastWordCount: number;
  /** Words this thread has added to the shared counter so far. */
  contributed: number;
  alpha: number;
  done: boolean;
  /** Thread 0 only: the weights file saved with this state. */
  weightsSeq?: number;
}

export interface CheckpointHeader {
  /** Threads of the run that wrote the checkpoint: positions only make sense for the same split. */
  threads: number;
}

function writeAtomic(file: string, data: string | NodeJS.ArrayBufferView): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

export function writeHeader(dir: string, header: CheckpointHeader): void {
  fs.mkdirSync(dir, { recursive: true });
  writeAtomic(path.join(dir, 'header.json'), JSON.stringify(header));
}

export function saveThreadState(dir: string, thread: number, state: ThreadState): void {
  writeAtomic(path.join(dir, `thread-${thread}.json`), JSON.stringify(state));
}

/** Write the matrices (concatenated, in the order given) as weights-SEQ.bin and drop older ones. */
export function saveWeights(dir: string, seq: number, matrices: Float32Array[]): void {
  const file = path.join(dir, `weights-${seq}.bin`);
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    for (const m of matrices) fs.writeSync(fd, new Uint8Array(m.buffer, m.byteOffset, m.byteLength));
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

export function dropWeightsBefore(dir: string, seq: number): void {
  for (const name of fs.readdirSync(dir)) {
    const m = /^weights-(\d+)\.bin$/.exec(name);
    if (m && Number(m[1]) < seq) fs.rmSync(path.join(dir, name), { force: true });
  }
}

export interface LoadedCheckpoint {
  /** Per thread; undefined for a thread that had not checkpointed yet (it starts over). */
  states: (ThreadState | undefined)[];
  weightsFile: string;
}

/** The checkpoint left by a killed run with the same thread count, if complete enough to resume. */
export function loadCheckpoint(dir: string, threads: number): LoadedCheckpoint | undefined {
  try {
    const header = JSON.parse(fs.readFileSync(path.join(dir, 'header.json'), 'utf8')) as CheckpointHeader;
    if (header.threads !== threads) return undefined;
    const states: (ThreadState | undefined)[] = [];
    for (let t = 0; t < threads; t++) {
      const file = path.join(dir, `thread-${t}.json`);
      states.push(fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as ThreadState) : undefined);
    }
    const seq = states[0]?.weightsSeq;
    if (seq === undefined) return undefined;
    const weightsFile = path.join(dir, `weights-${seq}.bin`);
    if (!fs.existsSync(weightsFile)) return undefined;
    return { states, weightsFile };
  } catch {
    return undefined;
  }
}

/** Fill the matrices, in order, from a weights file written by saveWeights. */
export function readWeightsInto(file: string, matrices: Float32Array[]): void {
  const fd = fs.openSync(file, 'r');
  try {
    let pos = 0;
    for (const m of matrices) {
      const n = fs.readSync(fd, new Uint8Array(m.buffer, m.byteOffset, m.byteLength), 0, m.byteLength, pos);
      if (n !== m.byteLength) throw new Error(`${file}: checkpoint is shorter than the model`);
      pos += n;
    }
  } finally {
    fs.closeSync(fd);
  }
}
