// The matMul wrappers' explicit transposes (lib/nn/backend/wasm-transpose.ts,
// tiled) and the wide weight gradient aᵀ·b computed as (bᵀ·a)ᵀ
// (lib/nn/backend/wasm-matmul.ts): the same numbers as the stock kernels and as
// a float64 product.

import t from 'tap';
import { selectBackend, tf } from '../lib/nn/backend/index.js';
import { kernelSwitches } from '../lib/nn/backend/switches.js';
import { transposeLastTwo } from '../lib/nn/backend/wasm-transpose.js';
import { relativeDifference, uniformValues } from '../testkit/finite-differences.js';

function withSwitches<T>(on: boolean, f: () => T): T {
  const was = { ...kernelSwitches };
  Object.assign(kernelSwitches, { wideByTranspose: on, tiledTranspose: on });
  try {
    return f();
  } finally {
    Object.assign(kernelSwitches, was);
  }
}

t.before(async () => {
  // These are the XNNPACK path's wrappers: the native BLAS path has its own test (nn-native-gemm).
  kernelSwitches.nativeGemm = false;
  await selectBackend('wasm');
});

t.test('the tiled transpose swaps the last two axes exactly, edges and batches included', async (t) => {
  for (const shape of [[1, 1], [33, 65], [3, 31, 97], [2, 2, 64, 40]]) {
    const x = tf.tensor(uniformValues(shape.reduce((a, b) => a * b, 1), 7), shape);
    const perm = shape.map((_, i) => i);
    [perm[shape.length - 2], perm[shape.length - 1]] = [shape.length - 1, shape.length - 2];
    const want = tf.transpose(x, perm);
    const got = tf.engine().makeTensorFromTensorInfo(transposeLastTwo(tf.backend(), x)!);
    t.same(got.shape, want.shape, `${shape}: shape`);
    t.same([...got.dataSync()], [...want.dataSync()], `${shape}: values`);
    tf.dispose([x, want, got]);
  }
});

t.test('a wide weight gradient aᵀ·b equals the stock kernel and float64', async (t) => {
  const [K, M, N] = [96, 5, 12000]; // K·N above the threshold, M ≪ N
  const av = uniformValues(K * M, 1);
  const bv = uniformValues(K * N, 2);
  const want = new Float64Array(M * N);
  for (let k = 0; k < K; k++) for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) want[i * N + j]! += av[k * M + i]! * bv[k * N + j]!;
  const a = tf.tensor2d(av, [K, M]);
  const b = tf.tensor2d(bv, [K, N]);
  const mine = withSwitches(true, () => tf.matMul(a, b, true, false));
  const stock = withSwitches(false, () => tf.matMul(a, b, true, false));
  t.same(mine.shape, [M, N]);
  t.ok(relativeDifference(mine.dataSync(), stock.dataSync()) <= 1e-6, `vs stock ${relativeDifference(mine.dataSync(), stock.dataSync())}`);
  t.ok(relativeDifference(mine.dataSync(), want) <= 1e-6, `vs float64 ${relativeDifference(mine.dataSync(), want)}`);
  // and the large transposed operands of the other products
  const c = tf.tensor2d(uniformValues(300 * 400, 3), [300, 400]);
  const d = tf.tensor2d(uniformValues(500 * 400, 4), [500, 400]);
  const p1 = withSwitches(true, () => tf.matMul(c, d, false, true));
  const p0 = withSwitches(false, () => tf.matMul(c, d, false, true));
  t.ok(relativeDifference(p1.dataSync(), p0.dataSync()) <= 1e-6, `c·dᵀ vs stock ${relativeDifference(p1.dataSync(), p0.dataSync())}`);
  const before = tf.memory().numTensors;
  withSwitches(true, () => tf.matMul(a, b, true, false)).dispose();
  t.equal(tf.memory().numTensors, before, 'no tensors left behind');
  tf.dispose([a, b, mine, stock, c, d, p1, p0]);
});

t.test('a kept transpose lives exactly as long as its operand', async (t) => {
  const backend = tf.backend() as unknown as { numDataIds(): number };
  const x = tf.tensor2d(uniformValues(6 * 40, 5), [6, 40]);
  const base = backend.numDataIds();
  const w = tf.tidy(() => tf.variable(tf.tensor2d(uniformValues(30 * 40, 6), [30, 40]))); // the initial tensor freed
  const first = tf.matMul(x, w, false, true);
  const again = tf.tidy(() => tf.matMul(x, tf.clone(w), false, true)); // a clone shares the data, and so the transpose
  t.same([...again.dataSync()], [...first.dataSync()], 'the same product from the kept transpose');
  const want = tf.tidy(() => tf.matMul(x, tf.transpose(w)));
  t.ok(relativeDifference(first.dataSync(), want.dataSync()) <= 1e-6, 'equal to the product with an explicit transpose');
  tf.dispose([first, again, want]);
  t.equal(backend.numDataIds(), base + 2, 'the weight and its kept transpose');
  w.dispose();
  t.equal(backend.numDataIds(), base, 'both freed with the weight');
  x.dispose();
});
