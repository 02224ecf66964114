// The wasm backend's heap is at most 4 GB; when an allocation fails, Emscripten
// aborts with a bare `RuntimeError: Aborted()` from whichever kernel asked, and the
// module is dead. A training stage turns that into one line saying what to lower.

import { UsageError } from '../../pipeline/errors.js';

/** True for the wasm module's abort (out of memory, in practice). */
export function isWasmAbort(e: unknown): boolean {
  return e instanceof Error && e.name === 'RuntimeError' && /^Aborted\(/.test(e.message);
}

/** `e`, or a UsageError naming what to lower when it is the wasm module's abort. */
export function explainWasmAbort(e: unknown, stage: string, advice: string): unknown {
  return isWasmAbort(e) ? new UsageError(`${stage}: the TensorFlow.js wasm backend ran out of memory (its heap is 4 GB at most); ${advice}`) : e;
}
