// The wasm backend runs BatchMatMul and _FusedMatMul through XNNPACK only when
// neither operand is transposed; otherwise it takes a naive loop (~1 GFLOP/s),
// and every backward matMul is transposed. This wrapper materializes the
// transposed operand with the (fast) Transpose kernel and then calls the stock
// kernel untransposed: one LSTM step's matMuls went from 4870 ms to 442 ms
// (docs/ARCHITECTURE.md, "The neural backend"). A BatchMatMul with a batch then
// goes through XNNPACK slice by slice (wasm-batched-matmul.ts).
//
// XNNPACK packs the right operand as its "weights" and streams all of it once
// per few rows of the left one, so a product with few rows and a huge right
// operand is slow: the output layer's weight gradient hᵀ·dz ([128, 2048] by
// [2048, 10000]) ran at a third of the speed of the forward product. Such a
// product is computed as its transpose (dzᵀ·h)ᵀ, where the small operand is
// the packed one. Large explicit transposes use a tiled kernel (wasm-transpose.ts).
//
// A right operand used transposed is usually a weight used many times in a row
// (the LSTM's recurrent dh·Whᵀ at every step of the backward pass): its
// transpose is kept until the weight itself is freed, so it is made once per
// step, and XNNPACK, which caches its packed operand by tensor, packs it once.

import * as tf from '@tensorflow/tfjs';
import { kernelSwitches } from './switches.js';
import { batchedMatMul, takesBatchedPath } from './wasm-batched-matmul.js';
import { transposeLastTwo } from './wasm-transpose.js';
import { nativeSgemm, type Sgemm } from './native-gemm.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type KernelArgs = { inputs: Record<string, tf.TensorInfo>; backend: any; attrs: Record<string, unknown> };

/** Swap the last two axes of `x`: tiled where large, else with the backend's own Transpose kernel. */
function transposeLast2(x: tf.TensorInfo, backend: any): tf.TensorInfo {
  const tiled = kernelSwitches.tiledTranspose && x.shape.reduce((a, b) => a * b, 1) >= 1 << 16 ? transposeLastTwo(backend, x) : null;
  if (tiled) return tiled;
  const transpose = tf.getKernel('Transpose', 'wasm')!;
  const r = x.shape.length;
  const perm = [...Array(r).keys()];
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm } as never }) as tf.TensorInfo;
}

/** Per backend: a right operand's dataId -> its kept transpose. */
const keptTransposes = new WeakMap<object, Map<object, tf.TensorInfo>>();

/** The backend's kept transposes, its disposeData wrapped (once) to free a transpose with its source. */
function transposeCache(backend: any): Map<object, tf.TensorInfo> {
  let cache = keptTransposes.get(backend);
  if (!cache) {
    const kept = new Map<object, tf.TensorInfo>();
    const dispose = backend.disposeData.bind(backend) as (dataId: object, force?: boolean) => boolean;
    backend.disposeData = (dataId: object, force?: boolean): boolean => {
      const freed = dispose(dataId, force);
      const t = freed ? kept.get(dataId) : undefined;
      if (t) {
        kept.delete(dataId);
        dispose(t.dataId, true);
      }
      return freed;
    };
    keptTransposes.set(backend, (cache = kept));
  }
  return cache;
}

/** bᵀ of a right operand, made once while b lives (2-D operands; others transposed each call). */
function keptTranspose(b: tf.TensorInfo, backend: any): tf.TensorInfo | undefined {
  if (!kernelSwitches.keptTransposes || b.shape.length !== 2) return undefined;
  const cache = transposeCache(backend);
  let t = cache.get(b.dataId);
  if (!t) cache.set(b.dataId, (t = transposeLast2(b, backend)));
  return t;
}

/** aᵀ·b with a [K, M], b [K, N] where M ≪ N and b is large: the shape XNNPACK runs slowly. */
function isWideWeightGradient(a: tf.TensorInfo, b: tf.TensorInfo): boolean {
  if (a.shape.length !== 2 || b.shape.length !== 2) return false;
  const [K, M] = a.shape as [number, number];
  const N = b.shape[1]!;
  return 8 * M <= N && K * N >= 1 << 20;
}

/** aᵀ·b = (bᵀ·a)ᵀ: b transposed once, a (small) packed as the weights, the [N, M] product transposed back. */
function wideByTranspose(a: tf.TensorInfo, b: tf.TensorInfo, backend: any, stock: tf.KernelConfig, attrs: Record<string, unknown>): tf.TensorInfo {
  const bt = transposeLast2(b, backend); // [N, K]
  const prod = stock.kernelFunc({ inputs: { a: bt, b: a }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } } as never) as tf.TensorInfo; // [N, M]
  const out = transposeLast2(prod, backend); // [M, N]
  backend.disposeData(bt.dataId);
  backend.disposeData(prod.dataId);
  return out;
}

/**
 * The product on the system BLAS (native-gemm.ts), straight on the wasm heap: no
 * explicit transposes, one sgemm per batch slice. Returns null where it does not
 * apply (no addon, non-float32, a fused activation, a bias other than one row of
 * N, batch shapes other than equal or one side single); the wasm path runs then.
 */
function nativeMatMul(kernelName: string, args: KernelArgs, sgemm: Sgemm): tf.TensorInfo | null {
  const { a, b, bias, preluActivationWeights } = args.inputs;
  const { transposeA, transposeB, activation } = args.attrs as { transposeA: boolean; transposeB: boolean; activation?: string };
  if (!a || !b || a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return null;
  if (kernelName === '_FusedMatMul' && ((activation && activation !== 'linear') || preluActivationWeights)) return null;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const M = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const K = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const Kb = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
  const N = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  if (K !== Kb || M * N * K === 0) return null;
  const leadA = a.shape.slice(0, -2);
  const leadB = b.shape.slice(0, -2);
  const batchA = leadA.reduce((x, y) => x * y, 1);
  const batchB = leadB.reduce((x, y) => x * y, 1);
  const sameLead = leadA.length === leadB.length && leadA.every((d, i) => d === leadB[i]);
  if (!sameLead && batchA !== 1 && batchB !== 1) return null;
  // tfjs's own rule for the output's leading dims (a side of batch 1 may have more dims).
  const lead = tf.broadcast_util.assertAndGetBroadcastShape(leadA, leadB);
  const batch = Math.max(batchA, batchB);
  if (bias && (bias.dtype !== 'float32' || tf.util.sizeFromShape(bias.shape) !== N)) return null;
  const { backend } = args;
  const out = backend.makeOutput([...lead, M, N], 'float32') as tf.TensorInfo;
  // Views taken after makeOutput, which may grow the heap.
  const av = backend.typedArrayFromHeap(a) as Float32Array;
  const bv = backend.typedArrayFromHeap(b) as Float32Array;
  const cv = backend.typedArrayFromHeap(out) as Float32Array;
  let beta = 0;
  if (bias) {
    const biasView = backend.typedArrayFromHeap(bias) as Float32Array;
    for (let r = 0; r < batch * M; r++) cv.set(biasView, r * N);
    beta = 1;
  }
  const lda = transposeA ? M : K;
  const ldb = transposeB ? K : N;
  for (let s = 0; s < batch; s++) {
    const ao = batchA === 1 ? 0 : s * M * K;
    const bo = batchB === 1 ? 0 : s * K * N;
    sgemm(transposeA, transposeB, M, N, K, 1, av.subarray(ao, ao + M * K), lda, bv.subarray(bo, bo + K * N), ldb, beta, cv.subarray(s * M * N, (s + 1) * M * N), N);
  }
  return out;
}

function wrap(kernelName: 'BatchMatMul' | '_FusedMatMul'): void {
  const stock = tf.getKernel(kernelName, 'wasm');
  if (!stock) throw new Error(`wasm backend has no ${kernelName} kernel to wrap`);
  if ((stock.kernelFunc as { lexflowWrapped?: boolean }).lexflowWrapped) return;
  const kernelFunc = (args: KernelArgs): tf.TensorInfo => {
    const sgemm = kernelSwitches.nativeGemm ? nativeSgemm() : null;
    const native = sgemm ? nativeMatMul(kernelName, args, sgemm) : null;
    if (native) return native;
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    if (kernelName === 'BatchMatMul' && kernelSwitches.wideByTranspose && transposeA && !transposeB && isWideWeightGradient(args.inputs.a!, args.inputs.b!))
      return wideByTranspose(args.inputs.a!, args.inputs.b!, args.backend, stock, args.attrs);
    const batched = kernelName === 'BatchMatMul' && kernelSwitches.batchedMatMul && takesBatchedPath(args.inputs.a!, args.inputs.b!);
    if (!transposeA && !transposeB && !batched) return stock.kernelFunc(args as never) as tf.TensorInfo;
    const temps: tf.TensorInfo[] = [];
    const inputs = { ...args.inputs };
    if (transposeA) temps.push((inputs.a = transposeLast2(args.inputs.a!, args.backend)));
    if (transposeB) {
      const kept = keptTranspose(args.inputs.b!, args.backend);
      if (kept) inputs.b = kept;
      else temps.push((inputs.b = transposeLast2(args.inputs.b!, args.backend)));
    }
    const out = batched
      ? batchedMatMul(inputs.a!, inputs.b!, args.backend)
      : (stock.kernelFunc({ ...args, inputs, attrs: { ...args.attrs, transposeA: false, transposeB: false } } as never) as tf.TensorInfo);
    for (const t of temps) args.backend.disposeData(t.dataId);
    return out;
  };
  (kernelFunc as { lexflowWrapped?: boolean }).lexflowWrapped = true;
  tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({ ...stock, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** Replace the wasm matMul kernels by the transpose-first wrappers (idempotent; before `setBackend('wasm')`). */
export function registerFastTransposedMatMul(): void {
  wrap('BatchMatMul');
  wrap('_FusedMatMul');
}
