// One thread's share of one GloVe epoch (glove.c glove_thread): stream the
// thread's slice of the shuffled file in blocks and apply the GloVe update to
// each block, with the WebAssembly SIMD kernel (simd.ts) when W and gradsq live
// in a shared WebAssembly.Memory, else with the JS reference (update-js.ts).
// W holds 2V rows of dim+1 doubles (vector then bias; rows V.. are the context
// vectors), gradsq the AdaGrad sums in the same layout; all threads update
// both without locks (Hogwild).

import fs from 'node:fs';
import type { WasmMemory } from '../../lib/wasm/asm.js';
import { ENTRY_BYTES, gloveKernel, writeEntries } from './simd.js';
import { RECORD_BYTES } from './shuffle.js';
import { updateEntriesJs } from './update-js.js';

/** Where W, gradsq and each thread's kernel scratch sit in the wasm memory (byte offsets). */
export interface GloveWasmLayout {
  memory: WasmMemory;
  /** gradsq's offset minus W's: W starts at byte 0 */
  gradsq: number;
  /** thread t's scratch starts at scratch + t * scratchBytes: BLOCK kernel records, then 2 * dim doubles */
  scratch: number;
  scratchBytes: number;
}

export interface GloveShared {
  W: Float64Array;
  gradsq: Float64Array;
  vocabSize: number;
  dim: number;
  wasm?: GloveWasmLayout;
}

export interface GloveSettings {
  eta: number;
  xMax: number;
  alpha: number;
  gradClip: number;
}

export interface GloveEpochTask {
  shared: GloveShared;
  settings: GloveSettings;
  file: string;
  /** Entries [start, end) of the shuffled file. */
  start: number;
  end: number;
  /** Which scratch area of the wasm memory this task may use (0 .. threads-1). */
  slot: number;
}

export interface GloveEpochResult {
  /** Sum over the entries of 0.5 f(X) diff^2, as GloVe's cost[id]. */
  cost: number;
  entries: number;
}

/** Entries per block: one file read and one wasm call each; the kernel records (24 bytes each) stay in L2. */
export const BLOCK = 8192;

export const scratchBytes = (dim: number): number => BLOCK * ENTRY_BYTES + 2 * dim * 8;

export function trainGloveSlice(task: GloveEpochTask): GloveEpochResult {
  const { shared, settings } = task;
  const buf = new ArrayBuffer(BLOCK * RECORD_BYTES);
  const bytes = new Uint8Array(buf);
  const rec = new Int32Array(buf);
  const val = new Float32Array(buf);
  const wasm = shared.wasm;
  const kernel = wasm ? gloveKernel(wasm.memory) : null;
  let updateBlock: (n: number) => number;
  if (wasm && kernel) {
    const base = wasm.scratch + task.slot * wasm.scratchBytes;
    const entries = { i32: new Int32Array(wasm.memory.buffer, base, BLOCK * 6), f64: new Float64Array(wasm.memory.buffer, base, BLOCK * 3) };
    const up = base + BLOCK * ENTRY_BYTES;
    updateBlock = (n) => {
      writeEntries(entries, rec, val, n, shared.vocabSize, shared.dim, settings);
      return kernel.train(base, n, wasm.gradsq, shared.dim, up, settings.eta, settings.gradClip);
    };
  } else updateBlock = (n) => updateEntriesJs(shared, settings, rec, val, n);

  const fd = fs.openSync(task.file, 'r');
  let cost = 0;
  let done = 0;
  try {
    for (let at = task.start; at < task.end; ) {
      const n = Math.min(BLOCK, task.end - at);
      const got = fs.readSync(fd, bytes, 0, n * RECORD_BYTES, at * RECORD_BYTES) / RECORD_BYTES;
      if (got === 0) break;
      at += got;
      cost += updateBlock(got);
      done += got;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { cost, entries: done };
}
