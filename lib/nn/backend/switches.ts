// Which of lexflow's later wasm kernels are in use. All on by default; the
// benchmarks and the equality tests turn one off to run the previous kernel in
// the same process (an A/B under the same load), and nothing else should.

export const kernelSwitches = {
  /** matMuls on the system BLAS through the optional nblas addon (native-gemm.ts) where it loads, instead of XNNPACK. */
  nativeGemm: true,
  /** BatchMatMul with a batch through XNNPACK per slice (wasm-batched-matmul.ts) instead of the stock naive loop. */
  batchedMatMul: true,
  /** A product aᵀ·b with few columns of a and a huge b (the output layer's weight gradient) computed as (bᵀ·a)ᵀ (wasm-matmul.ts). */
  wideByTranspose: true,
  /** Large explicit transposes in the matMul wrappers by 32×32 tiles (wasm-transpose.ts) instead of the stock Transpose. */
  tiledTranspose: true,
  /** The LSTM cell's elementwise part as one SIMD kernel forward and one backward (wasm-lstm-cell.ts) instead of a dozen tfjs ops. */
  fusedLstmCell: true,
  /** An LSTM layer's inference over a whole sequence as one BLAS call and one cell kernel per step on the heap (wasm-lstm-sequence.ts) instead of tfjs ops per step. */
  lstmSequence: true,
  /** The class softmax's per-class word scores as one grouped product on the heap (wasm-grouped-matmul.ts) instead of a matMul op per class. */
  groupedMatMul: true,
  /** A 2-D right operand used transposed keeps its transpose until it is freed (wasm-matmul.ts), instead of one per product. */
  keptTransposes: true,
  /** Identity (the engine's clone of every tensor saved for backprop) shares the data instead of copying it (wasm-identity.ts). */
  sharedIdentity: true,
  /** GELU as one SIMD kernel each way (wasm-gelu.ts) instead of a dozen tfjs ops. */
  fusedGelu: true,
  /** GatherV2 (embedding lookups, the class softmax's gathers) as block copies (wasm-gather.ts) instead of the stock strided loop. */
  blockGather: true,
  /** Sum over leading axes (bias gradients) adds rows in place (wasm-column-sum.ts) instead of transposing first. */
  columnSum: true,
  /** An Adam update as one SIMD pass per parameter (wasm-adam.ts) instead of twelve tfjs ops. */
  fusedAdam: true,
  /** The output layer's softmax cross-entropy as one SIMD kernel (wasm-softmax-xent.ts) instead of tfjs ops. */
  fusedSoftmaxXent: true,
  /** Layer norm as one loop each way on the heap (heap-layer-norm.ts) instead of some thirty tfjs ops. */
  fusedLayerNorm: true,
  /** With the system BLAS, the full softmax's scores in a shared memory of lexflow's own, its row passes split over two threads (shared-softmax.ts), instead of on the tfjs heap in one. */
  sharedSoftmax: true,
  /** The helper thread of row-helper.ts runs half of each split; off, the main thread runs both halves (the same bytes). */
  rowHelperThread: true,
};
