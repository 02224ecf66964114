// Walks the stage DAG: for each selected stage, resolve its params, compute its
// fingerprint from (params, version, inputs' fingerprints, dataset), skip it
// when its manifest matches and its outputs verify, else run it into a tmp
// folder and rename that into place (docs/ARCHITECTURE.md, "Run directory").

import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from './errors.js';
import { stageFingerprint } from './fingerprint.js';
import { createLogger, type Level, type Logger } from './log.js';
import { describeOutputs, readManifest, verifyOutputs, writeManifest, type Manifest } from './manifest.js';
import { resolveParams, type ParamSchema } from './params.js';
import { checkExecutor, createExecutorPool, type ExecutorSpec } from './executor.js';
import { defaultThreads, type Pool } from './pool.js';
import { collectGarbage } from './memory.js';
import { createProgress, type Progress } from './progress.js';
import { allStages, downstreamOf, getStage, topoOrder } from './registry.js';
import {
  acquireLock,
  checkpointDir,
  commitStageDir,
  newTmpDir,
  readRunJson,
  removeCheckpoints,
  removeStaleTmp,
  stageDir,
  writeRunJson,
} from './rundir.js';
import type { StageContext, StageDef, StageOutput } from './stage.js';
import { timingSteps, type StepTime } from './step-times.js';
import { LEXFLOW_VERSION } from './version.js';
import { resolveDataset } from '../datasets/index.js';
import type { DatasetKind, DatasetSource } from '../datasets/source.js';

export const DEFAULT_DATASET = 'brown';

export interface RunOptions extends ExecutorSpec {
  /** The run directory. */
  out: string;
  /** Dataset spec (`brown`, a path, `ptb=folder`, an https URL); default: run.json's, else brown. */
  dataset?: string;
  /** JSON field holding the text of .jsonl records. */
  textField?: string;
  /** Expected sha256 of a dataset given as a URL. */
  sha256?: string;
  /** Languages of a parallel dataset (`--source en --target de`). */
  source?: string;
  target?: string;
  /**
   * Read tokens from this stage (e.g. `subword`) wherever a stage declares the
   * input `tokenize`, so every downstream stage runs on subwords unchanged.
   */
  tokensFrom?: string;
  /** Per-stage parameter overrides, keyed by stage then kebab-case param name. */
  params?: Record<string, Record<string, unknown>>;
  /** Restrict to these stages (in DAG order). Default: every registered stage. */
  only?: string[];
  from?: string;
  to?: string;
  /** Rerun these stages (true: all selected) even when up to date. */
  force?: boolean | string[];
  threads?: number;
  logLevel?: Level;
  progress?: 'tty' | 'plain' | 'quiet';
  /** Reuse a pool (tests); otherwise one is created and destroyed. */
  pool?: Pool;
  /** When false, inputs of selected stages that are missing are an error instead of being run. Default false for `stage`, true for `run`. */
  runMissingInputs?: boolean;
  logger?: Logger;
}

export type StageStatus = 'ran' | 'skipped' | 'failed';

export interface StageReport {
  stage: string;
  status: StageStatus;
  fingerprint: string;
  wallSeconds: number;
  peakRssMB: number;
  rows: number;
  reason: string;
}

export interface RunReport {
  runDir: string;
  stages: StageReport[];
}

/** Resolve a stage's params from defaults < run config < overrides, validated. */
export function stageParams(def: StageDef, given: Record<string, unknown> | undefined): Record<string, unknown> {
  return resolveParams(def.params as ParamSchema, given ?? {}, `stage ${def.name}`) as Record<string, unknown>;
}

/** Params that enter the fingerprint (those not marked `fingerprint: false`, and whose `fingerprintWhen` holds). */
export function fingerprintParams(def: StageDef, params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(def.params)) if (spec.fingerprint !== false && (spec.fingerprintWhen?.(params) ?? true)) out[k] = params[k];
  return out;
}

/** The stages with `tokenize` inputs redirected to `tokensFrom` (all but that stage itself). */
export function effectiveStages(tokensFrom?: string): StageDef[] {
  if (!tokensFrom || tokensFrom === 'tokenize') return allStages();
  getStage(tokensFrom);
  return allStages().map((d) =>
    d.name === tokensFrom || !d.inputs.includes('tokenize') ? d : { ...d, inputs: d.inputs.map((i) => (i === 'tokenize' ? tokensFrom : i)), run: d.run },
  );
}

/** Which stages a run touches, in order. */
export function selectStages(opts: Pick<RunOptions, 'only' | 'from' | 'to' | 'tokensFrom'>): StageDef[] {
  const order = topoOrder(effectiveStages(opts.tokensFrom));
  const names = order.map((d) => d.name);
  for (const n of [...(opts.only ?? []), opts.from, opts.to]) if (n) getStage(n);
  let sel = order;
  if (opts.only && opts.only.length) {
    const want = new Set(opts.only);
    sel = sel.filter((d) => want.has(d.name));
  }
  if (opts.from) {
    const down = downstreamOf(opts.from, order);
    sel = sel.filter((d) => d.name === opts.from || down.has(d.name));
  }
  if (opts.to) {
    const upto = names.indexOf(opts.to);
    const needed = new Set<string>([opts.to]);
    for (let i = upto; i >= 0; i--) if (needed.has(order[i]!.name)) for (const inp of order[i]!.inputs) needed.add(inp);
    sel = sel.filter((d) => needed.has(d.name));
  }
  if (sel.length === 0) {
    const given = [opts.from && `--from ${opts.from}`, opts.to && `--to ${opts.to}`, opts.only?.length && `--only ${opts.only.join(' ')}`].filter(Boolean).join(' ');
    const why = opts.from && opts.to ? `: ${opts.to} is not ${opts.from} or downstream of it` : '';
    throw new UsageError(`${given} selects no stage${why}; see the stage order in lexflow stage --help`);
  }
  return sel;
}

/** Recorded params still declared by the stage (a param removed from the code is dropped). */
function recordedParams(def: StageDef, recorded: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(recorded ?? {})) if (k in def.params) out[k] = v;
  return out;
}

/**
 * An `--out` that is a file, under a file, or in a folder we cannot write is
 * bad usage: said before any work, and without creating anything.
 */
export function checkOutDir(runDir: string, given: string): void {
  let p = runDir;
  for (;;) {
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') throw new UsageError(`--out ${given}: a parent of it is a file, not a folder; give a folder path`);
      if (code !== 'ENOENT') throw new UsageError(`--out ${given}: cannot read ${p} (${code}); give a folder you can write`);
    }
    if (st) {
      if (!st.isDirectory())
        throw new UsageError(p === runDir ? `--out ${given} is a file, not a folder; give a folder path (it is created if missing)` : `--out ${given}: ${p} is a file, not a folder; give a folder path`);
      try {
        fs.accessSync(p, fs.constants.W_OK | fs.constants.X_OK);
      } catch {
        throw new UsageError(`--out ${given}: ${p === runDir ? 'it' : p} cannot be written; give a folder you can write`);
      }
      return;
    }
    const up = path.dirname(p);
    if (up === p) return;
    p = up;
  }
}

/** Inputs of the selection that it does not run must be done already: checked before any stage runs. */
function checkInputsExist(selected: StageDef[], runDir: string, out: string, runMissing: boolean): void {
  const names = new Set(selected.map((d) => d.name));
  for (const def of selected) {
    for (const inp of def.inputs) {
      if (names.has(inp) || readManifest(stageDir(runDir, inp))) continue;
      const hint = runMissing ? ` Run \`lexflow run --out ${out} --to ${inp}\` first, or select it too.` : ` Run \`lexflow stage ${inp} --out ${out}\` (or \`lexflow run --out ${out}\`) first, or add it to --only.`;
      throw new UsageError(`stage ${def.name} needs the output of stage ${inp}, but ${stageDir(runDir, inp)} has none.${hint}`);
    }
  }
}

function hasStageOutput(runDir: string): boolean {
  return allStages().some((d) => fs.existsSync(path.join(stageDir(runDir, d.name), '_manifest.json')));
}

/**
 * The stages made for the dataset's kind (StageDef.datasetKinds, default text),
 * without those whose inputs were left out. Stages the user named are never
 * dropped silently: a mismatch is a usage error.
 */
export function stagesForKind(sel: readonly StageDef[], kind: DatasetKind, datasetSpec: string, named: boolean): StageDef[] {
  const made = (d: StageDef): boolean => (d.datasetKinds ?? ['text']).includes(kind);
  if (named) {
    const bad = sel.find((d) => !made(d));
    if (bad) throw new UsageError(`stage ${bad.name} runs on ${(bad.datasetKinds ?? ['text']).join(' or ')} datasets, and --dataset ${datasetSpec} is a ${kind} dataset`);
    return [...sel];
  }
  const dropped = new Set<string>();
  const out: StageDef[] = [];
  for (const d of sel) {
    if (!made(d) || d.inputs.some((i) => dropped.has(i))) dropped.add(d.name);
    else out.push(d);
  }
  return out;
}

function sampleRss(): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const t = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 100);
  t.unref();
  return {
    stop() {
      clearInterval(t);
      return Math.max(peak, process.memoryUsage.rss());
    },
  };
}

export async function runPipeline(opts: RunOptions): Promise<RunReport> {
  const runDir = path.resolve(opts.out);
  const progressMode = opts.progress ?? (opts.logLevel === 'quiet' ? 'quiet' : process.stderr.isTTY && !process.env.CI ? 'tty' : 'plain');
  const progress: Progress = createProgress({ mode: progressMode });
  // Log lines go through the progress writer, so a warning during a step lands above its bar, not glued to it.
  const log = opts.logger ?? createLogger(opts.logLevel ?? 'normal', (l) => progress.print(l));
  checkOutDir(runDir, opts.out);
  const prevConfig = readRunJson(runDir);
  // --tokens-from is a setting of the directory too: a plain rerun keeps it.
  const tokensFromSpec = opts.tokensFrom ?? (prevConfig?.tokensFrom as string | undefined);
  const selectedAll = selectStages({ ...opts, ...(tokensFromSpec ? { tokensFrom: tokensFromSpec } : {}) });
  const runMissing = opts.runMissingInputs ?? true;

  // Validate every selected stage's params before any work starts. A run
  // directory remembers its settings (run.json): what is not given now is
  // taken from there, and what differs from there is said.
  const prevStages = (prevConfig?.stages as Record<string, Record<string, unknown>> | undefined) ?? {};
  const given = opts.params ?? {};
  for (const name of Object.keys(given)) getStage(name);
  const resolved = new Map<string, Record<string, unknown>>();
  const changes: string[] = [];
  for (const def of selectedAll) {
    const recorded = recordedParams(def, prevStages[def.name]);
    const params = stageParams(def, { ...recorded, ...given[def.name] });
    for (const [k, v] of Object.entries(given[def.name] ?? {}))
      if (k in recorded && JSON.stringify(params[k]) !== JSON.stringify(recorded[k])) changes.push(`${def.name}: --${k} ${JSON.stringify(params[k])} (run.json had ${JSON.stringify(recorded[k])})`);
    resolved.set(def.name, params);
  }

  const prevDataset = prevConfig?.dataset as string | undefined;
  const prevTokensFrom = (prevConfig?.tokensFrom as string | undefined) ?? 'tokenize';
  if (opts.dataset !== undefined && prevDataset !== undefined && opts.dataset !== prevDataset && hasStageOutput(runDir) && !opts.force)
    throw new UsageError(
      `${opts.out} holds a run of dataset ${prevDataset}, not ${opts.dataset}; use another --out for ${opts.dataset}, or add --force to replace it`,
    );
  if (opts.tokensFrom !== undefined && prevConfig && opts.tokensFrom !== prevTokensFrom)
    changes.push(`--tokens-from ${opts.tokensFrom} (run.json had ${prevTokensFrom}): stages that read tokens rerun on it`);

  const datasetSpec = opts.dataset ?? prevDataset ?? DEFAULT_DATASET;
  const textField = opts.textField ?? (prevConfig?.textField as string | undefined) ?? 'text';
  const sha256 = opts.sha256 ?? (opts.dataset === undefined ? (prevConfig?.sha256 as string | undefined) : undefined);
  const sameDataset = opts.dataset === undefined;
  const source = opts.source ?? (sameDataset ? (prevConfig?.source as string | undefined) : undefined);
  const target = opts.target ?? (sameDataset ? (prevConfig?.target as string | undefined) : undefined);
  const langs = { ...(source ? { source } : {}), ...(target ? { target } : {}) };
  let dataset: DatasetSource | undefined;
  const datasetOf = (): DatasetSource => (dataset ??= resolveDataset(datasetSpec, { textField, ...(sha256 ? { sha256 } : {}), ...langs }));
  const kindMatters = selectedAll.some((d) => d.source || d.datasetKinds);
  const selected = stagesForKind(selectedAll, kindMatters ? (datasetOf().kind ?? 'text') : 'text', datasetSpec, Boolean(opts.only?.length));
  checkInputsExist(selected, runDir, opts.out, runMissing);
  const needsDataset = selected.some((d) => d.source);
  if (needsDataset) datasetOf();
  const tokensFrom = tokensFromSpec && tokensFromSpec !== 'tokenize' ? tokensFromSpec : undefined;
  /** A stage asks for 'tokenize'; with --tokens-from it gets the redirected stage. */
  const redirect = (defName: string, inp: string): string => (tokensFrom && inp === 'tokenize' && defName !== tokensFrom ? tokensFrom : inp);

  if (opts.dataset !== undefined && prevDataset !== undefined && opts.dataset !== prevDataset)
    log.warn(`replacing the run of dataset ${prevDataset} in ${opts.out} with ${opts.dataset} (--force)`);
  for (const c of changes) log.warn(`changed setting: ${c}`);

  const executor = checkExecutor(opts, runDir);

  const lock = acquireLock(runDir);
  if (lock.tookOverFrom !== undefined) log.info(`took over a stale lock left by pid ${lock.tookOverFrom}`);
  let current: { stage: string; tmp: string; ckpt: string } | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    // Leave the directory as a kill -9 would, but tidy: no temp folder, no
    // lock; checkpoints stay for the rerun.
    if (current) fs.rmSync(current.tmp, { recursive: true, force: true });
    lock.release();
    const where = current ? ` during stage ${current.stage}` : '';
    const resume = current && fs.existsSync(current.ckpt) && fs.readdirSync(current.ckpt).length > 0 ? `; ${current.stage} resumes from its checkpoint` : '';
    process.stderr.write(`\nlexflow: interrupted (${signal})${where}; finished stages are kept: rerun the same command to continue${resume}\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const ownPool = !opts.pool;
  let pool: Pool;
  try {
    pool = opts.pool ?? (await createExecutorPool(executor, opts.threads ?? defaultThreads(), (l) => log.info(l)));
  } catch (e) {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    lock.release();
    throw e;
  }
  const reports: StageReport[] = [];
  try {
    // Record the config (merged over the previous one: it describes the whole directory).
    // A stage's params enter it once the stage is done or up to date with them: the
    // settings a later run inherits are those the outputs were made with, not those
    // of a run that failed.
    const stagesCfg: Record<string, unknown> = { ...prevStages };
    const recordRun = (): void =>
      writeRunJson(runDir, {
        lexflowVersion: LEXFLOW_VERSION,
        dataset: needsDataset ? datasetSpec : (prevConfig?.dataset ?? datasetSpec),
        textField,
        ...(sha256 ? { sha256 } : {}),
        ...langs,
        ...(tokensFrom ? { tokensFrom } : {}),
        threads: pool.threads,
        ...(pool.remote ? { executor: pool.remote } : {}),
        stages: stagesCfg,
      });
    const recordStage = (name: string): void => {
      stagesCfg[name] = resolved.get(name);
      recordRun();
    };
    recordRun();

    const fingerprints = new Map<string, string>();
    const selectedNames = new Set(selected.map((d) => d.name));
    const forced = (name: string): boolean => opts.force === true || (Array.isArray(opts.force) && opts.force.includes(name));
    let datasetFp: string | undefined;

    for (const def of selected) {
      const params = resolved.get(def.name)!;
      const inputs: Record<string, StageOutput> = {};
      const inputFps: Record<string, string> = {};
      for (const inp of def.inputs) {
        // Keyed by the stage's own input name, so stage code keeps calling ctx.input('tokenize').
        const key = tokensFrom && inp === tokensFrom && def.name !== tokensFrom ? 'tokenize' : inp;
        const dir = stageDir(runDir, inp);
        const m = readManifest(dir);
        if (!m) {
          if (selectedNames.has(inp)) throw new Error(`stage ${inp} did not produce a manifest`);
          const hint = runMissing ? '' : ` Run \`lexflow stage ${inp} --out ${opts.out}\` (or \`lexflow run --out ${opts.out}\`) first.`;
          throw new UsageError(`stage ${def.name} needs the output of stage ${inp}, but ${dir} has none.${hint}`);
        }
        inputs[key] = { dir, manifest: m };
        inputFps[key] = fingerprints.get(inp) ?? m.fingerprint;
      }
      if (def.source) datasetFp ??= await dataset!.fingerprint();
      const fpParams = fingerprintParams(def, params);
      const fingerprint = stageFingerprint({
        stage: def.name,
        version: def.version,
        params: fpParams,
        inputs: inputFps,
        ...(def.source ? { dataset: datasetFp! } : {}),
        ...(def.reads ? { reads: await def.reads(params as never, { runDir }) } : {}),
      });
      fingerprints.set(def.name, fingerprint);

      const dir = stageDir(runDir, def.name);
      const existing = readManifest(dir);
      if (existing && existing.fingerprint === fingerprint && !forced(def.name)) {
        const v = verifyOutputs(dir, existing);
        if (v.ok) {
          reports.push({
            stage: def.name,
            status: 'skipped',
            fingerprint,
            wallSeconds: existing.wallSeconds,
            peakRssMB: existing.peakRssMB,
            rows: Object.values(existing.rows).reduce((s, n) => s + n, 0),
            reason: 'up to date',
          });
          log.info(`${def.name}: up to date (${fingerprint.slice(0, 12)})`);
          recordStage(def.name);
          continue;
        }
        log.info(`${def.name}: rerunning, ${v.reason}`);
      } else if (existing && existing.fingerprint !== fingerprint) {
        log.debug(`${def.name}: fingerprint changed ${existing.fingerprint.slice(0, 12)} -> ${fingerprint.slice(0, 12)}`);
      }

      removeStaleTmp(runDir, def.name);
      const tmp = newTmpDir(runDir, def.name);
      const ckpt = checkpointDir(runDir, def.name, fingerprint);
      current = { stage: def.name, tmp, ckpt };
      const warnings: string[] = [];
      const steps: StepTime[] = [];
      const ctx: StageContext<ParamSchema> = {
        params: params as never,
        runDir,
        outDir: tmp,
        checkpointDir: ckpt,
        input(name) {
          const o = inputs[name] ?? inputs[redirect(def.name, name)];
          if (!o) throw new Error(`stage ${def.name} asked for input ${name}, which it does not declare`);
          return o;
        },
        dataset: def.source ? dataset : undefined,
        pool,
        progress: timingSteps(progress, steps),
        log,
        warn(message) {
          warnings.push(message);
          log.warn(`${def.name}: ${message}`);
        },
      };
      log.info(`== ${def.name} (${def.describe})`);
      const started = new Date();
      const t0 = performance.now();
      const rss = sampleRss();
      let result;
      try {
        result = await def.run(ctx);
      } catch (e) {
        rss.stop();
        // Keep checkpoints for a rerun; drop the half-written output.
        fs.rmSync(tmp, { recursive: true, force: true });
        reports.push({ stage: def.name, status: 'failed', fingerprint, wallSeconds: (performance.now() - t0) / 1000, peakRssMB: 0, rows: 0, reason: (e as Error).message });
        throw e;
      }
      const wallSeconds = (performance.now() - t0) / 1000;
      const peakRssMB = Math.round(rss.stop() / 2 ** 20);
      const manifest: Manifest = {
        format: 1,
        stage: def.name,
        version: def.version,
        fingerprint,
        params,
        inputs: inputFps,
        ...(def.source ? { dataset: { name: datasetSpec, fingerprint: datasetFp! } } : {}),
        outputs: describeOutputs(tmp),
        rows: result.rows ?? {},
        metrics: result.metrics ?? {},
        reproducible: result.notReproducible === undefined,
        ...(result.notReproducible !== undefined ? { reproducibleReason: result.notReproducible } : {}),
        warnings,
        steps,
        started: started.toISOString(),
        ended: new Date().toISOString(),
        wallSeconds: Math.round(wallSeconds * 1000) / 1000,
        peakRssMB,
        lexflowVersion: LEXFLOW_VERSION,
      };
      writeManifest(tmp, manifest);
      commitStageDir(tmp, dir);
      current = undefined;
      // Every checkpoint of this stage, also those of other fingerprints (a
      // killed run with other params): none can be resumed into this output.
      removeCheckpoints(runDir, def.name);
      const rows = Object.values(manifest.rows).reduce((s, n) => s + n, 0);
      recordStage(def.name);
      // One process runs every stage: what this one allocated goes back before the next starts,
      // so a run's peak is its largest stage's, not their sum (docs/ARCHITECTURE.md, "The pool").
      // A pool given by the caller (tests) is the caller's to keep.
      if (ownPool) await pool.recycle();
      collectGarbage();
      reports.push({ stage: def.name, status: 'ran', fingerprint, wallSeconds, peakRssMB, rows, reason: forced(def.name) ? 'forced' : existing ? 'stale' : 'new' });
    }
  } finally {
    current = undefined;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (ownPool) await pool.destroy();
    lock.release();
  }
  return { runDir, stages: reports };
}
