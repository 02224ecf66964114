// The LSTM cell's gradients (lib/nn/lstm-cell.ts) against central differences
// of the cell written out in float64 from its definition (Hochreiter &
// Schmidhuber 1997; forget gate of Gers et al. 2000), gates in the order [i f g o]:
// on wasm with the fused SIMD cell (lib/nn/backend/wasm-lstm-cell.ts) and with
// tfjs's ops, and on cpu.

import t from 'tap';
import { selectBackend, tf } from '../lib/nn/backend/index.js';
import { kernelSwitches } from '../lib/nn/backend/switches.js';
import { lstmStep } from '../lib/nn/lstm-cell.js';
import { centralDifferences, relativeDifference, uniformValues } from '../testkit/finite-differences.js';

const [B, H] = [3, 4];
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Σ h'⊙rh + Σ c'⊙rc of one step from xw (B, 4H), h, c (B, H), wh (H, 4H), in float64. */
function stepLoss(xw: ArrayLike<number>, h: ArrayLike<number>, c: ArrayLike<number>, wh: ArrayLike<number>, rh: Float32Array, rc: Float32Array): number {
  let loss = 0;
  for (let r = 0; r < B; r++)
    for (let u = 0; u < H; u++) {
      const gate = (k: number): number => {
        let z = xw[r * 4 * H + k * H + u]!;
        for (let j = 0; j < H; j++) z += h[r * H + j]! * wh[j * 4 * H + k * H + u]!;
        return z;
      };
      const c1 = sigmoid(gate(1)) * c[r * H + u]! + sigmoid(gate(0)) * Math.tanh(gate(2));
      const h1 = sigmoid(gate(3)) * Math.tanh(c1);
      loss += h1 * rh[r * H + u]! + c1 * rc[r * H + u]!;
    }
  return loss;
}

for (const [backend, fused] of [
  ['wasm', true],
  ['wasm', false],
  ['cpu', false],
] as const)
  t.test(`${backend}${backend === 'wasm' ? (fused ? ', fused cell' : ', tfjs ops') : ''}: d/dxw, d/dh, d/dc, d/dwh of one step match central differences of the float64 cell`, async (t) => {
    await selectBackend(backend);
    kernelSwitches.fusedLstmCell = fused;
    t.teardown(() => void (kernelSwitches.fusedLstmCell = true));
    const xw = uniformValues(B * 4 * H, 1, -1.5, 1.5);
    xw[3] = 30; // saturated gates: σ and tanh must stay exact at their limits
    xw[4 * H + 5] = -30;
    const h = uniformValues(B * H, 2);
    const c = uniformValues(B * H, 3, -2, 2);
    const wh = uniformValues(H * 4 * H, 4);
    const rh = uniformValues(B * H, 5);
    const rc = uniformValues(B * H, 6);
    const vars = [tf.variable(tf.tensor2d(xw, [B, 4 * H])), tf.variable(tf.tensor2d(h, [B, H])), tf.variable(tf.tensor2d(c, [B, H])), tf.variable(tf.tensor2d(wh, [H, 4 * H]))];
    const [vxw, vh, vc, vwh] = vars as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
    const { value, grads } = tf.variableGrads(() => {
      const s = lstmStep(vxw as tf.Tensor2D, { h: vh as tf.Tensor2D, c: vc as tf.Tensor2D }, vwh);
      return tf.add(tf.sum(tf.mul(s.h, tf.tensor2d(rh, [B, H]))), tf.sum(tf.mul(s.c, tf.tensor2d(rc, [B, H])))) as tf.Scalar;
    }, vars);
    const want = stepLoss(xw, h, c, wh, rh, rc);
    t.ok(Math.abs(value.dataSync()[0]! - want) <= 1e-5 * Math.abs(want), `value ${value.dataSync()[0]} vs ${want}`);
    const fd = [
      centralDifferences((x) => stepLoss(x, h, c, wh, rh, rc), xw),
      centralDifferences((x) => stepLoss(xw, x, c, wh, rh, rc), h),
      centralDifferences((x) => stepLoss(xw, h, x, wh, rh, rc), c),
      centralDifferences((x) => stepLoss(xw, h, c, x, rh, rc), wh),
    ];
    ['xw', 'h', 'c', 'wh'].forEach((name, i) => {
      const d = relativeDifference(grads[vars[i]!.name]!.dataSync(), fd[i]!);
      t.ok(d <= 2e-5, `d/d${name}: relative difference ${d}`);
    });
    tf.dispose([value, ...Object.values(grads), ...vars]);
  });
