// URL datasets: downloaded once into `$LEXFLOW_CACHE/downloads/<sha256>/<name>`,
// through a `.part` file that an interrupted download resumes with an HTTP
// Range request, verified against the sha256 the user gave, then renamed into
// place. The sha256 is required: it pins the content (and so the fingerprint)
// without trusting the server.

import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../pipeline/errors.js';
import { cacheDir } from './cache.js';
import { sha256File } from './content-hash.js';

export interface RemoteSpec {
  /** Without the `#sha256=` fragment. */
  readonly url: string;
  /** Lower-case hex. */
  readonly sha256: string;
  /** The URL's last path segment: the document id, and its extension gives the format. */
  readonly fileName: string;
}

export function isUrl(spec: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(spec);
}

// Plain http only to this machine: the tests serve files from 127.0.0.1.
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function parseRemote(spec: string, sha256Option?: string): RemoteSpec {
  let u: URL;
  try {
    u = new URL(spec);
  } catch {
    throw new UsageError(`--dataset ${spec}: not a valid URL`);
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && LOOPBACK.has(u.hostname))) {
    throw new UsageError(`--dataset ${spec}: only https:// URLs are supported`);
  }
  const fromFragment = /^#sha256=([^&]*)$/i.exec(u.hash)?.[1];
  u.hash = '';
  const given = [fromFragment, sha256Option].filter((s): s is string => s !== undefined && s !== '').map((s) => s.toLowerCase());
  if (given.length === 0) {
    throw new UsageError(`--dataset ${u.href}: a URL dataset needs its sha256; add --sha256 HEX or append #sha256=HEX to the URL`);
  }
  if (given.length === 2 && given[0] !== given[1]) {
    throw new UsageError(`--dataset ${u.href}: --sha256 ${given[1]} differs from #sha256=${given[0]} in the URL; give one`);
  }
  const sha256 = given[0]!;
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new UsageError(`--sha256 ${sha256}: not a sha256 (64 hex digits)`);
  const last = decodeURIComponent(u.pathname.split('/').pop() ?? '');
  const fileName = last.replace(/[^\w.+-]/g, '_') || 'download.txt';
  return { url: u.href, sha256, fileName };
}

export function cachedPath(r: RemoteSpec): string {
  return path.join(cacheDir(), 'downloads', r.sha256, r.fileName);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One downloader per file: a second process appending to the same .part would corrupt it. */
function acquireDownloadLock(lock: string, url: string): () => void {
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lock, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(fs.readFileSync(lock, 'utf8'));
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && pidAlive(pid)) {
        throw new UsageError(`${url} is being downloaded by another lexflow process (pid ${pid}); wait for it to finish`);
      }
      fs.rmSync(lock, { force: true }); // left by a dead process: take it over
    }
  }
}

function sizeOf(file: string): number {
  return fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0;
}

/** Appends (or, when the server ignores Range, rewrites) the .part file; false when cut short. */
async function fetchInto(r: RemoteSpec, part: string): Promise<{ done: boolean; error?: unknown }> {
  const have = sizeOf(part);
  const headers: Record<string, string> = { 'accept-encoding': 'identity' };
  if (have > 0) headers.range = `bytes=${have}-`;
  let res: Response;
  try {
    res = await fetch(r.url, { headers, redirect: 'follow' });
  } catch (error) {
    return { done: false, error };
  }
  // 416: nothing past `have`; the part may be whole already, the hash will tell.
  if (res.status === 416 && have > 0) return { done: true };
  if (res.status >= 400 && res.status < 500) {
    throw new UsageError(`${r.url}: HTTP ${res.status} ${res.statusText}. Check the URL`);
  }
  if (!res.ok || !res.body) return { done: false, error: new Error(`HTTP ${res.status} ${res.statusText}`) };
  let flags = 'w';
  if (res.status === 206) {
    const start = /^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '')?.[1];
    if (Number(start) !== have) {
      await res.body.cancel();
      fs.rmSync(part, { force: true }); // a range we did not ask for: start over
      return { done: false, error: new Error(`server answered Range bytes=${have}- with ${res.headers.get('content-range')}`) };
    }
    flags = 'a';
  }
  const expected = Number(res.headers.get('content-length') ?? NaN);
  const before = flags === 'a' ? have : 0;
  // Each chunk goes to disk as soon as it arrives: when the connection drops,
  // everything received is kept for the next Range request.
  const fd = fs.openSync(part, flags);
  try {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (let off = 0; off < value.length; ) off += fs.writeSync(fd, value, off, value.length - off);
    }
  } catch (error) {
    return { done: false, error };
  } finally {
    fs.closeSync(fd);
  }
  if (Number.isFinite(expected) && sizeOf(part) - before < expected) {
    return { done: false, error: new Error(`connection closed after ${sizeOf(part) - before} of ${expected} bytes`) };
  }
  return { done: true };
}

/**
 * The verified local copy of a URL dataset, downloading it when not cached.
 * Network failures are retried `attempts` times, each resuming where the last stopped.
 */
export function download(r: RemoteSpec, attempts = 3): Promise<string> {
  const final = cachedPath(r);
  // Callers in this process share one download (the lock file only keeps other processes out).
  let p = inFlight.get(final);
  if (!p) {
    p = downloadOnce(r, final, attempts).finally(() => inFlight.delete(final));
    inFlight.set(final, p);
  }
  return p;
}

const inFlight = new Map<string, Promise<string>>();

async function downloadOnce(r: RemoteSpec, final: string, attempts: number): Promise<string> {
  if (fs.existsSync(final)) return final;
  fs.mkdirSync(path.dirname(final), { recursive: true });
  const part = `${final}.part`;
  const release = acquireDownloadLock(`${final}.lock`, r.url);
  try {
    let result: { done: boolean; error?: unknown } = { done: false };
    for (let i = 0; i < attempts && !result.done; i++) {
      if (i > 0) await new Promise((ok) => setTimeout(ok, 200 * i)); // let a flaky link recover
      result = await fetchInto(r, part);
    }
    if (!result.done) {
      const why = result.error instanceof Error ? (result.error.cause instanceof Error ? result.error.cause.message : result.error.message) : String(result.error);
      throw new Error(`download of ${r.url} failed after ${attempts} attempts (${why}); ${sizeOf(part)} bytes kept in ${part}: run again to resume`);
    }
    const actual = await sha256File(part);
    if (actual !== r.sha256) {
      fs.rmSync(part, { force: true });
      throw new UsageError(`${r.url}: sha256 mismatch: expected ${r.sha256}, got ${actual}; the download was removed. Check the URL and the --sha256 value`);
    }
    fs.renameSync(part, final);
    return final;
  } finally {
    release();
    removeIfEmpty(path.dirname(final));
  }
}

/** A failed download leaves no empty `<sha256>/` folder behind. */
function removeIfEmpty(dir: string): void {
  try {
    fs.rmdirSync(dir);
  } catch {
    // not empty (the download succeeded, or another file shares the hash): keep it
  }
}
