// Content hashes of corpus files, cached DVC-style: an entry in
// `$LEXFLOW_CACHE/hashes.json` is reused while the file's absolute path, size
// and mtime are unchanged, so re-running on a big corpus does not re-read it.
// The hash is sha256 over the bytes on disk (compressed bytes for .gz), the
// same value a URL dataset declares with `#sha256=`.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { canonicalJson } from '../pipeline/fingerprint.js';
import { cacheDir } from './cache.js';

interface HashEntry {
  size: number;
  mtimeMs: number;
  sha256: string;
}

type HashTable = Record<string, HashEntry>;

export function hashCachePath(): string {
  return path.join(cacheDir(), 'hashes.json');
}

/** sha256 of a file's bytes, streamed. */
export async function sha256File(file: string): Promise<string> {
  const h = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

function readTable(file: string): HashTable {
  try {
    const t = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    return t && typeof t === 'object' && !Array.isArray(t) ? (t as HashTable) : {};
  } catch {
    return {}; // missing or damaged: start over, hashes are only a cache
  }
}

/** Written to a temp file and renamed, so a concurrent reader never sees half a table. */
function writeTable(file: string, table: HashTable): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify(table));
    fs.renameSync(tmp, file);
  } catch {
    // A read-only cache folder costs re-hashing next time, nothing else.
  }
}

/**
 * Content hashes of `files` (absolute paths), in order. Reads the cache once,
 * hashes only files whose size or mtime changed, writes the cache back once.
 */
export async function contentHashes(files: readonly string[]): Promise<string[]> {
  const cacheFile = hashCachePath();
  const table = readTable(cacheFile);
  let changed = false;
  const out: string[] = [];
  for (const f of files) {
    const abs = path.resolve(f);
    const st = fs.statSync(abs);
    const hit = table[abs];
    if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs && typeof hit.sha256 === 'string') {
      out.push(hit.sha256);
      continue;
    }
    const sha256 = await sha256File(abs);
    table[abs] = { size: st.size, mtimeMs: st.mtimeMs, sha256 };
    changed = true;
    out.push(sha256);
  }
  if (changed) {
    // Merge with what another process may have written meanwhile; ours win for our files.
    writeTable(cacheFile, { ...readTable(cacheFile), ...table });
  }
  return out;
}

/**
 * The dataset fingerprint: sha256 over each file's id, split, format and
 * content hash, in file order, plus what else changes how the files read
 * (the jsonl text field, the tokenizer hints).
 */
export function datasetFingerprint(
  files: readonly { id: string; split?: string; format: string }[],
  hashes: readonly string[],
  reading: Record<string, unknown>,
): string {
  const h = crypto.createHash('sha256');
  h.update(`${canonicalJson(reading)}\n`);
  files.forEach((f, i) => h.update(`${f.id}\0${f.split ?? ''}\0${f.format}\0${hashes[i]}\n`));
  return h.digest('hex').slice(0, 32);
}
