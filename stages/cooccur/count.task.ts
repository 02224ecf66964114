// Piscina task: count a group of token shards (stages/cooccur/count.ts). The
// log and the dense region a count leaves behind are tens of MB of garbage in
// this thread's heap, which V8 would keep through the merges that follow here;
// a collection before the next task hands them back.
import { collectGarbage } from '../../pipeline/memory.js';
import { workerTask } from '../../pipeline/pool.js';
import { countUnits } from './count.js';

export default workerTask((task: Parameters<typeof countUnits>[0]) => {
  const result = countUnits(task);
  collectGarbage();
  return result;
});
