// Gradients of one shard of a batch for data-parallel seq2seq training (--data-parallel).
import { workerTask } from '../../pipeline/pool.js';
import { shardGradientsWith } from '../../lib/nn/data-parallel.js';
import { createSeq2Seq } from '../../lib/seq2seq/artifacts.js';

export default workerTask(shardGradientsWith(createSeq2Seq));
