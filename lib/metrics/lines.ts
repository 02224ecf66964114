// Hypothesis and reference files for scoring: one segment per line, as
// sacreBLEU reads them (a final newline ends the last line; CR before LF is dropped).

import fs from 'node:fs';
import { InputError } from '../../pipeline/errors.js';

export function readSegments(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(file, `cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'Give a text file with one segment per line');
  }
  if (text.startsWith('\ufeff')) text = text.slice(1);
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/** Hypotheses and every reference set, checked to have one line per hypothesis. */
export function readScoringFiles(hypFile: string, refFiles: string[]): { hyps: string[]; refs: string[][] } {
  const hyps = readSegments(hypFile);
  const refs = refFiles.map((f) => {
    const r = readSegments(f);
    if (r.length !== hyps.length)
      throw new InputError(f, `has ${r.length} lines but ${hypFile} has ${hyps.length}`, 'Hypothesis and reference files must be line-aligned, one segment per line');
    return r;
  });
  return { hyps, refs };
}
