import { workerTask } from '../pipeline/pool.js';
import { mergeRows } from '../stages/cooccur/merge.js';
import { moveArrays } from '../stages/shared/transfer.js';

export default workerTask((task: Parameters<typeof mergeRows>[0]) => moveArrays(mergeRows(task)));
