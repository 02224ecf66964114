// Sinusoidal position encodings (Vaswani et al. 2017, §3.5):
//   PE(pos, 2i) = sin(pos / 10000^(2i/D)),  PE(pos, 2i+1) = cos(pos / 10000^(2i/D)).
// Fixed, so a model can encode positions past the longest training sentence.

/** Rows `positions` of the (·, D) sinusoidal table, row-major (n, D). */
export function sinusoidalPositions(positions: ArrayLike<number>, D: number): Float32Array {
  const out = new Float32Array(positions.length * D);
  for (let r = 0; r < positions.length; r++) {
    const pos = positions[r]!;
    for (let i = 0; i < D; i += 2) {
      const angle = pos / Math.pow(10000, i / D);
      out[r * D + i] = Math.sin(angle);
      if (i + 1 < D) out[r * D + i + 1] = Math.cos(angle);
    }
  }
  return out;
}
