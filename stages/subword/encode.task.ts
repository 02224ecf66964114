// Pool task: encode one word-id shard into a subword shard (stages/subword/encode-shard.ts).
// The piece table arrives in SharedArrayBuffers, so no task copies it.

import { workerTask } from '../../pipeline/pool.js';
import { encodeShardFile, type ShardSummary } from './encode-shard.js';

export interface EncodeShardTask {
  input: string;
  output: string;
  offsets: Int32Array;
  pieces: Int32Array;
}

export default workerTask<EncodeShardTask, ShardSummary>((t) => encodeShardFile(t.input, t.output, { offsets: t.offsets, pieces: t.pieces }));
