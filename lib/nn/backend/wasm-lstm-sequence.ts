// An LSTM layer over a whole sequence on the wasm heap, for inference and for
// training. Each step forward is one cblas_sgemm, z_t = xw_t + h_{t-1}·Wh (beta = 1
// onto a copy of xw_t), and one call of the fused cell kernel (wasm-lstm-cell.ts),
// with no tfjs op in between: in tfjs ops a step was a slice, a matMul, an add,
// the cell and an unstack forward and twice as many kernels backward, and with 35
// steps × 2 layers their per-op cost was a third of an LSTM LM's evaluation.
// Training is one tf.customGrad over the sequence: backpropagation through time
// runs step by step on the heap (the cell's backward kernel and dh_{t-1} = dz_t·Whᵀ),
// and the recurrent weight's gradient is one product at the end,
// dWh = [h_0 … h_{T-1}]ᵀ·[dz_1 … dz_T], instead of T small ones.
// `reverse` runs the steps from the last to the first (a bidirectional encoder's
// backward direction) with every per-step buffer indexed by position, so no
// tensor is reversed around the call (tfjs's Reverse kernel on wasm cost more
// than the whole direction).
// Runs only where the native BLAS (native-gemm.ts) and the fused cell do;
// otherwise the caller keeps its per-step ops (the same numbers to rounding).

import * as tf from '@tensorflow/tfjs';
import { kernelSwitches } from './switches.js';
import { nativeSgemm, type Sgemm } from './native-gemm.js';
import { heapOffset, type WasmBackend } from './wasm-heap.js';
import { lstmCellAvailable, lstmCellBackwardAt, lstmCellForwardAt } from './wasm-lstm-cell.js';

type Sequence = { hs: tf.Tensor2D; h: tf.Tensor2D; c: tf.Tensor2D };

/** The native sgemm and the backend where the heap path can run for hidden size H, else undefined. */
function heapPath(H: number, tensors: tf.Tensor[]): { sgemm: Sgemm; backend: WasmBackend } | undefined {
  if (!kernelSwitches.lstmSequence || !kernelSwitches.fusedLstmCell || !kernelSwitches.nativeGemm || tf.getBackend() !== 'wasm') return undefined;
  const sgemm = nativeSgemm();
  const backend = tf.backend() as WasmBackend;
  if (!sgemm || !lstmCellAvailable(backend, H) || tensors.some((x) => x.dtype !== 'float32')) return undefined;
  return { sgemm, backend };
}

/** Zero the state rows `rows` of a [h; c] buffer (2·B·H floats): a sentence starts there. */
function zeroRows(hc: Float32Array, rows: Int32Array | undefined, H: number, BH: number): void {
  for (const r of rows ?? []) {
    hc.fill(0, r * H, (r + 1) * H);
    hc.fill(0, BH + r * H, BH + (r + 1) * H);
  }
}

/** Position of the t-th step: t, or T − 1 − t for a reversed sequence. */
function position(t: number, T: number, reverse: boolean): number {
  return reverse ? T - 1 - t : t;
}

/**
 * The forward recurrence: from [h0; c0] in `state` (2·B·H floats), for the t-th step
 * (t < T), at position p (t, or T − 1 − t reversed): rows in resets[p] zeroed,
 * z_p = xw_p + h·Wh into zs, the cell into the other state buffer, h into hs at p.
 * For training, `prevH` and `prevC` [T·B, H] also record at p each step's state
 * before it (after the resets). Returns the index (0 or 1) of the final state.
 */
function recur(
  k: { sgemm: Sgemm; backend: WasmBackend },
  dims: { T: number; B: number; H: number },
  bufs: { xw: Float32Array; wh: Float32Array; zs: Float32Array; zsOffset: number; zStride: number; hs: Float32Array; state: Float32Array[]; stateOffset: number[]; prevH?: Float32Array; prevC?: Float32Array },
  resets: (Int32Array | undefined)[],
  reverse: boolean,
): number {
  const { T, B, H } = dims;
  const BH = B * H;
  for (let t = 0; t < T; t++) {
    const p = position(t, T, reverse);
    const cur = bufs.state[t & 1]!;
    const next = (t + 1) & 1;
    zeroRows(cur, resets[p], H, BH);
    bufs.prevH?.set(cur.subarray(0, BH), p * BH);
    bufs.prevC?.set(cur.subarray(BH), p * BH);
    const zo = p * bufs.zStride; // floats: one z per step (training) or the same scratch (inference)
    const z = bufs.zs.subarray(zo, zo + 4 * BH);
    z.set(bufs.xw.subarray(p * 4 * BH, (p + 1) * 4 * BH));
    k.sgemm(false, false, B, 4 * H, H, 1, cur.subarray(0, BH), H, bufs.wh, 4 * H, 1, z, 4 * H);
    lstmCellForwardAt(k.backend, bufs.zsOffset + 4 * zo, bufs.stateOffset[t & 1]! + 4 * BH, bufs.stateOffset[next]!, B, H);
    bufs.hs.set(bufs.state[next]!.subarray(0, BH), p * BH);
  }
  return T & 1;
}

/**
 * xw [T·B, 4H] (x_t·Wx + b of every step, time-major), wh [H, 4H], the start state
 * h0, c0 [B, H]; `resets[t]` lists the rows whose state is zeroed before the step at
 * position t (a sentence starts there). `reverse`: the steps run from position T − 1
 * down to 0. Returns the hidden states [T·B, H] (time-major, by position) and the
 * final state, or undefined where this path cannot run. No gradient: scoring.
 */
export function lstmSequenceInference(xw: tf.Tensor2D, wh: tf.Tensor2D, h0: tf.Tensor2D, c0: tf.Tensor2D, T: number, resets: (Int32Array | undefined)[], reverse = false): Sequence | undefined {
  const [B, H] = h0.shape;
  const k = heapPath(H, [xw, wh, h0, c0]);
  if (!k) return undefined;
  const { backend } = k;
  const BH = B * H;
  const hsInfo = backend.makeOutput([T * B, H], 'float32') as tf.TensorInfo;
  const zInfo = backend.makeOutput([B, 4 * H], 'float32') as tf.TensorInfo;
  const hc = [backend.makeOutput([2, B, H], 'float32'), backend.makeOutput([2, B, H], 'float32')] as tf.TensorInfo[]; // [h; c], ping-pong
  // Views taken after every makeOutput, which may grow the heap.
  const view = (x: tf.TensorInfo): Float32Array => backend.typedArrayFromHeap(x) as Float32Array;
  const state = hc.map(view);
  state[0]!.set(view(h0), 0);
  state[0]!.set(view(c0), BH);
  const last = recur(k, { T, B, H }, { xw: view(xw), wh: view(wh), zs: view(zInfo), zsOffset: heapOffset(backend, zInfo), zStride: 0, hs: view(hsInfo), state, stateOffset: hc.map((x) => heapOffset(backend, x)) }, resets, reverse);
  backend.disposeData(zInfo.dataId);
  backend.disposeData(hc[1 - last]!.dataId);
  const fin = tf.engine().makeTensorFromTensorInfo(hc[last]!) as tf.Tensor3D;
  const [h, c] = tf.unstack(fin) as [tf.Tensor2D, tf.Tensor2D];
  fin.dispose();
  return { hs: tf.engine().makeTensorFromTensorInfo(hsInfo) as tf.Tensor2D, h, c };
}

/**
 * The same recurrence with its gradient (truncated BPTT within the sequence), for
 * training: gradients flow to xw, wh, h0 and c0. Undefined where it cannot run.
 */
export function lstmSequenceTrain(xw: tf.Tensor2D, wh: tf.Tensor2D, h0: tf.Tensor2D, c0: tf.Tensor2D, T: number, resets: (Int32Array | undefined)[], reverse = false): Sequence | undefined {
  const [B, H] = h0.shape;
  const k = heapPath(H, [xw, wh, h0, c0]);
  if (!k) return undefined;
  const { backend, sgemm } = k;
  const BH = B * H;
  const make = (shape: number[]): tf.TensorInfo => backend.makeOutput(shape, 'float32') as tf.TensorInfo;
  const view = (x: tf.TensorInfo): Float32Array => backend.typedArrayFromHeap(x) as Float32Array;
  const wrap = (x: tf.TensorInfo): tf.Tensor => tf.engine().makeTensorFromTensorInfo(x);
  const seq = tf.customGrad(((xwIn: tf.Tensor2D, whIn: tf.Tensor2D, h0In: tf.Tensor2D, c0In: tf.Tensor2D, save: tf.GradSaveFunc) => {
    // out [(T + 2)·B, H]: the hidden states, then the final h and c (one tensor: customGrad has one output).
    const out = make([(T + 2) * B, H]);
    const zs = make([T * B, 4 * H]); // every step's pre-activations, for the cell's backward
    const prevH = make([T * B, H]); // every step's h before it, after the resets: the left factor of dWh
    const prevC = make([T * B, H]); // and its c, for the cell's backward
    const hc = [make([2, B, H]), make([2, B, H])];
    const state = hc.map(view);
    state[0]!.set(view(h0In), 0);
    state[0]!.set(view(c0In), BH);
    const outV = view(out);
    const last = recur(k, { T, B, H }, { xw: view(xwIn), wh: view(whIn), zs: view(zs), zsOffset: heapOffset(backend, zs), zStride: 4 * BH, hs: outV, state, stateOffset: hc.map((x) => heapOffset(backend, x)), prevH: view(prevH), prevC: view(prevC) }, resets, reverse);
    outV.set(state[last]!, T * BH); // [h_T; c_T] follow the hidden states
    hc.forEach((x) => backend.disposeData(x.dataId));
    save([whIn, wrap(zs), wrap(prevH), wrap(prevC)]);
    return {
      value: wrap(out),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [whS, zsS, prevHS, prevCS] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        const dxw = make([T * B, 4 * H]); // dz of every step: xw enters z as is
        const dwh = make([H, 4 * H]);
        const dhc = make([2, B, H]); // [dh; dc] flowing back into step t
        const dc0 = make([B, H]);
        const dyV = view(dy);
        const [dxwV, dwhV, dhcV, dc0V, whV, prevHV] = [dxw, dwh, dhc, dc0, whS, prevHS].map(view) as Float32Array[];
        const [dxwO, dhcO, dc0O, zsO, prevCO] = [dxw, dhc, dc0, zsS, prevCS].map((x) => heapOffset(backend, x));
        dhcV!.set(dyV.subarray(T * BH, (T + 2) * BH)); // d[h_T; c_T]
        for (let t = T - 1; t >= 0; t--) {
          const p = position(t, T, reverse);
          const dh = dhcV!.subarray(0, BH);
          const g = dyV.subarray(p * BH, (p + 1) * BH);
          for (let i = 0; i < BH; i++) dh[i]! += g[i]!;
          lstmCellBackwardAt(backend, zsO + 16 * p * BH, prevCO + 4 * p * BH, dhcO, dxwO + 16 * p * BH, dc0O, B, H);
          // dh before the step = dz·Whᵀ; dc from the cell. A reset row passes nothing further back.
          sgemm(false, true, B, H, 4 * H, 1, dxwV!.subarray(p * 4 * BH, (p + 1) * 4 * BH), 4 * H, whV!, 4 * H, 0, dh, H);
          dhcV!.set(dc0V!, BH);
          zeroRows(dhcV!, resets[p], H, BH);
        }
        sgemm(true, false, H, 4 * H, T * B, 1, prevHV!, H, dxwV!, 4 * H, 0, dwhV!, 4 * H);
        const fin = wrap(dhc) as tf.Tensor3D;
        const [dh0, dc0Out] = tf.unstack(fin);
        fin.dispose();
        backend.disposeData(dc0.dataId);
        return [wrap(dxw), wrap(dwh), dh0!, dc0Out!];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const packed = seq(xw, wh, h0, c0) as tf.Tensor2D;
  const hs = tf.slice(packed, [0, 0], [T * B, H]) as tf.Tensor2D;
  const h = tf.slice(packed, [T * B, 0], [B, H]) as tf.Tensor2D;
  const c = tf.slice(packed, [(T + 1) * B, 0], [B, H]) as tf.Tensor2D;
  return { hs, h, c };
}
