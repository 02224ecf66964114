import { workerTask } from '../pipeline/pool.js';
import { countUnits } from '../stages/cooccur/count.js';

export default workerTask(countUnits);
