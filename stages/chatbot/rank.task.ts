import { workerTask } from '../../pipeline/pool.js';
import { rankQueries, type RankTask } from '../../lib/chat/evaluate.js';
import { moveArrays } from '../../lib/threads/transfer.js';

// The index, reply and candidate matrices arrive as views of SharedArrayBuffers: shared, not copied.
export default workerTask((t: RankTask) => moveArrays({ stats: rankQueries(t) }));
