// The models other than Kneser–Ney (absolute, Katz, Jelinek–Mercer, add-k,
// stupid backoff, MLE) are estimated with every order's counts, hash index and
// model columns in memory. Their need is estimated from the ngrams tables' sizes
// before any work, and a --memory too small for it is refused with the way out.

import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../pipeline/errors.js';

/** Bytes in memory per n-gram of order n: words, count, index slots, logprob, backoff and the estimate's scratch columns. */
export const IN_MEMORY_BYTES_PER_ROW = (n: number): number => 4 * n + 8 + 16 + 8 + 24;
/** Kneser–Ney in memory adds the adjusted counts and the suffix rows. */
export const KN_IN_MEMORY_BYTES_PER_ROW = (n: number): number => IN_MEMORY_BYTES_PER_ROW(n) + 12;

/** About how many bytes the in-memory models need for orders 1..order (from the Arrow files' sizes). */
export function inMemoryBytes(ngramsStageDir: string, order: number, perRow = IN_MEMORY_BYTES_PER_ROW): { bytes: number; rows: number } {
  let bytes = 0;
  let rows = 0;
  for (let n = 1; n <= order; n++) {
    const file = path.join(ngramsStageDir, 'ngrams', `order-${n}.arrow`);
    if (!fs.existsSync(file)) continue;
    // An order-n row is n int32 words and a uint32 count in the table.
    const r = Math.floor(fs.statSync(file).size / (4 * n + 4));
    rows += r;
    bytes += r * perRow(n);
  }
  return { bytes, rows };
}

export function human(bytes: number): string {
  if (bytes >= 1 << 30) return `${(bytes / (1 << 30)).toFixed(1)}G`;
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(0)}M`;
  return `${Math.ceil(bytes / 1024)}k`;
}

export function checkInMemoryBudget(ngramsStageDir: string, order: number, memory: number, models: readonly string[]): void {
  const { bytes, rows } = inMemoryBytes(ngramsStageDir, order);
  if (bytes <= memory) return;
  throw new UsageError(
    `lm-ngram --model ${models.join(',')}: ${models.length > 1 ? 'these models hold' : 'this model holds'} every n-gram in memory (about ${human(bytes)} for ${rows} n-grams), over --memory ${human(memory)}; raise --memory, or choose --model kneser-ney, which streams within it`,
  );
}
