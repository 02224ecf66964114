// Identity (tf.clone) without a copy on wasm. The engine clones every tensor it
// saves for the backward pass, and the stock wasm kernel copies its data: each
// LSTM step copied its recurrent weight matrix, and a Transformer step spent
// ~3% of its time in Identity. Tensors are immutable, so the clone shares the
// data and counts a reference, as the cpu backend and wasm's own Reshape do.
// Sharing also lets the matMul wrapper recognize a saved weight as the weight
// itself (its kept transpose, wasm-matmul.ts).

import * as tf from '@tensorflow/tfjs';
import { kernelSwitches } from './switches.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
export function registerSharedIdentity(): void {
  const stock = tf.getKernel('Identity', 'wasm');
  if (!stock || (stock.kernelFunc as { lexflow?: boolean }).lexflow) return;
  const kernelFunc = (args: { inputs: { x: tf.TensorInfo }; backend: any }): tf.TensorInfo => {
    const { x } = args.inputs;
    if (!kernelSwitches.sharedIdentity || x.dtype === 'string') return stock.kernelFunc(args as never) as tf.TensorInfo;
    args.backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
  (kernelFunc as { lexflow?: boolean }).lexflow = true;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({ ...stock, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
}
/* eslint-enable @typescript-eslint/no-explicit-any */
