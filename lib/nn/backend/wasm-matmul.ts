// The wasm backend runs BatchMatMul and _FusedMatMul through XNNPACK only when
// neither operand is transposed; otherwise it takes a naive loop (~1 GFLOP/s),
// and every backward matMul is transposed. This wrapper materializes the
// transposed operand with the (fast) Transpose kernel and then calls the stock
// kernel untransposed: one LSTM step's matMuls went from 4870 ms to 442 ms
// (docs/ARCHITECTURE.md, "The neural backend"). A BatchMatMul with a batch then
// goes through XNNPACK slice by slice (wasm-batched-matmul.ts).

import * as tf from '@tensorflow/tfjs';
import { kernelSwitches } from './switches.js';
import { batchedMatMul, takesBatchedPath } from './wasm-batched-matmul.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type KernelArgs = { inputs: Record<string, tf.TensorInfo>; backend: any; attrs: Record<string, unknown> };

/** Swap the last two axes of `x` with the backend's own Transpose kernel. */
function transposeLast2(x: tf.TensorInfo, backend: any): tf.TensorInfo {
  const transpose = tf.getKernel('Transpose', 'wasm')!;
  const r = x.shape.length;
  const perm = [...Array(r).keys()];
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm } as never }) as tf.TensorInfo;
}

function wrap(kernelName: 'BatchMatMul' | '_FusedMatMul'): void {
  const stock = tf.getKernel(kernelName, 'wasm');
  if (!stock) throw new Error(`wasm backend has no ${kernelName} kernel to wrap`);
  if ((stock.kernelFunc as { lexflowWrapped?: boolean }).lexflowWrapped) return;
  const kernelFunc = (args: KernelArgs): tf.TensorInfo => {
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    const batched = kernelName === 'BatchMatMul' && kernelSwitches.batchedMatMul && takesBatchedPath(args.inputs.a!, args.inputs.b!);
    if (!transposeA && !transposeB && !batched) return stock.kernelFunc(args as never) as tf.TensorInfo;
    const temps: tf.TensorInfo[] = [];
    const inputs = { ...args.inputs };
    if (transposeA) temps.push((inputs.a = transposeLast2(args.inputs.a!, args.backend)));
    if (transposeB) temps.push((inputs.b = transposeLast2(args.inputs.b!, args.backend)));
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
