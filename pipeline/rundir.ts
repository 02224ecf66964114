// The run directory `out/<run>/`: one folder per stage, `run.json`, and a
// lock file so that two runs never write the same directory. Stage output is
// built in `<stage>.tmp-<id>/` and renamed into place only when complete.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { UsageError } from './errors.js';

export const LOCK = '.lock';
export const RUN_JSON = 'run.json';

interface LockInfo {
  pid: number;
  host: string;
  started: string;
}

/** True when a process with this pid exists (EPERM: it exists but is not ours). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface RunLock {
  release(): void;
  /** Set when a stale lock of a dead process was taken over. */
  readonly tookOverFrom?: number;
}

/**
 * Take the run directory's lock. A lock held by a live process on this host
 * is refused with a UsageError; a lock left by a dead process is taken over.
 */
export function acquireLock(runDir: string): RunLock {
  fs.mkdirSync(runDir, { recursive: true });
  const file = path.join(runDir, LOCK);
  const mine: LockInfo = { pid: process.pid, host: os.hostname(), started: new Date().toISOString() };
  let tookOverFrom: number | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(mine), { flag: 'wx' });
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        process.removeListener('exit', release);
        try {
          const cur = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
          if (cur.pid === process.pid) fs.unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
      process.once('exit', release);
      return { release, ...(tookOverFrom !== undefined ? { tookOverFrom } : {}) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let held: LockInfo | undefined;
    try {
      held = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
    } catch {
      held = undefined; // torn or empty lock file: treat as stale
    }
    if (held && held.pid !== process.pid && held.host === os.hostname() && processAlive(held.pid)) {
      throw new UsageError(
        `${runDir} is in use by another lexflow run (pid ${held.pid}, since ${held.started}); wait for it to finish or use another --out`,
      );
    }
    if (held && held.host !== os.hostname()) {
      throw new UsageError(`${runDir} is locked by a run on host ${held.host} (pid ${held.pid}); if that run is gone, delete ${file}`);
    }
    tookOverFrom = held?.pid;
    fs.rmSync(file, { force: true });
  }
  throw new UsageError(`could not take the lock ${file}; another run keeps taking it`);
}

export function stageDir(runDir: string, stage: string): string {
  return path.join(runDir, stage);
}

export function newTmpDir(runDir: string, stage: string): string {
  const dir = path.join(runDir, `${stage}.tmp-${process.pid}-${crypto.randomBytes(3).toString('hex')}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Remove tmp folders that killed runs left behind (we hold the lock, so none is live). */
export function removeStaleTmp(runDir: string, stage: string): void {
  let names: string[] = [];
  try {
    names = fs.readdirSync(runDir);
  } catch {
    return;
  }
  for (const n of names) {
    if (n.startsWith(`${stage}.tmp-`) || n.startsWith(`${stage}.old-`)) fs.rmSync(path.join(runDir, n), { recursive: true, force: true });
  }
}

/** Checkpoints survive a kill and are keyed by fingerprint, so only the same computation resumes from them. */
export function checkpointDir(runDir: string, stage: string, fingerprint: string): string {
  return path.join(runDir, '.checkpoints', `${stage}-${fingerprint}`);
}

/** Remove every checkpoint of a stage, whatever fingerprint it was taken under. */
export function removeCheckpoints(runDir: string, stage: string): void {
  const root = path.join(runDir, '.checkpoints');
  let names: string[] = [];
  try {
    names = fs.readdirSync(root);
  } catch {
    return;
  }
  for (const n of names) if (n.startsWith(`${stage}-`) && /^[0-9a-f]+$/.test(n.slice(stage.length + 1))) fs.rmSync(path.join(root, n), { recursive: true, force: true });
  try {
    fs.rmdirSync(root); // only when now empty
  } catch {
    /* other stages' checkpoints remain */
  }
}

/**
 * Put a finished tmp folder in place of the stage folder. The old folder is
 * moved aside first and removed after, so at every instant the stage folder
 * is either the old complete one, absent, or the new complete one.
 */
export function commitStageDir(tmp: string, finalDir: string): void {
  const old = `${finalDir}.old-${process.pid}`;
  if (fs.existsSync(finalDir)) fs.renameSync(finalDir, old);
  fs.renameSync(tmp, finalDir);
  fs.rmSync(old, { recursive: true, force: true });
}

export function readRunJson(runDir: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(runDir, RUN_JSON), 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

export function writeRunJson(runDir: string, config: Record<string, unknown>): void {
  const file = path.join(runDir, RUN_JSON);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(config, null, 2) + '\n');
  fs.renameSync(`${file}.tmp`, file);
}
