import { workerTask } from '../../pipeline/pool.js';
import { gramRows, multiplyRows, spmmRows, type Csr } from '../../lib/linalg/dense.js';
import { moveArrays } from '../../lib/threads/transfer.js';

export type SvdKernelTask =
  | { op: 'spmm'; A: Csr; X: Float64Array; Y: Float64Array; l: number; lo: number; hi: number }
  | { op: 'gram'; Y: Float64Array; l: number; lo: number; hi: number }
  | { op: 'multiply'; Y: Float64Array; l: number; M: Float64Array; k: number; Out: Float64Array; lo: number; hi: number; upper: boolean };

// Matrices arrive as views of SharedArrayBuffers: shared, not copied.
export default workerTask((t: SvdKernelTask) => {
  if (t.op === 'spmm') spmmRows(t.A, t.X, t.Y, t.l, t.lo, t.hi);
  else if (t.op === 'multiply') multiplyRows(t.Y, t.l, t.M, t.k, t.Out, t.lo, t.hi, t.upper);
  else return moveArrays({ G: gramRows(t.Y, t.l, t.lo, t.hi) });
  return null;
});
