// Is each stage done, stale or missing? The same fingerprints the runner
// computes, from run.json's recorded params and the current dataset, compared
// with each stage's manifest (never with timestamps).

import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from './errors.js';
import { stageFingerprint } from './fingerprint.js';
import { readManifest, verifyOutputs, type Manifest } from './manifest.js';
import { readRunJson, stageDir } from './rundir.js';
import { effectiveStages, fingerprintParams, stageParams, DEFAULT_DATASET } from './runner.js';
import { topoOrder } from './registry.js';
import { resolveDataset } from '../datasets/index.js';

export type State = 'done' | 'stale' | 'missing';

export interface StageState {
  stage: string;
  state: State;
  reason: string;
  manifest?: Manifest;
  expected?: string;
}

export async function runStatus(out: string, opts: { deep?: boolean } = {}): Promise<StageState[]> {
  const runDir = path.resolve(out);
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(runDir);
  } catch {
    throw new UsageError(`--out ${out}: no such run directory; give the --out of an earlier lexflow run`);
  }
  if (!st.isDirectory()) throw new UsageError(`--out ${out} is a file, not a run directory; give the --out of an earlier lexflow run`);
  const cfg = readRunJson(runDir) ?? {};
  const stagesCfg = (cfg.stages as Record<string, Record<string, unknown>> | undefined) ?? {};
  const datasetSpec = (cfg.dataset as string | undefined) ?? DEFAULT_DATASET;
  const tokensFrom = cfg.tokensFrom as string | undefined;
  const expected = new Map<string, string | undefined>();
  let datasetFp: string | undefined | null = null;
  const states: StageState[] = [];
  for (const def of topoOrder(effectiveStages(tokensFrom))) {
    const dir = stageDir(runDir, def.name);
    const m = readManifest(dir);
    let fp: string | undefined;
    let why = '';
    try {
      const params = stageParams(def, stagesCfg[def.name]);
      const inputs: Record<string, string> = {};
      for (const inp of def.inputs) {
        const e = expected.get(inp);
        if (!e) throw new Error(`input ${inp} is not done`);
        inputs[tokensFrom && inp === tokensFrom && def.name !== tokensFrom ? 'tokenize' : inp] = e;
      }
      if (def.source && datasetFp === null) {
        try {
          datasetFp = await resolveDataset(datasetSpec, { textField: (cfg.textField as string) ?? 'text' }).fingerprint();
        } catch {
          datasetFp = undefined;
        }
      }
      if (def.source && !datasetFp) throw new Error(`dataset ${datasetSpec} is not available`);
      fp = stageFingerprint({
        stage: def.name,
        version: def.version,
        params: fingerprintParams(def, params),
        inputs,
        ...(def.source ? { dataset: datasetFp! } : {}),
        ...(def.reads ? { reads: await def.reads(params as never, { runDir }) } : {}),
      });
    } catch (e) {
      why = (e as Error).message;
    }
    let state: State;
    let reason: string;
    if (!m) {
      state = 'missing';
      reason = 'no output';
    } else if (!fp) {
      state = 'stale';
      reason = why;
    } else if (m.fingerprint !== fp) {
      state = 'stale';
      reason = m.version !== def.version ? `code version ${m.version} -> ${def.version}` : 'params or inputs changed';
    } else {
      const v = verifyOutputs(dir, m, opts.deep ?? false);
      state = v.ok ? 'done' : 'stale';
      reason = v.ok ? '' : v.reason;
    }
    expected.set(def.name, state === 'done' ? fp : undefined);
    states.push({ stage: def.name, state, reason, ...(m ? { manifest: m } : {}), ...(fp ? { expected: fp } : {}) });
  }
  return states;
}
