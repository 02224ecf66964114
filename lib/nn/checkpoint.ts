// A training checkpoint: every array the run needs to continue exactly where
// it was (parameters, optimizer moments, carried recurrent state, the best weights
// so far) in one binary file, and a JSON file with the position in the data,
// the schedule and the history. The JSON is renamed into place last and names
// the binary's size, so a kill mid-write leaves the previous checkpoint valid.

import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../../pipeline/errors.js';
import type { OptimizerKind } from './optimizer.js';

export interface HistoryRow {
  step: number;
  epoch: number;
  trainLoss: number;
  validPpl: number;
  tokensPerS: number;
  wallS: number;
  lr: number;
}

export interface TrainPosition {
  /** Epoch in progress (0-based) and the next step within it. */
  epoch: number;
  stepInEpoch: number;
  /** Optimizer updates done so far. */
  globalStep: number;
  /** Training seconds spent in earlier runs. */
  elapsedS: number;
  tokensSeen: number;
  bestValidPpl: number;
  badEpochs: number;
  history: HistoryRow[];
}

/** `config` is the model's configuration as JSON: a checkpoint of another model is refused. */
export interface CheckpointMeta<C = unknown> extends TrainPosition {
  format: 'lexflow-lm-checkpoint-1';
  config: C;
  optimizer: { kind: OptimizerKind; t: number };
  /** Names and lengths of the arrays in checkpoint.bin, in order. */
  arrays: { group: 'param' | 'slot' | 'state' | 'best'; length: number }[];
  binBytes: number;
}

export interface CheckpointArrays {
  params: Float32Array[];
  slots: Float32Array[];
  state: Float32Array[];
  best: Float32Array[];
}

const META = 'checkpoint.json';
const BIN = 'checkpoint.bin';

export function saveCheckpoint<C>(dir: string, meta: Omit<CheckpointMeta<C>, 'arrays' | 'binBytes' | 'format'>, arrays: CheckpointArrays): void {
  fs.mkdirSync(dir, { recursive: true });
  const groups = [
    ['param', arrays.params],
    ['slot', arrays.slots],
    ['state', arrays.state],
    ['best', arrays.best],
  ] as const;
  const list = groups.flatMap(([group, xs]) => xs.map((a) => ({ group, a })));
  const binBytes = list.reduce((s, x) => s + x.a.byteLength, 0);
  const tmpBin = path.join(dir, `${BIN}.tmp`);
  const fd = fs.openSync(tmpBin, 'w');
  try {
    for (const { a } of list) fs.writeSync(fd, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  const full: CheckpointMeta<C> = { ...meta, format: 'lexflow-lm-checkpoint-1', arrays: list.map(({ group, a }) => ({ group, length: a.length })), binBytes };
  // The binary goes first under a name tied to its size; the meta (renamed last) points at it.
  const binName = `${BIN}.${binBytes}.${meta.globalStep}`;
  fs.renameSync(tmpBin, path.join(dir, binName));
  const tmpMeta = path.join(dir, `${META}.tmp`);
  fs.writeFileSync(tmpMeta, JSON.stringify({ ...full, bin: binName }));
  fs.renameSync(tmpMeta, path.join(dir, META));
  for (const n of fs.readdirSync(dir)) if (n.startsWith(`${BIN}.`) && n !== binName && !n.endsWith('.tmp')) fs.rmSync(path.join(dir, n), { force: true });
}

/** The checkpoint in `dir`, or undefined. One that belongs to another model is an InputError. */
export function loadCheckpoint<C extends { arch?: string }>(dir: string, config: C): { meta: CheckpointMeta<C>; arrays: CheckpointArrays } | undefined {
  const metaFile = path.join(dir, META);
  if (!fs.existsSync(metaFile)) return undefined;
  let meta: CheckpointMeta<C> & { bin: string };
  try {
    meta = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
  } catch {
    throw new InputError(metaFile, 'checkpoint metadata is not valid JSON', 'Delete the checkpoint folder to start training afresh');
  }
  if (meta.format !== 'lexflow-lm-checkpoint-1') throw new InputError(metaFile, `unknown checkpoint format ${meta.format}`, 'Delete the checkpoint folder to start training afresh');
  const want = JSON.stringify(config);
  const have = JSON.stringify(meta.config);
  if (want !== have)
    throw new InputError(metaFile, `checkpoint is for another model (${meta.config.arch}, ${have}; this run: ${want})`, 'Delete the checkpoint folder, or rerun with the parameters it was made with');
  const binFile = path.join(dir, meta.bin);
  let buf: Buffer;
  try {
    buf = fs.readFileSync(binFile);
  } catch {
    throw new InputError(binFile, 'checkpoint weights are missing', 'Delete the checkpoint folder to start training afresh');
  }
  if (buf.length !== meta.binBytes) throw new InputError(binFile, `checkpoint weights are ${buf.length} bytes, expected ${meta.binBytes}`, 'Delete the checkpoint folder to start training afresh');
  const arrays: CheckpointArrays = { params: [], slots: [], state: [], best: [] };
  let off = 0;
  for (const { group, length } of meta.arrays) {
    const a = new Float32Array(length);
    new Uint8Array(a.buffer).set(buf.subarray(off, off + length * 4));
    off += length * 4;
    ({ param: arrays.params, slot: arrays.slots, state: arrays.state, best: arrays.best })[group].push(a);
  }
  return { meta, arrays };
}
