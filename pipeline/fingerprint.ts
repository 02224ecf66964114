// A stage's fingerprint hashes exactly what determines its result: its name,
// code version, params (those that can change the result), its inputs'
// fingerprints and, for a source stage, the dataset's content fingerprint.
// Same fingerprint = same result (DVC's lock-file idea).

import crypto from 'node:crypto';

/** JSON with object keys sorted at every level, so equal values hash equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

export interface FingerprintParts {
  stage: string;
  version: number;
  params: Record<string, unknown>;
  inputs: Record<string, string>;
  dataset?: string;
  /** A stage's `reads` (files found outside its inputs), when it declares them. */
  reads?: Record<string, string>;
}

export function stageFingerprint(parts: FingerprintParts): string {
  return crypto.createHash('sha256').update(canonicalJson(parts)).digest('hex').slice(0, 32);
}
