// GatherV2 as block copies on wasm (lib/nn/backend/wasm-gather.ts): the stock
// kernel's results on every axis, 2-D indices and int32 data, and its error on an
// index out of range.

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
