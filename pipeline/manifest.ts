// `_manifest.json`, the last file a stage writes (docs/ARCHITECTURE.md,
// "Manifests and fingerprints"). Its presence with a matching fingerprint and verified
// output files is what makes a stage "done".

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from './errors.js';

export const MANIFEST = '_manifest.json';
/** Bump when the manifest layout itself changes. */
export const MANIFEST_FORMAT = 1;

export interface OutputFile {
  path: string; // relative to the stage folder, '/'-separated
  bytes: number;
  sha256: string;
}

export interface Manifest {
  format: number;
  stage: string;
  version: number;
  fingerprint: string;
  params: Record<string, unknown>;
  inputs: Record<string, string>;
  dataset?: { name: string; fingerprint: string };
  outputs: OutputFile[];
  rows: Record<string, number>;
  metrics: Record<string, unknown>;
  /** False when a rerun with the same fingerprint gives other bytes; `reproducibleReason` says why. Absent in older manifests. */
  reproducible?: boolean;
  reproducibleReason?: string;
  warnings: string[];
  /** Wall seconds of each progress step, in order (pipeline/step-times.ts). Absent in older manifests. */
  steps?: { name: string; seconds: number }[];
  started: string;
  ended: string;
  wallSeconds: number;
  peakRssMB: number;
  lexflowVersion: string;
}

export function sha256File(file: string): string {
  const h = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

/** Every regular file under `dir` (recursively), relative, sorted, '/'-separated. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else if (e.isFile() && e.name !== MANIFEST) out.push(r);
    }
  };
  walk(dir, '');
  return out.sort();
}

export function describeOutputs(dir: string): OutputFile[] {
  return listFiles(dir).map((rel) => {
    const abs = path.join(dir, rel);
    return { path: rel, bytes: fs.statSync(abs).size, sha256: sha256File(abs) };
  });
}

/** Read a manifest; undefined when absent. A damaged one is an InputError. */
export function readManifest(stageDir: string): Manifest | undefined {
  const file = path.join(stageDir, MANIFEST);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  let m: Manifest;
  try {
    m = JSON.parse(text) as Manifest;
  } catch {
    throw new InputError(file, 'manifest is not valid JSON', 'Delete the stage folder or rerun it with --force');
  }
  if (typeof m !== 'object' || m === null || typeof m.fingerprint !== 'string' || !Array.isArray(m.outputs))
    throw new InputError(file, 'manifest is missing its fingerprint or outputs', 'Delete the stage folder or rerun it with --force');
  return m;
}

export function writeManifest(stageDir: string, m: Manifest): void {
  const file = path.join(stageDir, MANIFEST);
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(m, null, 2) + '\n');
  fs.renameSync(tmp, file);
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/** Check that every output recorded in the manifest exists with its size (and checksum when `deep`). */
export function verifyOutputs(stageDir: string, m: Manifest, deep = true): VerifyResult {
  for (const o of m.outputs) {
    const abs = path.join(stageDir, o.path);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch {
      return { ok: false, reason: `${o.path} is missing` };
    }
    if (st.size !== o.bytes) return { ok: false, reason: `${o.path} has ${st.size} bytes, manifest says ${o.bytes}` };
    if (deep && sha256File(abs) !== o.sha256) return { ok: false, reason: `${o.path} checksum differs from the manifest` };
  }
  return { ok: true };
}
