// Which token folder of a run a language model was built on. A model of a run
// made with `--tokens-from subword` reads pieces, not words: the model's run
// directory says which stage it read (run.json), and the vocabulary must fit
// the model's. Used by `lexflow sample` and `lexflow eval ppl` when no
// --tokens is given.

import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../../pipeline/errors.js';

/**
 * The token folder of the run holding `stageDir` whose vocabulary `fits` the
 * model: the run's --tokens-from stage first, then tokenize, then any other
 * stage folder with a vocab.arrow (a run whose setting changed since).
 */
export function modelTokensDir(stageDir: string, fits: (tokensDir: string) => boolean, what: string): string {
  const runDir = path.dirname(path.resolve(stageDir));
  let recorded: string | undefined;
  try {
    recorded = (JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8')) as { tokensFrom?: string }).tokensFrom;
  } catch {
    recorded = undefined;
  }
  const names = [...new Set([recorded ?? 'tokenize', 'tokenize', ...safeList(runDir)])];
  const tried: string[] = [];
  for (const n of names) {
    const dir = path.join(runDir, n);
    if (!fs.existsSync(path.join(dir, 'vocab.arrow'))) continue;
    tried.push(n);
    if (fits(dir)) return dir;
  }
  throw new InputError(
    stageDir,
    tried.length ? `no token folder of this run has the vocabulary ${what} was built with (tried ${tried.join(', ')})` : 'its run directory has no token folder (tokenize or subword)',
    'Pass --tokens with the tokenize (or subword) folder of the run that built the model',
  );
}

function safeList(dir: string): string[] {
  try {
    return fs.readdirSync(dir).filter((n) => !n.startsWith('.') && !n.includes('.tmp-') && !n.includes('.old-')).sort();
  } catch {
    return [];
  }
}
