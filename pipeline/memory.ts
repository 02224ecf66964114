// Handing a finished stage's memory back before the next stage starts
// (docs/ARCHITECTURE.md, "The pool"). V8 collects the main thread's garbage
// only when that thread allocates: a stage that ran its heavy part here
// (lm-ngram's estimate) leaves its dead typed arrays resident while the next
// stage works in pool threads, and the two add up in one process's peak.
//
// The C heap keeps what it is given back, too. glibc serves an allocation
// above its mmap threshold (128 kB) with its own mapping, returned to the
// system on free, but after such a block is freed it raises the threshold to
// that block's size (up to 32 MB): from then on blocks up to 32 MB come from
// its arenas, and a dead thread's arena stays resident (at 50M tokens the
// ngrams stage's ended threads left thirty 64 MB arena heaps, 2 GB, under the
// next stage, which runs on the main thread and cannot reuse them). The
// `lexflow` command therefore starts with MALLOC_MMAP_THRESHOLD_=131072
// (pipeline/cli/main.ts), which keeps the threshold where it starts.

import v8 from 'node:v8';
import vm from 'node:vm';

let gc: (() => void) | undefined;

/**
 * A full, synchronous collection of the main thread's heap (a few ms on a small heap).
 * Twice: a collection frees dead ArrayBuffers' memory on a background sweeper
 * that, on a loaded machine, may not have run when the next stage starts; the
 * second collection first waits for the first one's sweep to finish.
 */
export function collectGarbage(): void {
  if (!gc) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (typeof exposed === 'function') gc = exposed;
    else {
      // Without the command-line flag: a context made after --expose-gc is set
      // has `gc`, and it collects the whole isolate (the main thread's heap).
      v8.setFlagsFromString('--expose-gc');
      gc = vm.runInNewContext('gc') as () => void;
    }
  }
  gc();
  gc();
}
