// Piscina task: tokenize one block (stages/tokenize/block.ts) and move the
// encoded arrays back to the main thread without copying.

import { Piscina } from 'piscina';
import { workerTask } from '../../pipeline/pool.js';
import { tokenizeBlock, type BlockTask } from './block.js';
import { blockBuffers } from './encode.js';

export default workerTask((task: BlockTask) => {
  const result = tokenizeBlock(task);
  return Piscina.move({ [Piscina.transferableSymbol]: blockBuffers(result), [Piscina.valueSymbol]: result } as never);
});
