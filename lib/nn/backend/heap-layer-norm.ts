// Layer normalization (Ba, Kiros & Hinton 2016) on the wasm heap, forward and
// backward, as one tf.customGrad: per row of x (N, D)
//   μ = mean x, σ² = mean (x − μ)², r = 1/√(σ² + ε), x̂ = (x − μ)·r, y = x̂·g + b;
// and, with dŷ = dy·g,
//   dx = r·(dŷ − mean dŷ − x̂·mean(dŷ·x̂)),  dg = Σ_rows dy·x̂,  db = Σ_rows dy.
// In tfjs ops the forward pass was about ten kernels and its derived gradient some
// twenty, each costing tens of µs: 3.8 ms for a (2048, 128) batch, five times per
// step of the Transformer LM. Here each way is one pass over the rows, no tfjs op
// in between: SIMD kernels (wasm-layer-norm.ts) where a row is a multiple of 4
// floats, else a JS loop on Float32Array views (its sums in float64).

import * as tf from '@tensorflow/tfjs';
import { kernelSwitches } from './switches.js';
import type { WasmBackend } from './wasm-heap.js';
import { layerNormBackwardAt, layerNormForwardAt, layerNormKernelsAvailable } from './wasm-layer-norm.js';

/** Forward, row by row: x̂ and 1/σ kept for the backward pass. */
function forwardRows(x: Float32Array, g: Float32Array, b: Float32Array, y: Float32Array, xhat: Float32Array, rstd: Float32Array, N: number, D: number, eps: number): void {
  for (let i = 0, o = 0; i < N; i++, o += D) {
    let s = 0;
    for (let j = 0; j < D; j++) s += x[o + j]!;
    const mean = s / D;
    let v = 0;
    for (let j = 0; j < D; j++) {
      const d = x[o + j]! - mean;
      v += d * d;
    }
    const r = 1 / Math.sqrt(v / D + eps);
    rstd[i] = r;
    for (let j = 0; j < D; j++) {
      const h = (x[o + j]! - mean) * r;
      xhat[o + j] = h;
      y[o + j] = h * g[j]! + b[j]!;
    }
  }
}

/** Backward, row by row: dx, and dg, db summed over the rows (in float64). */
function backwardRows(dy: Float32Array, xhat: Float32Array, rstd: Float32Array, g: Float32Array, dx: Float32Array, dg: Float32Array, db: Float32Array, N: number, D: number): void {
  const accG = new Float64Array(D);
  const accB = new Float64Array(D);
  for (let i = 0, o = 0; i < N; i++, o += D) {
    let m1 = 0;
    let m2 = 0;
    for (let j = 0; j < D; j++) {
      const e = dy[o + j]!;
      const h = xhat[o + j]!;
      const dh = e * g[j]!;
      m1 += dh;
      m2 += dh * h;
      accG[j] += e * h;
      accB[j] += e;
    }
    m1 /= D;
    m2 /= D;
    const r = rstd[i]!;
    for (let j = 0; j < D; j++) dx[o + j] = r * (dy[o + j]! * g[j]! - m1 - xhat[o + j]! * m2);
  }
  dg.set(accG);
  db.set(accB);
}

/** x (N, D), g (D), b (D) -> (N, D), or undefined where this path cannot run (then the caller uses tfjs ops). */
export function layerNormOnHeap(x: tf.Tensor2D, g: tf.Tensor, b: tf.Tensor, eps: number): tf.Tensor2D | undefined {
  if (!kernelSwitches.fusedLayerNorm || tf.getBackend() !== 'wasm' || [x, g, b].some((t) => t.dtype !== 'float32')) return undefined;
  const backend = tf.backend() as WasmBackend;
  const [N, D] = x.shape;
  const make = (shape: number[]): tf.TensorInfo => backend.makeOutput(shape, 'float32') as tf.TensorInfo;
  const view = (t: tf.TensorInfo): Float32Array => backend.typedArrayFromHeap(t) as Float32Array;
  const wrap = (t: tf.TensorInfo): tf.Tensor => tf.engine().makeTensorFromTensorInfo(t);
  const simd = layerNormKernelsAvailable(backend, D);
  const f = tf.customGrad(((xIn: tf.Tensor2D, gIn: tf.Tensor1D, bIn: tf.Tensor1D, save: tf.GradSaveFunc) => {
    const y = make([N, D]);
    const xhat = make([N, D]);
    const rstd = make([N]);
    // Views after every makeOutput (one may grow the heap and detach earlier views).
    if (simd) layerNormForwardAt(backend, xIn, gIn, bIn, y, xhat, rstd, eps);
    else forwardRows(view(xIn), view(gIn), view(bIn), view(y), view(xhat), view(rstd), N, D, eps);
    save([wrap(xhat), wrap(rstd), gIn]);
    return {
      value: wrap(y),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const dx = make([N, D]);
        const dg = make([D]);
        const db = make([D]);
        if (simd) layerNormBackwardAt(backend, dy, saved[0]!, saved[1]!, saved[2]!, dx, dg, db);
        else backwardRows(view(dy), view(saved[0]!), view(saved[1]!), view(saved[2]!), view(dx), view(dg), view(db), N, D);
        return [wrap(dx), wrap(dg), wrap(db)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x, g, b) as tf.Tensor2D;
}
