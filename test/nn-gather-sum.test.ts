// GatherV2 as block copies and Sum over leading axes by rows on wasm
// (lib/nn/backend/wasm-gather.ts, wasm-column-sum.ts): the stock kernels' results
// (gather on every axis, 2-D indices, int32 data, the error on an index out of
// range; sums with and without kept dimensions) and float64 sums.

import t from 'tap';
import { selectBackend, tf } from '../lib/nn/backend/index.js';
import { kernelSwitches } from '../lib/nn/backend/switches.js';
import { uniformValues } from '../testkit/finite-differences.js';

function gather(on: boolean, x: tf.Tensor, idx: tf.Tensor, axis: number): { shape: number[]; values: number[] } {
  kernelSwitches.blockGather = on;
  try {
    return tf.tidy(() => {
      const y = tf.gather(x, idx, axis);
      return { shape: y.shape, values: [...y.dataSync()] };
    });
  } finally {
    kernelSwitches.blockGather = true;
  }
}

t.test('equals the stock kernel', async (t) => {
  await selectBackend('wasm');
  const x = tf.tensor(uniformValues(4 * 5 * 3, 1), [4, 5, 3]);
  const xi = tf.tensor(Int32Array.from({ length: 60 }, (_, i) => i * 7 - 100), [4, 5, 3], 'int32');
  for (const axis of [0, 1, 2, -1]) {
    const n = x.shape[axis < 0 ? axis + 3 : axis]!;
    const idx = tf.tensor2d(Int32Array.from({ length: 6 }, (_, i) => (i * 4 + 1) % n), [2, 3], 'int32');
    t.same(gather(true, x, idx, axis), gather(false, x, idx, axis), `float32, axis ${axis}`);
    t.same(gather(true, xi, idx, axis), gather(false, xi, idx, axis), `int32, axis ${axis}`);
    idx.dispose();
  }
  t.throws(() => tf.tidy(() => tf.gather(x, tf.tensor1d([0, 4], 'int32'), 0)), /index value 4 is not in \[0, 3\]/);
  tf.dispose([x, xi]);
});

t.test('Sum over leading axes equals the stock kernel and float64 to float32 rounding', async (t) => {
  await selectBackend('wasm');
  const v = uniformValues(6 * 7 * 5, 3);
  const x = tf.tensor(v, [6, 7, 5]);
  for (const [axis, keepDims] of [[0, false], [[0, 1], false], [[1, 0], true], [0, true]] as const) {
    const run = (on: boolean) => {
      kernelSwitches.columnSum = on;
      const y = tf.sum(x, axis as number | number[], keepDims);
      kernelSwitches.columnSum = true;
      const out = { shape: y.shape, values: y.dataSync() };
      y.dispose();
      return out;
    };
    const mine = run(true);
    const stock = run(false);
    t.same(mine.shape, stock.shape, `axis ${axis}, keepDims ${keepDims}: shape`);
    // Float32 rounding of a 42-term sum: on the BLAS path the accumulator is float32 too.
    t.ok(mine.values.every((m, i) => Math.abs(m - stock.values[i]!) <= 1e-6 * (1 + Math.abs(stock.values[i]!)) * 4), `axis ${axis}, keepDims ${keepDims}: values`);
  }
  // The column sums of [42, 5] in float64, for the two leading axes.
  const want = Array.from({ length: 5 }, (_, j) => Array.from({ length: 42 }, (_, i) => v[i * 5 + j]!).reduce((a, b) => a + b, 0));
  const got = tf.tidy(() => [...tf.sum(x, [0, 1]).dataSync()]);
  t.ok(got.every((g, j) => Math.abs(g - want[j]!) <= 4e-6 * (1 + Math.abs(want[j]!))), 'float64 reference');
  x.dispose();
});
