// Where lexflow keeps downloads and file hashes between runs:
// $LEXFLOW_CACHE, else $XDG_CACHE_HOME/lexflow, else ~/.cache/lexflow.

import os from 'node:os';
import path from 'node:path';

export function cacheDir(): string {
  if (process.env.LEXFLOW_CACHE) return path.resolve(process.env.LEXFLOW_CACHE);
  if (process.env.XDG_CACHE_HOME) return path.join(process.env.XDG_CACHE_HOME, 'lexflow');
  return path.join(os.homedir(), '.cache', 'lexflow');
}
