// How many rows an upstream table has, for a progress total: the upstream
// manifest records it (docs/ARCHITECTURE.md, "Manifests and fingerprints");
// without a manifest (a stage run alone by the harness) the file is counted.

import path from 'node:path';
import { countRows } from './arrow.js';
import type { StageOutput } from './stage.js';

export async function inputRows(input: StageOutput, file: string): Promise<number> {
  const recorded = (input.manifest as StageOutput['manifest'] | undefined)?.rows?.[file];
  return typeof recorded === 'number' ? recorded : countRows(path.join(input.dir, file));
}
