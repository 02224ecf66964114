// Is this path an lm-neural model? (fs only, so the n-gram commands can ask
// without loading TensorFlow.js.)

import fs from 'node:fs';
import path from 'node:path';

export const MODEL_DIR = 'model';

/** True when `p` is an lm-neural stage folder or its model folder. */
export function isNeuralModelDir(p: string): boolean {
  const abs = path.resolve(p);
  return fs.existsSync(path.join(abs, MODEL_DIR, 'model.json')) || (fs.existsSync(path.join(abs, 'model.json')) && fs.existsSync(path.join(abs, 'weights.bin')));
}
