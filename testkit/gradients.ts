// Comparing two sets of gradients for the same parameters: the tape's, by
// parameter name, and another path's (data-parallel workers), in order.

import type { tf } from '../lib/nn/backend/index.js';

/** The largest |a − b| over every element of every parameter's gradient. */
export function largestGradientDifference(params: readonly tf.Variable[], byName: tf.NamedTensorMap, inOrder: readonly tf.Tensor[]): number {
  let worst = 0;
  params.forEach((p, i) => {
    const a = byName[p.name]!.dataSync();
    const b = inOrder[i]!.dataSync();
    for (let j = 0; j < a.length; j++) worst = Math.max(worst, Math.abs(a[j]! - b[j]!));
  });
  return worst;
}
