import { workerTask } from '../../pipeline/pool.js';
import { mergeRows } from './merge.js';
import { moveArrays } from '../../lib/threads/transfer.js';

export default workerTask((task: Parameters<typeof mergeRows>[0]) => moveArrays(mergeRows(task)));
