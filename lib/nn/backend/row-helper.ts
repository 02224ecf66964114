// The second core for the softmax's row passes. tfjs's wasm backend runs one
// thread in Node and its heap is not shared, so a pool thread cannot see its
// tensors; but the output layer's scores [N, V] need not live there: with the
// system BLAS, cblas_sgemm writes them into a shared WebAssembly.Memory of
// lexflow's own, where the row kernels of wasm-softmax-xent.ts run on two threads
// at once: rows [0, N/2) here, the rest on one helper thread, which blocks in
// Atomics.wait between calls and is woken by Atomics.notify (tens of µs, against
// 4 ms for half of a [700, 10002] pass). OpenBLAS's own threads are idle then.
//
// The split point depends on N only, and without the helper (one core, a pool
// worker, the switch off) the same two halves run one after the other here: a
// result never depends on whether the helper ran.

import { availableParallelism } from 'node:os';
import { isMainThread, Worker } from 'node:worker_threads';
import { compileModule, growableSharedMemory, instantiate, WASM_PAGE, type WasmMemory, type WasmModule } from '../../wasm/asm.js';
import { kernelSwitches } from './switches.js';
import { softmaxKernelBytes, type SoftmaxKernels } from './wasm-softmax-xent.js';

/** The kernels a split can run, by their index in the helper's table (row-helper.worker.ts). */
export const ROW_KERNELS = ['rowStats', 'rowStatsExp', 'rowGrad'] as const;
export type RowKernel = (typeof ROW_KERNELS)[number];

// The control block's Int32 slots.
export const CTRL = { request: 0, done: 1, kernel: 2, args: 3, failed: 10, started: 11, size: 16 } as const;

/** How long a split waits for a helper thread that has not started before running without it. */
const START_TIMEOUT_MS = 30_000;

interface Region {
  off: number;
  bytes: number;
  /** The gradient tape the region waits for, or null when it is held for one call only. */
  tape: unknown;
}

const ALIGN = 64;
const roundUp = (n: number, a: number): number => Math.ceil(n / a) * a;
/** `n` bytes rounded up to the regions' alignment (64: a cache line), for laying out buffers inside one region. */
export const alignBytes = (n: number): number => roundUp(n, ALIGN);

export class RowHelper {
  readonly memory: WasmMemory;
  private readonly kernels: SoftmaxKernels;
  private worker: Worker | undefined;
  private readonly ctrl: Int32Array;
  private seq = 0;
  private regions: Region[] = [];

  constructor(module: WasmModule, withThread: boolean) {
    this.memory = growableSharedMemory();
    this.kernels = instantiate<SoftmaxKernels>(module, this.memory);
    this.ctrl = new Int32Array(new SharedArrayBuffer(CTRL.size * 4));
    if (withThread) {
      this.worker = new Worker(new URL('./row-helper.worker.js', import.meta.url), { workerData: { module, memory: this.memory, ctrl: this.ctrl } });
      // It never keeps the process alive, and blocks in Atomics.wait until asked.
      this.worker.unref();
    }
  }

  /** Whether a second thread runs half of each split. */
  get threaded(): boolean {
    return this.worker !== undefined;
  }

  /**
   * `bytes` of the shared memory (64-byte aligned), growing it if needed. Without a
   * `tape` the region is for the calling function alone, freed before the next alloc
   * (which reclaims it otherwise, as after an exception). With one (the engine's
   * active gradient tape) it outlives the call until `free`; regions of a tape that
   * has since ended are reclaimed here, so a forward pass whose gradient was never
   * asked for does not hold memory for ever.
   */
  alloc(bytes: number, tape: unknown = null): number {
    this.regions = this.regions.filter((r) => r.tape !== null && r.tape === tape);
    bytes = roundUp(Math.max(bytes, 1), ALIGN);
    let off = 0;
    for (const r of this.regions) {
      if (r.off - off >= bytes) break;
      off = roundUp(r.off + r.bytes, ALIGN);
    }
    const need = off + bytes;
    const have = this.memory.buffer.byteLength;
    if (need > have) this.memory.grow(Math.ceil((need - have) / WASM_PAGE));
    this.regions.push({ off, bytes, tape });
    this.regions.sort((a, b) => a.off - b.off);
    return off;
  }

  /** A helper that never started (its script failed to load): withdraw the request, and run without it from now on. */
  private abandon(): void {
    Atomics.store(this.ctrl, CTRL.request, 0);
    void this.worker?.terminate();
    this.worker = undefined;
  }

  free(off: number): void {
    this.regions = this.regions.filter((r) => r.off !== off);
  }

  /** Bytes held by regions not yet freed (for tests). */
  heldBytes(): number {
    return this.regions.reduce((s, r) => s + r.bytes, 0);
  }

  /** A float32 view of `n` values at byte `off` (taken after any alloc, which may grow the memory). */
  f32(off: number, n: number): Float32Array {
    return new Float32Array(this.memory.buffer, off, n);
  }

  /** Below this many floats a split runs both halves here: waking the helper costs tens of µs. */
  minThreadedFloats = 1 << 16;

  /**
   * `kernel` over rows [0, n) of `rowFloats` floats each: `args(from, count, part)` gives
   * its arguments for rows [from, from + count); part 0 is rows [0, ⌊n/2⌋), run here,
   * part 1 the rest, run on the helper thread at the same time when there is one (and
   * the rows are many floats), else here after part 0.
   */
  split(kernel: RowKernel, n: number, rowFloats: number, args: (from: number, count: number, part: 0 | 1) => number[]): void {
    const half = n >> 1;
    const fn = this.kernels[kernel] as (...a: number[]) => void;
    if (!this.worker || !kernelSwitches.rowHelperThread || half === 0 || n * rowFloats < this.minThreadedFloats) {
      if (half > 0) fn(...args(0, half, 0));
      fn(...args(half, n - half, 1));
      return;
    }
    const c = this.ctrl;
    const seq = ++this.seq;
    c[CTRL.kernel] = ROW_KERNELS.indexOf(kernel);
    c.set(args(half, n - half, 1), CTRL.args);
    c[CTRL.failed] = 0;
    Atomics.store(c, CTRL.request, seq);
    Atomics.notify(c, CTRL.request);
    try {
      fn(...args(0, half, 0));
    } finally {
      // Even when this half throws, the helper's half ends before the memory is reused. The wait
      // is on the value just read: if the helper finishes in between, it returns at once.
      const since = performance.now();
      for (let d = Atomics.load(c, CTRL.done); d !== seq; d = Atomics.load(c, CTRL.done)) {
        if (Atomics.wait(c, CTRL.done, d, 1000) === 'timed-out' && !Atomics.load(c, CTRL.started) && performance.now() - since > START_TIMEOUT_MS) {
          this.abandon();
          fn(...args(half, n - half, 1));
          return;
        }
      }
    }
    if (c[CTRL.failed]) throw new Error(`the row helper thread failed in ${kernel}`);
  }
}

let helper: RowHelper | null | undefined;

/**
 * The process's row helper, or null where the softmax kernels cannot run (no
 * WebAssembly SIMD or threads). It has its thread only on the main thread of a
 * machine with 2 or more cores (pool workers already take the other cores), and
 * uses it while `kernelSwitches.rowHelperThread` is on.
 */
export function rowHelper(): RowHelper | null {
  if (helper === undefined) {
    const module = compileModule(softmaxKernelBytes('shared'));
    helper = module ? new RowHelper(module, isMainThread && availableParallelism() >= 2) : null;
  }
  return helper;
}
