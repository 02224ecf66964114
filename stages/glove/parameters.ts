// W and gradsq (2V rows of dim+1 doubles each) and where they live: in one
// shared WebAssembly.Memory, followed by each thread's kernel scratch, so the
// SIMD kernel can train them; in plain SharedArrayBuffers (JS update) where
// WebAssembly SIMD is missing or they would not fit in wasm32's 4 GiB.

import { Lcg } from '../../lib/random/lcg.js';
import { MAX_PAGES, WASM_PAGE, sharedMemory } from '../../lib/wasm/asm.js';
import { gloveModule } from './simd.js';
import { scratchBytes, type GloveShared } from './train.js';

export function allocateParameters(vocabSize: number, dim: number, threads: number): GloveShared {
  const doubles = 2 * vocabSize * (dim + 1);
  const matrixBytes = doubles * 8;
  const scratch = scratchBytes(dim);
  const total = 2 * matrixBytes + threads * scratch;
  if (total <= MAX_PAGES * WASM_PAGE && gloveModule() !== null) {
    const memory = sharedMemory(total);
    return {
      W: new Float64Array(memory.buffer, 0, doubles),
      gradsq: new Float64Array(memory.buffer, matrixBytes, doubles),
      vocabSize,
      dim,
      wasm: { memory, gradsq: matrixBytes, scratch: 2 * matrixBytes, scratchBytes: scratch },
    };
  }
  const shared = (): Float64Array => new Float64Array(new SharedArrayBuffer(matrixBytes));
  return { W: shared(), gradsq: shared(), vocabSize, dim };
}

/** glove.c initialize_parameters: W uniform in [-0.5, 0.5) / dim, squared-gradient sums 1 (so the first step is eta). */
export function initParameters(W: Float64Array, gradsq: Float64Array, dim: number, seed: number): void {
  const rng = new Lcg(seed);
  for (let a = 0; a < W.length; a++) {
    rng.next();
    W[a] = (rng.hi / 4294967296 - 0.5) / dim;
  }
  gradsq.fill(1);
}

/** The bytes of a view (W.buffer may be the whole wasm memory). */
export const viewBytes = (a: Float64Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
