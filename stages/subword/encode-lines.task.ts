// Pool task: encode one block of stdin's lines for `lexflow tokenize --threads N`
// (encode-lines.ts); the block arrives and the output leaves transferred, not cloned.

import { Piscina } from 'piscina';
import { workerTask } from '../../pipeline/pool.js';
import { encodeBlockTask } from './encode-lines.js';

export default workerTask((t: Parameters<typeof encodeBlockTask>[0]) => {
  const out = encodeBlockTask(t);
  return Piscina.move(out) as unknown as Uint8Array;
});
