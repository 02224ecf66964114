// The real CLI as a child process: what every usage and bad-input test runs.
// CI=1 keeps progress to plain lines; NODE_OPTIONS is cleared so a test runner's
// loader hooks do not reach the child.

import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { cliPath } from './tmp.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function lexflow(args: readonly string[], opts: { input?: string; cwd?: string; timeoutMs?: number } = {}): CliResult {
  const r = spawnSync(process.execPath, [cliPath, ...args], {
    encoding: 'utf8',
    input: opts.input ?? '',
    cwd: opts.cwd,
    timeout: opts.timeoutMs,
    maxBuffer: 1 << 26,
    env: { ...process.env, CI: '1', NODE_OPTIONS: '' },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A stage folder's `_manifest.json`. */
export function readManifestJson(dir: string): Record<string, unknown> & { params: Record<string, unknown>; inputs: Record<string, string>; fingerprint: string } {
  return JSON.parse(fs.readFileSync(path.join(dir, '_manifest.json'), 'utf8'));
}

/** The bad-input contract: exit 2, one stderr line matching `re`, no stack trace. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function expectOneErrorLine(t: any, r: { code: number; stderr: string }, re: RegExp): void {
  t.equal(r.code, 2, 'exit 2');
  const lines = r.stderr.trim().split('\n');
  t.equal(lines.length, 1, `one line: ${r.stderr}`);
  t.match(lines[0], re);
  t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
}
