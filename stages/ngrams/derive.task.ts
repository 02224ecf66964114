// Pool task: merge the sorted runs and derive every order's table (stages/ngrams/derive.ts).
import { workerTask } from '../../pipeline/pool.js';
import { deriveTables, type DeriveTask } from './derive.js';

export default workerTask((t: DeriveTask) => deriveTables(t));
