// An LSTM layer's forward pass over a whole sequence, for inference (scoring,
// evaluation: no gradient), on the wasm heap. Each step is one cblas_sgemm,
// z_t = xw_t + h_{t-1}·Wh (beta = 1 onto a copy of xw_t), and one call of the
// fused cell kernel (wasm-lstm-cell.ts), with no tfjs op in between: in tfjs ops
// a step was a slice, a matMul, an add, the cell and an unstack, and with 35
// steps × 2 layers their per-op cost was a third of an LSTM LM's evaluation.
// Runs only where the native BLAS (native-gemm.ts) and the fused cell do;
// otherwise the caller keeps its per-step ops (the same numbers to rounding).

import * as tf from '@tensorflow/tfjs';
import { kernelSwitches } from './switches.js';
import { nativeSgemm } from './native-gemm.js';
import { heapOffset, type WasmBackend } from './wasm-heap.js';
import { lstmCellAvailable, lstmCellForwardAt } from './wasm-lstm-cell.js';

/**
 * xw [T·B, 4H] (x_t·Wx + b of every step, time-major), wh [H, 4H], the start state
 * h0, c0 [B, H]; `resets[t]` lists the rows whose state is zeroed before step t
 * (a sentence starts there). Returns the hidden states [T·B, H] (time-major) and
 * the final state, or undefined where this path cannot run.
 */
export function lstmSequenceInference(
  xw: tf.Tensor2D,
  wh: tf.Tensor2D,
  h0: tf.Tensor2D,
  c0: tf.Tensor2D,
  T: number,
  resets: (Int32Array | undefined)[],
): { hs: tf.Tensor2D; h: tf.Tensor2D; c: tf.Tensor2D } | undefined {
  if (!kernelSwitches.lstmSequence || !kernelSwitches.fusedLstmCell || !kernelSwitches.nativeGemm || tf.getBackend() !== 'wasm') return undefined;
  const sgemm = nativeSgemm();
  const backend = tf.backend() as WasmBackend;
  const [B, H] = h0.shape;
  if (!sgemm || !lstmCellAvailable(backend, H) || [xw, wh, h0, c0].some((x) => x.dtype !== 'float32')) return undefined;
  const BH = B * H;
  const hsInfo = backend.makeOutput([T * B, H], 'float32') as tf.TensorInfo;
  const zInfo = backend.makeOutput([B, 4 * H], 'float32') as tf.TensorInfo;
  const hc = [backend.makeOutput([2, B, H], 'float32'), backend.makeOutput([2, B, H], 'float32')] as tf.TensorInfo[]; // [h; c], ping-pong
  // Views taken after every makeOutput, which may grow the heap.
  const view = (x: tf.TensorInfo): Float32Array => backend.typedArrayFromHeap(x) as Float32Array;
  const xwv = view(xw);
  const whv = view(wh);
  const hsv = view(hsInfo);
  const zv = view(zInfo);
  const hcv = hc.map(view);
  hcv[0]!.set(view(h0), 0);
  hcv[0]!.set(view(c0), BH);
  const zOffset = heapOffset(backend, zInfo);
  const hcOffset = hc.map((x) => heapOffset(backend, x));
  for (let t = 0; t < T; t++) {
    const cur = hcv[t & 1]!;
    const next = (t + 1) & 1;
    for (const r of resets[t] ?? []) {
      cur.fill(0, r * H, (r + 1) * H);
      cur.fill(0, BH + r * H, BH + (r + 1) * H);
    }
    zv.set(xwv.subarray(t * 4 * BH, (t + 1) * 4 * BH));
    sgemm(false, false, B, 4 * H, H, 1, cur.subarray(0, BH), H, whv, 4 * H, 1, zv, 4 * H);
    lstmCellForwardAt(backend, zOffset, hcOffset[t & 1]! + 4 * BH, hcOffset[next]!, B, H);
    hsv.set(hcv[next]!.subarray(0, BH), t * BH);
  }
  backend.disposeData(zInfo.dataId);
  backend.disposeData(hc[T & 1 ? 0 : 1]!.dataId);
  const last = tf.engine().makeTensorFromTensorInfo(hc[T & 1]!) as tf.Tensor3D;
  const [h, c] = tf.unstack(last) as [tf.Tensor2D, tf.Tensor2D];
  last.dispose();
  return { hs: tf.engine().makeTensorFromTensorInfo(hsInfo) as tf.Tensor2D, h, c };
}
