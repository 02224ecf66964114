// Temporary folders for tests, removed when the test ends.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function tmpDir(t: { teardown(fn: () => void): void }, prefix = 'lexflow-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Path of a compiled file under dist/, from a test file's URL. */
export const distRoot = new URL('../', import.meta.url).pathname;
export const cliPath = path.join(distRoot, 'pipeline/cli/main.js');
