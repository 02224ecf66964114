// Backend selection for the neural LMs (docs/ARCHITECTURE.md, "The neural backend"): tfjs-node
// when it loads (native TensorFlow), else the wasm backend (SIMD) with
// lexflow's two fixes, else the pure-JS cpu backend with the fast scatter-add.
// The choice and the reason are printed by the stage and kept in its metrics.

import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerScatterAdd } from './scatter-add.js';
import { registerFastTransposedMatMul } from './wasm-matmul.js';
import { registerFastSplits } from './wasm-split.js';
import { registerSharedIdentity } from './wasm-identity.js';
import { registerBlockGather } from './wasm-gather.js';
import { registerColumnSum } from './wasm-column-sum.js';
import { blasThreads, nativeGemmNote, nativeSgemm } from './native-gemm.js';
import { UsageError } from '../../../pipeline/errors.js';

export { tf };

// PROD silences tfjs's console banner suggesting tfjs-node (our choice is printed instead).
tf.env().set('PROD', true);

import type { BackendChoice } from './choices.js';
export { BACKEND_CHOICES, type BackendChoice } from './choices.js';

export interface SelectedBackend {
  /** tfjs backend name: `tensorflow` (tfjs-node), `wasm` or `cpu`. */
  name: string;
  /** Why this one: what was tried and why the others were not used. */
  reason: string;
}

let selected: SelectedBackend | undefined;
let patched = false;

/**
 * Register lexflow's kernels once: scatter-add on cpu and wasm; transpose-first and
 * batched matMul, copy-once Unpack/SplitV, copy-free Identity, block-copy GatherV2 and row-summing Sum on wasm. (The fused softmax cross-entropy
 * and LSTM cell are not tfjs kernels: loss.ts and lstm-cell.ts call them on wasm.)
 */
export function patchKernels(): void {
  if (patched) return;
  registerScatterAdd('cpu');
  registerScatterAdd('wasm');
  registerFastTransposedMatMul();
  registerFastSplits();
  registerSharedIdentity();
  registerBlockGather();
  registerColumnSum();
  patched = true;
}

function tryLoadNode(): string | undefined {
  try {
    createRequire(import.meta.url)('@tensorflow/tfjs-node');
    return undefined;
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0]!;
    return /Cannot find module '@tensorflow\/tfjs-node'/.test(msg) ? '@tensorflow/tfjs-node is not installed' : `@tensorflow/tfjs-node failed to load (${msg})`;
  }
}

/** `setBackend` returns false (never throws) when a backend fails to start: bound it by time and run a smoke op. */
async function start(name: string, timeoutMs = 20_000): Promise<string | undefined> {
  try {
    const ok = await Promise.race([tf.setBackend(name), new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs).unref())]);
    if (!ok) return `${name} backend did not start`;
    const v = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync()[0]);
    if (v !== 11) return `${name} backend failed a smoke test (1*3+2*4 gave ${v})`;
    return undefined;
  } catch (e) {
    return `${name} backend failed (${(e as Error).message})`;
  }
}

/**
 * Select and start a backend. `auto`: tfjs-node, else wasm, else cpu. A forced
 * choice that cannot start is a UsageError. Idempotent within a process for the same choice.
 */
export async function selectBackend(choice: BackendChoice = 'auto'): Promise<SelectedBackend> {
  if (selected && (choice === 'auto' || tfName(choice) === selected.name) && tf.getBackend() === selected.name) return selected;
  patchKernels();
  const notes: string[] = [];
  if (choice === 'node' || choice === 'auto') {
    const why = tryLoadNode() ?? (await start('tensorflow'));
    if (!why) return (selected = { name: 'tensorflow', reason: choice === 'node' ? 'forced by --backend node' : 'tfjs-node loaded (native TensorFlow)' });
    if (choice === 'node') throw new UsageError(`--backend node: ${why}. Install it with npm install @tensorflow/tfjs-node (it downloads libtensorflow), or use --backend wasm`);
    notes.push(why);
  }
  if (choice === 'wasm' || choice === 'auto') {
    const why = await start('wasm');
    if (!why) {
      const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'SIMD' : 'no SIMD';
      const head = choice === 'wasm' ? 'forced by --backend wasm' : notes.join('; ');
      const gemm = nativeSgemm() ? `; ${nativeGemmNote()} (${blasThreads()} OpenBLAS threads)` : `; matMuls on XNNPACK (${nativeGemmNote()})`;
      return (selected = { name: 'wasm', reason: `${head}; wasm (${simd}, 1 thread) with lexflow's kernels (scatter-add, transposed and batched matMul, fused softmax cross-entropy and LSTM cell)${gemm}` });
    }
    if (choice === 'wasm') throw new UsageError(`--backend wasm: ${why}. Use --backend cpu`);
    notes.push(why);
  }
  const why = await start('cpu');
  if (why) throw new Error(`no tfjs backend could start: ${[...notes, why].join('; ')}`);
  const head = choice === 'cpu' ? 'forced by --backend cpu' : notes.join('; ');
  return (selected = { name: 'cpu', reason: `${head}; pure-JS cpu backend with lexflow's scatter-add (about 20x slower than wasm)` });
}

function tfName(choice: BackendChoice): string {
  return choice === 'node' ? 'tensorflow' : choice;
}
