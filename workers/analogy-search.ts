import { workerTask } from '../pipeline/pool.js';
import { bestAnswersInRange } from '../stages/shared/analogy.js';
import { moveArrays } from '../stages/shared/transfer.js';

export interface AnalogySearchTask {
  unit: Float32Array; // shared
  dim: number;
  abc: Int32Array;
  lo: number;
  hi: number;
}

export default workerTask((t: AnalogySearchTask) => moveArrays(bestAnswersInRange(t.unit, t.dim, t.abc, t.lo, t.hi)));
