// Pool task: encode a range of word types with a tokenizer (stages/subword/piece-table.ts).
// The words arrive packed in SharedArrayBuffers; the result is one moved Int32Array.

import { Piscina } from 'piscina';
import { workerTask } from '../../pipeline/pool.js';
import { encodePackedRange } from './piece-table.js';
import type { TokenizerSpec } from '../../lib/subword/spec.js';
import { tokenizerFromSpec, type Tokenizer } from '../../lib/subword/tokenizer.js';

export interface EncodeTypesTask {
  /** The tokenizer spec as JSON (small; parsed once per worker and spec). */
  spec: string;
  bytes: Uint8Array;
  offsets: Int32Array;
  from: number;
  to: number;
}

let cached: { spec: string; tok: Tokenizer } | undefined;

export default workerTask<EncodeTypesTask, unknown>((t) => {
  if (cached?.spec !== t.spec) cached = { spec: t.spec, tok: tokenizerFromSpec(JSON.parse(t.spec) as TokenizerSpec) };
  return Piscina.move(encodePackedRange(cached.tok, { bytes: t.bytes, offsets: t.offsets }, t.from, t.to));
});
