// Gradients of one shard of a batch for data-parallel lm-neural training.
import { workerTask } from '../../pipeline/pool.js';
import { shardGradients } from './data-parallel.js';

export default workerTask(shardGradients);
