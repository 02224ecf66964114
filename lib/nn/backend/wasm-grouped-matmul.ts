// The class softmax's word scores as one grouped product on the wasm heap: rows of
// h sorted by class, each class's run of rows times that class's own [H, S] slice
// of the word weights [C, H, S], one cblas_sgemm per class present forward and two
// backward (dh for its rows, dW for its slice), as one tf.customGrad. In tfjs ops
// this was a split of h, an unstack of W into C slices (a copy of all of it), one
// matMul per class and a concat, and as many again backward, each op costing tens
// of µs: with a hundred classes per batch, a fifth of a Transformer LM's step.
// Runs only on the wasm backend with the system BLAS (native-gemm.ts); otherwise
// the caller keeps its ops (the same numbers to rounding).

import * as tf from '@tensorflow/tfjs';
import { kernelSwitches } from './switches.js';
import { nativeSgemm } from './native-gemm.js';
import type { WasmBackend } from './wasm-heap.js';

/** A run of rows [start, start + count) of the sorted h that belongs to class `cls`. */
export interface ClassRun {
  cls: number;
  start: number;
  count: number;
}

/** h [N, H] (rows sorted by class), w [C, H, S] -> scores [N, S], row i by its class's slice; undefined where this cannot run. */
export function groupedMatMul(h: tf.Tensor2D, w: tf.Tensor3D, runs: ClassRun[]): tf.Tensor2D | undefined {
  if (!kernelSwitches.nativeGemm || !kernelSwitches.groupedMatMul || tf.getBackend() !== 'wasm' || h.dtype !== 'float32' || w.dtype !== 'float32') return undefined;
  const sgemm = nativeSgemm();
  if (!sgemm) return undefined;
  const backend = tf.backend() as WasmBackend;
  const [N, H] = h.shape;
  const [C, , S] = w.shape;
  const view = (x: tf.TensorInfo): Float32Array => backend.typedArrayFromHeap(x) as Float32Array;
  const make = (shape: number[]): tf.TensorInfo => backend.makeOutput(shape, 'float32') as tf.TensorInfo;
  const wrap = (x: tf.TensorInfo): tf.Tensor => tf.engine().makeTensorFromTensorInfo(x);
  const product = tf.customGrad(((hIn: tf.Tensor2D, wIn: tf.Tensor3D, save: tf.GradSaveFunc) => {
    const out = make([N, S]);
    const [hv, wv, ov] = [view(hIn), view(wIn), view(out)];
    for (const { cls, start, count } of runs)
      sgemm(false, false, count, S, H, 1, hv.subarray(start * H, (start + count) * H), H, wv.subarray(cls * H * S, (cls + 1) * H * S), S, 0, ov.subarray(start * S, (start + count) * S), S);
    save([hIn, wIn]);
    return {
      value: wrap(out),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const dh = make([N, H]);
        const dw = make([C, H, S]);
        const [hS, wS] = saved as [tf.Tensor, tf.Tensor];
        const [dyv, hs, ws, dhv, dwv] = [view(dy), view(hS), view(wS), view(dh), view(dw)];
        dwv.fill(0); // classes absent from the batch get no gradient
        for (const { cls, start, count } of runs) {
          const g = dyv.subarray(start * S, (start + count) * S);
          // dh_rows = dy_rows · W_clsᵀ;  dW_cls = h_rowsᵀ · dy_rows
          sgemm(false, true, count, H, S, 1, g, S, ws.subarray(cls * H * S, (cls + 1) * H * S), S, 0, dhv.subarray(start * H, (start + count) * H), H);
          sgemm(true, false, H, S, count, 1, hs.subarray(start * H, (start + count) * H), H, g, S, 0, dwv.subarray(cls * H * S, (cls + 1) * H * S), S);
        }
        return [wrap(dh), wrap(dw)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return product(h, w) as tf.Tensor2D;
}
