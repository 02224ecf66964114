// Pool task: count the n-grams of a group of token shards (stages/ngrams/count.ts).
import { workerTask } from '../../pipeline/pool.js';
import { countShards, type CountTask } from './count.js';

export default workerTask((task: CountTask) => countShards(task));
