import { workerTask } from '../../pipeline/pool.js';
import { bestAnswersInRange } from '../../lib/embeddings/analogy.js';
import { moveArrays } from '../../lib/threads/transfer.js';

export interface AnalogySearchTask {
  unit: Float32Array; // shared
  dim: number;
  abc: Int32Array;
  lo: number;
  hi: number;
}

export default workerTask((t: AnalogySearchTask) => moveArrays(bestAnswersInRange(t.unit, t.dim, t.abc, t.lo, t.hi)));
