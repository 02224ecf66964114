// A small glob matcher for `--dataset 'corpus/**/*.txt'`: `*` (any run of
// characters but `/`), `**` (any number of folders), `?` (one character).
// No brace or bracket expansion; quote the pattern so the shell leaves it alone.

import fs from 'node:fs';
import path from 'node:path';

export function isGlob(spec: string): boolean {
  return /[*?]/.test(spec);
}

/** Splits a glob into the folder before its first wildcard and the pattern after it. */
export function globBase(pattern: string): { base: string; rest: string } {
  const parts = pattern.split(/[\\/]/);
  const first = parts.findIndex((p) => isGlob(p));
  const baseParts = parts.slice(0, first);
  const base = baseParts.length === 0 ? '.' : baseParts.join('/') || '/';
  return { base, rest: parts.slice(first).join('/') };
}

/** Compiles one path segment of a glob (`*`, `?`, no `/`) to an anchored RegExp. */
export function segmentRegExp(segment: string): RegExp {
  let re = '';
  for (const c of segment) {
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

interface Entry {
  name: string;
  isDir: boolean;
  isFile: boolean;
}

/** A folder's entries, following symlinks; dot-names only when the pattern spells the dot out. */
function entries(dir: string, withDotNames: boolean): Entry[] {
  const out: Entry[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.') && !withDotNames) continue;
    let isDir = e.isDirectory();
    let isFile = e.isFile();
    if (e.isSymbolicLink()) {
      const st = fs.statSync(path.join(dir, e.name), { throwIfNoEntry: false });
      isDir = st?.isDirectory() ?? false;
      isFile = st?.isFile() ?? false;
    }
    out.push({ name: e.name, isDir, isFile });
  }
  return out;
}

/**
 * Files under `dir` whose `/`-separated relative path matches the glob
 * segments, sorted. Walks only as deep as the pattern asks; `**` recurses.
 * A symlinked folder seen twice (a loop) is not entered again.
 */
function walkMatching(dir: string, segments: string[]): string[] {
  const found = new Set<string>();
  const regs = segments.map((s) => (s === '**' ? null : segmentRegExp(s)));
  const onPath = new Set<string>();
  const visit = (rel: string, i: number): void => {
    const abs = path.join(dir, rel);
    const real = fs.realpathSync(abs);
    const key = `${real}\0${i}`;
    if (onPath.has(key)) return;
    onPath.add(key);
    const re = regs[i];
    const last = i === segments.length - 1;
    for (const e of entries(abs, segments[i]!.startsWith('.'))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (re === null) {
        // `**` matches zero folders (try the next segment here) or one more (stay on `**`).
        if (last) {
          if (e.isFile) found.add(r);
          else if (e.isDir) visit(r, i);
        } else if (e.isDir) visit(r, i);
      } else if (re.test(e.name)) {
        if (last && e.isFile) found.add(r);
        else if (!last && e.isDir) visit(r, i + 1);
      }
    }
    if (re === null && !last) visit(rel, i + 1);
    onPath.delete(key);
  };
  visit('', 0);
  return [...found].sort(compareIds);
}

/** Every file under `dir`, recursively, as sorted `/`-separated relative paths. */
export function walkFiles(dir: string): string[] {
  return walkMatching(dir, ['**']);
}

/** Sorts ids by code unit, independent of locale, so the file order is the same everywhere. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Files matching a glob, relative to its base folder. */
export function matchGlob(pattern: string): { base: string; files: string[] } {
  const { base, rest } = globBase(pattern);
  if (!fs.statSync(base, { throwIfNoEntry: false })?.isDirectory()) return { base, files: [] };
  return { base, files: walkMatching(base, rest.split('/').filter((s) => s !== '')) };
}
