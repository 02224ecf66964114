// Pool task: k-way merge of one order's sorted runs into order-N.arrow (stages/ngrams/merge.ts).
import { workerTask } from '../pipeline/pool.js';
import { mergeRuns } from '../stages/ngrams/merge.js';

export interface MergeTask {
  files: string[];
  order: number;
  out: string;
  pruneAtOrBelow: number;
}

export default workerTask((t: MergeTask) => mergeRuns(t.files, t.order, t.out, t.pruneAtOrBelow));
