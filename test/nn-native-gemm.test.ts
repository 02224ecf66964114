// matMuls on the system BLAS (lib/nn/backend/native-gemm.ts, through nblas): every
// transpose, batch and bias case the kernel takes equals a float64 triple loop, and
// the cases it declines (a fused activation) still give the wasm path's numbers.
// Skips where the optional addon is not installed.

import t from 'tap';
import { selectBackend, tf } from '../lib/nn/backend/index.js';
import { kernelSwitches } from '../lib/nn/backend/switches.js';
import { nativeGemmNote, nativeSgemm } from '../lib/nn/backend/native-gemm.js';
import { relativeDifference, uniformValues } from '../testkit/finite-differences.js';

/** op(A)·op(B) per batch slice in float64 (a single-slice side broadcast). */
function reference(a: Float32Array, b: Float32Array, batchA: number, batchB: number, M: number, N: number, K: number, ta: boolean, tb: boolean): Float64Array {
  const batch = Math.max(batchA, batchB);
  const out = new Float64Array(batch * M * N);
  for (let s = 0; s < batch; s++) {
    const ao = batchA === 1 ? 0 : s * M * K;
    const bo = batchB === 1 ? 0 : s * K * N;
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let sum = 0;
        for (let k = 0; k < K; k++) sum += a[ao + (ta ? k * M + i : i * K + k)]! * b[bo + (tb ? j * K + k : k * N + j)]!;
        out[(s * M + i) * N + j] = sum;
      }
  }
  return out;
}

// On unless LEXFLOW_BLAS=off (then, or without the addon, this test is skipped).
const sgemm = nativeSgemm();
t.test('native matMul', { skip: sgemm ? false : nativeGemmNote() }, async (t) => {
  await selectBackend('wasm');
  t.match((tf.backend() as unknown as object).constructor.name, /Wasm/i, 'on the wasm backend');

  const M = 37, N = 53, K = 29;
  for (const ta of [false, true])
    for (const tb of [false, true])
      for (const [leadA, leadB] of [[[], []], [[3], [3]], [[2, 3], [2, 3]], [[1], [4]], [[4], []], [[1, 1], [4]], [[2], [1, 1, 1]]] as number[][][]) {
        const batchA = leadA.reduce((x, y) => x * y, 1);
        const batchB = leadB.reduce((x, y) => x * y, 1);
        const av = uniformValues(batchA * M * K, 3 + batchA);
        const bv = uniformValues(batchB * K * N, 5 + batchB);
        const want = reference(av, bv, batchA, batchB, M, N, K, ta, tb);
        const a = tf.tensor(av, [...leadA, ta ? K : M, ta ? M : K]);
        const b = tf.tensor(bv, [...leadB, tb ? N : K, tb ? K : N]);
        const got = tf.matMul(a, b, ta, tb);
        // Leading dims broadcast right-aligned, as NumPy's: [1, 1] with [4] is [1, 4].
        const rank = Math.max(leadA.length, leadB.length);
        const lead = Array.from({ length: rank }, (_, i) => Math.max(leadA[leadA.length - rank + i] ?? 1, leadB[leadB.length - rank + i] ?? 1));
        t.same(got.shape, [...lead, M, N], `shape, ta ${ta} tb ${tb} batches ${JSON.stringify([leadA, leadB])}`);
        t.ok(relativeDifference(got.dataSync(), want) <= 1e-6, `values, ta ${ta} tb ${tb} batches ${JSON.stringify([leadA, leadB])}`);
        tf.dispose([a, b, got]);
      }

  // _FusedMatMul with a bias row (a Dense layer) on BLAS; with relu the wasm path runs.
  const x = tf.tensor2d(uniformValues(M * K, 11), [M, K]);
  const w = tf.tensor2d(uniformValues(K * N, 13), [K, N]);
  const bias = tf.tensor1d(uniformValues(N, 17));
  const plain = reference(x.dataSync() as Float32Array, w.dataSync() as Float32Array, 1, 1, M, N, K, false, false);
  const bv = bias.dataSync();
  const withBias = plain.map((v, i) => v + bv[i % N]!);
  const fused = tf.fused.matMul({ a: x, b: w, bias });
  t.ok(relativeDifference(fused.dataSync(), withBias) <= 1e-6, 'fused matMul with a bias row');
  const relu = tf.fused.matMul({ a: x, b: w, bias, activation: 'relu' });
  t.ok(relativeDifference(relu.dataSync(), withBias.map((v) => Math.max(0, v))) <= 1e-6, 'fused matMul with relu (the wasm path)');

  // The native and the XNNPACK path agree to float32 rounding on a training-sized product.
  const big = [tf.tensor2d(uniformValues(140 * 200, 19), [140, 200]), tf.tensor2d(uniformValues(200 * 1000, 23), [200, 1000])] as const;
  const native = tf.matMul(big[0], big[1], false, false);
  kernelSwitches.nativeGemm = false;
  const xnn = tf.matMul(big[0], big[1], false, false);
  kernelSwitches.nativeGemm = true;
  t.ok(relativeDifference(native.dataSync(), xnn.dataSync()) <= 1e-5, 'BLAS and XNNPACK give the same product');
  tf.dispose([x, w, bias, fused, relu, ...big, native, xnn]);
});
