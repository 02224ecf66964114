// Run one stage's `run(ctx)` directly on given input folders, without a run
// directory or manifests: benchmarks time the stage alone, and tests use it
// before the upstream stages exist. Params are validated as the runner does.

import fs from 'node:fs';
import { createLogger, type Level } from '../pipeline/log.js';
import { resolveParams, type ParamSchema } from '../pipeline/params.js';
import type { Pool } from '../pipeline/pool.js';
import { createProgress } from '../pipeline/progress.js';
import type { StageContext, StageDef, StageResult } from '../pipeline/stage.js';

export interface DirectRun {
  /** Upstream stage name -> its output folder. */
  inputs: Record<string, string>;
  outDir: string;
  checkpointDir: string;
  pool: Pool;
  params?: Record<string, unknown>;
  logLevel?: Level;
  progress?: 'tty' | 'plain' | 'quiet';
  /** Receives log lines (default: stderr unless quiet). */
  onLog?: (line: string) => void;
}

export async function runStageDirect<P extends ParamSchema>(def: StageDef<P>, opts: DirectRun): Promise<StageResult & { warnings: string[] }> {
  fs.mkdirSync(opts.outDir, { recursive: true });
  fs.mkdirSync(opts.checkpointDir, { recursive: true });
  const log = createLogger(opts.logLevel ?? 'quiet', opts.onLog);
  const warnings: string[] = [];
  const ctx: StageContext<P> = {
    params: resolveParams(def.params, opts.params ?? {}, `stage ${def.name}`),
    runDir: opts.outDir,
    outDir: opts.outDir,
    checkpointDir: opts.checkpointDir,
    input(name) {
      const dir = opts.inputs[name];
      if (!dir) throw new Error(`no folder given for input ${name}`);
      return { dir, manifest: undefined as never };
    },
    dataset: undefined,
    pool: opts.pool,
    progress: createProgress({ mode: opts.progress ?? 'quiet' }),
    log,
    warn(m) {
      warnings.push(m);
      log.warn(m);
    },
  };
  const r = await def.run(ctx);
  return { ...r, warnings };
}
