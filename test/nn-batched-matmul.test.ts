// BatchMatMul with a batch on XNNPACK (lib/nn/backend/wasm-batched-matmul.ts):
// the same numbers as the stock wasm kernel and as a float64 product in plain
// JS, for every transpose combination and both kinds of shared operand, and the
// same attention gradients.

import t from 'tap';
import { selectBackend, tf } from '../lib/nn/backend/index.js';
import { kernelSwitches } from '../lib/nn/backend/switches.js';
import { attendHeads, causalMask } from '../lib/nn/attention.js';

/** Deterministic values in [−1, 1). */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** a [n|1, M, K] · b [n|1, K, N] in float64 (batch 1 broadcast), row-major. */
function reference(a: Float32Array, b: Float32Array, n: number, M: number, K: number, N: number, aShared: boolean, bShared: boolean): Float64Array {
  const out = new Float64Array(n * M * N);
  for (let s = 0; s < n; s++)
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let acc = 0;
        for (let k = 0; k < K; k++) acc += a[(aShared ? 0 : s) * M * K + i * K + k]! * b[(bShared ? 0 : s) * K * N + k * N + j]!;
        out[s * M * N + i * N + j] = acc;
      }
  return out;
}

/** max |x − y| / max |y|: the difference relative to the product's scale. */
function relative(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < y.length; i++) {
    d = Math.max(d, Math.abs(x[i]! - y[i]!));
    m = Math.max(m, Math.abs(y[i]!));
  }
  return d / m;
}

function withSwitch<T>(on: boolean, f: () => T): T {
  const was = kernelSwitches.batchedMatMul;
  kernelSwitches.batchedMatMul = on;
  try {
    return f();
  } finally {
    kernelSwitches.batchedMatMul = was;
  }
}

t.before(async () => {
  // These are the XNNPACK path's wrappers: the native BLAS path has its own test (nn-native-gemm).
  kernelSwitches.nativeGemm = false;
  await selectBackend('wasm');
});

const cases = [
  { name: 'both batched', outer: [2, 3], aShared: false, bShared: false },
  { name: 'b shared', outer: [2, 3], aShared: false, bShared: true },
  { name: 'a shared', outer: [2, 3], aShared: true, bShared: false },
];
const [M, K, N] = [5, 7, 6];
for (const c of cases)
  for (const [ta, tb] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const) {
    t.test(`${c.name}, transposeA ${ta}, transposeB ${tb}: equals the stock kernel and float64`, async (t) => {
      const n = c.outer[0]! * c.outer[1]!;
      const av = values((c.aShared ? 1 : n) * M * K, 1);
      const bv = values((c.bShared ? 1 : n) * K * N, 2);
      const want = reference(av, bv, n, M, K, N, c.aShared, c.bShared);
      const aShape = [...(c.aShared ? [1, 1] : c.outer), M, K];
      const bShape = [...(c.bShared ? [1, 1] : c.outer), K, N];
      // Transposed operands are stored transposed, so the product is still a·b.
      const a = ta ? tf.transpose(tf.tensor(av, aShape), [0, 1, 3, 2]) : tf.tensor(av, aShape);
      const b = tb ? tf.transpose(tf.tensor(bv, bShape), [0, 1, 3, 2]) : tf.tensor(bv, bShape);
      const mine = withSwitch(true, () => tf.matMul(a as tf.Tensor4D, b as tf.Tensor4D, ta, tb));
      const stock = withSwitch(false, () => tf.matMul(a as tf.Tensor4D, b as tf.Tensor4D, ta, tb));
      t.same(mine.shape, [...c.outer, M, N]);
      t.ok(relative(mine.dataSync(), stock.dataSync()) <= 1e-6, `vs stock: ${relative(mine.dataSync(), stock.dataSync())}`);
      t.ok(relative(mine.dataSync(), want) <= 1e-6, `vs float64: ${relative(mine.dataSync(), want)}`);
      tf.dispose([a, b, mine, stock]);
    });
  }

t.test('a large batch of attention-sized slices leaves no tensors behind', async (t) => {
  const a = tf.tensor(values(32 * 4 * 64 * 16, 3), [32, 4, 64, 16]);
  const b = tf.tensor(values(32 * 4 * 64 * 16, 4), [32, 4, 64, 16]);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) withSwitch(true, () => tf.matMul(a as tf.Tensor4D, b as tf.Tensor4D, false, true)).dispose();
  t.equal(tf.memory().numTensors, before);
  const mine = withSwitch(true, () => tf.matMul(a as tf.Tensor4D, b as tf.Tensor4D, false, true));
  const stock = withSwitch(false, () => tf.matMul(a as tf.Tensor4D, b as tf.Tensor4D, false, true));
  t.ok(relative(mine.dataSync(), stock.dataSync()) <= 1e-6, `vs stock: ${relative(mine.dataSync(), stock.dataSync())}`);
  tf.dispose([a, b, mine, stock]);
});

t.test('masked attention: output and gradients equal with the stock kernel', async (t) => {
  const [B, H, T, dk] = [3, 2, 6, 4];
  const q = tf.variable(tf.tensor(values(B * H * T * dk, 5), [B, H, T, dk]));
  const k = tf.variable(tf.tensor(values(B * H * T * dk, 6), [B, H, T, dk]));
  const v = tf.variable(tf.tensor(values(B * H * T * dk, 7), [B, H, T, dk]));
  const w = tf.tensor(values(B * T * H * dk, 8), [B * T, H * dk]);
  const mask = causalMask(T);
  const run = (on: boolean) =>
    withSwitch(on, () => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(attendHeads(q as tf.Tensor4D, k as tf.Tensor4D, v as tf.Tensor4D, [mask], 0, 0), w)), [q, k, v]);
      return { loss: value.dataSync()[0]!, grads: [q, k, v].map((p) => grads[p.name]!.dataSync()) };
    });
  const mine = run(true);
  const stock = run(false);
  t.ok(Math.abs(mine.loss - stock.loss) <= 1e-6 * Math.abs(stock.loss), `loss ${mine.loss} vs ${stock.loss}`);
  for (let i = 0; i < 3; i++) t.ok(relative(mine.grads[i]!, stock.grads[i]!) <= 1e-6, `d${'qkv'[i]}: ${relative(mine.grads[i]!, stock.grads[i]!)}`);
  tf.dispose([q, k, v, w, mask]);
});
