import { workerTask } from '../../pipeline/pool.js';
import { countUnits } from './count.js';

export default workerTask(countUnits);
