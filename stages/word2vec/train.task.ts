// Piscina task: one Hogwild word2vec training thread (stages/word2vec/train.ts).
import { workerTask } from '../../pipeline/pool.js';
import { trainThread } from './train.js';

export default workerTask(trainThread);
