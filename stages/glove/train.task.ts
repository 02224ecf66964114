// Piscina task: one thread's share of one GloVe epoch (stages/glove/train.ts).
import { workerTask } from '../../pipeline/pool.js';
import { trainGloveSlice } from './train.js';

export default workerTask(trainGloveSlice);
