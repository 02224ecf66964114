// Shared by the datasets tests: a private cache folder per test file, and temp corpora.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

/** Points $LEXFLOW_CACHE at a fresh temp folder, so tests never touch the user's cache. */
export function privateCache(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lexflow-cache-'));
  process.env.LEXFLOW_CACHE = dir;
  return dir;
}

/** Writes `files` (relative path -> text, gzipped when the name ends in .gz) under a new temp folder. */
export function corpus(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lexflow-corpus-'));
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    const bytes = typeof content === 'string' ? Buffer.from(content) : content;
    fs.writeFileSync(p, rel.endsWith('.gz') ? zlib.gzipSync(bytes) : bytes);
  }
  return dir;
}

export function rmAll(...dirs: string[]): void {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
}
