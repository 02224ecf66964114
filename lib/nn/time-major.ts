// Batch-major [B, T] <-> time-major [T, B] layouts of row-major arrays: an RNN
// unstacks the time axis, which is then a set of contiguous slices.

/** [B, T] row-major -> [T, B] row-major. */
export function toTimeMajor(x: Int32Array, B: number, T: number): Int32Array {
  const out = new Int32Array(B * T);
  for (let r = 0; r < B; r++) for (let t = 0; t < T; t++) out[t * B + r] = x[r * T + t]!;
  return out;
}

export function toTimeMajorF(x: Float32Array, B: number, T: number): Float32Array {
  const out = new Float32Array(B * T);
  for (let r = 0; r < B; r++) for (let t = 0; t < T; t++) out[t * B + r] = x[r * T + t]!;
  return out;
}
