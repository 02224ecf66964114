// Piscina task: tokenize a group of consecutive blocks (stages/tokenize/block.ts)
// into one type table and move the encoded arrays back to the main thread
// without copying.

import { Piscina } from 'piscina';
import { workerTask } from '../../pipeline/pool.js';
import { tokenizeBlocks, type GroupTask } from './block.js';
import { blockBuffers } from './encode.js';

export default workerTask((task: GroupTask) => {
  const result = tokenizeBlocks(task);
  return Piscina.move({ [Piscina.transferableSymbol]: blockBuffers(result), [Piscina.valueSymbol]: result } as never);
});
