// The LSTM cell (Hochreiter & Schmidhuber 1997, with the forget gate of Gers
// et al. 2000), gates in the order [i f g o]:
//   [i f g o] = x_t·Wx + h_{t-1}·Wh + b;  c_t = σ(f)⊙c_{t-1} + σ(i)⊙tanh(g);  h_t = σ(o)⊙tanh(c_t)
// The input part x_t·Wx + b is computed by the caller for every step at once
// (one big matMul); a step adds the recurrent part. On wasm the elementwise
// part of a step is one SIMD kernel each way (backend/wasm-lstm-cell.ts).

import { tf } from './backend/index.js';
import { kernelSwitches } from './backend/switches.js';
import { lstmCellAvailable, lstmCellBackward, lstmCellForward } from './backend/wasm-lstm-cell.js';

export interface LstmState {
  h: tf.Tensor2D; // (B, H)
  c: tf.Tensor2D; // (B, H)
}

/** Initial bias (4H): 1 on the forget gate (Gers et al. 2000: remember by default), 0 elsewhere. */
export function lstmBias(H: number): Float32Array {
  const bias = new Float32Array(4 * H);
  bias.fill(1, H, 2 * H);
  return bias;
}

/** One step: xw = x_t·Wx + b (B, 4H), state (B, H) each, wh (H, 4H) -> the next state. */
export function lstmStep(xw: tf.Tensor2D, state: LstmState, wh: tf.Tensor): LstmState {
  const z = tf.add(xw, tf.matMul(state.h, wh)) as tf.Tensor2D; // (B, 4H)
  const fused = fusedCell(z, state.c);
  if (fused) return fused;
  const [i, f, g, o] = tf.split(z, 4, 1) as tf.Tensor2D[];
  const c = tf.add(tf.mul(tf.sigmoid(f!), state.c), tf.mul(tf.sigmoid(i!), tf.tanh(g!))) as tf.Tensor2D;
  const h = tf.mul(tf.sigmoid(o!), tf.tanh(c)) as tf.Tensor2D;
  return { h, c };
}

/* eslint-disable @typescript-eslint/no-explicit-any */
/** The cell's gates and state update as one kernel each way (wasm), or undefined where it cannot run. */
function fusedCell(z: tf.Tensor2D, c0: tf.Tensor2D): LstmState | undefined {
  if (!kernelSwitches.fusedLstmCell || tf.getBackend() !== 'wasm') return undefined;
  const backend = tf.backend() as any;
  if (!lstmCellAvailable(backend, c0.shape[1])) return undefined;
  const cell = tf.customGrad(((zz: tf.Tensor2D, cc: tf.Tensor2D, save: tf.GradSaveFunc) => {
    save([zz, cc]);
    return {
      value: tf.engine().makeTensorFromTensorInfo(lstmCellForward(backend, zz, cc)), // (2, B, H): [h; c]
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const { dz, dc0 } = lstmCellBackward(backend, saved[0]!, saved[1]!, dy);
        return [tf.engine().makeTensorFromTensorInfo(dz), tf.engine().makeTensorFromTensorInfo(dc0)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const [h, c] = tf.unstack(cell(z, c0) as tf.Tensor3D) as [tf.Tensor2D, tf.Tensor2D];
  return { h, c };
}
/* eslint-enable @typescript-eslint/no-explicit-any */
