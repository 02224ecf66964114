// Options shared by the commands that work on a run directory, and the
// merge of flags over a --config file over defaults.

import fs from 'node:fs';
import path from 'node:path';
import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import type { Level } from '../log.js';
import { allStages } from '../registry.js';
import { DEFAULT_DATASET, type RunOptions } from '../runner.js';

export interface RunDirArgs {
  out?: string;
  dataset?: string;
  config?: string;
  threads?: number;
  quiet?: boolean;
  verbose?: boolean;
  'text-field'?: string;
  sha256?: string;
  'tokens-from'?: string;
  executor?: string;
  'shared-dir'?: string;
}

export function withRunDirOptions<T>(y: Argv<T>): Argv<T & RunDirArgs> {
  return y
    .option('out', { type: 'string', describe: 'run directory (default: out/<dataset>)' })
    .option('dataset', { type: 'string', describe: `corpus: a registered name (see \`lexflow datasets list\`), a file, folder or glob, name=folder for pre-split corpora, or an https URL (default: ${DEFAULT_DATASET}, or the run directory's)` })
    .option('text-field', { type: 'string', describe: 'JSON field holding the text of .jsonl records (default: text)' })
    .option('sha256', { type: 'string', describe: 'expected sha256 of a dataset given as a URL' })
    .option('config', { type: 'string', describe: 'a JSON file with the same keys as the flags; stage params under "stages": {"NAME": {...}}' })
    .option('threads', { type: 'number', describe: 'worker threads (default: available cores)' })
    .option('tokens-from', { type: 'string', describe: 'read tokens from this stage instead of tokenize (e.g. subword)' })
    .option('executor', { type: 'string', describe: 'local (worker threads here, the default) or redis://HOST:PORT (jobs for `lexflow worker` processes on any machine)' })
    .option('shared-dir', { type: 'string', describe: 'with --executor redis://: a folder every machine sees, holding --out; task messages and shards go through it' }) as Argv<T & RunDirArgs>;
}

export function logLevel(a: RunDirArgs): Level {
  return a.quiet ? 'quiet' : a.verbose ? 'verbose' : 'normal';
}

export interface ConfigFile {
  dataset?: string;
  out?: string;
  threads?: number;
  textField?: string;
  tokensFrom?: string;
  stages?: Record<string, Record<string, unknown>>;
  [stage: string]: unknown;
}

export function readConfig(file: string | undefined): ConfigFile {
  if (!file) return {};
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`${file}: cannot read the config file; check the path given to --config`);
  }
  let cfg: unknown;
  try {
    cfg = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: not valid JSON (${(e as Error).message}); fix the file given to --config`);
  }
  if (typeof cfg !== 'object' || cfg === null || Array.isArray(cfg)) throw new UsageError(`${file}: must hold a JSON object`);
  return cfg as ConfigFile;
}

/** Stage params from a config file: `stages.NAME` and top-level `NAME` objects. */
export function configStageParams(cfg: ConfigFile): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  const names = new Set(allStages().map((s) => s.name));
  for (const [k, v] of Object.entries(cfg.stages ?? {})) out[k] = { ...(v as Record<string, unknown>) };
  for (const [k, v] of Object.entries(cfg)) {
    if (names.has(k) && typeof v === 'object' && v !== null) out[k] = { ...(out[k] ?? {}), ...(v as Record<string, unknown>) };
  }
  return out;
}

export function mergeParams(
  base: Record<string, Record<string, unknown>>,
  over: Record<string, Record<string, unknown>>,
): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = { ...(out[k] ?? {}), ...v };
  return out;
}

/** `out/<dataset>` for a dataset spec (brown -> out/brown, ./corpora/news/ -> out/news). */
export function defaultOut(dataset: string | undefined): string {
  const d = dataset ?? DEFAULT_DATASET;
  const base = d.includes('=') ? d.split('=')[0]! : path.basename(d.replace(/[#?].*$/, '').replace(/[/\\]+$/, '')).replace(/\.(txt|jsonl|gz)+$/g, '');
  return path.join('out', base.replace(/[^A-Za-z0-9._-]+/g, '_') || 'run');
}

/** The RunOptions common to `run` and `stage`: flags win over the config file. */
export function baseRunOptions(argv: RunDirArgs, cfg: ConfigFile): RunOptions {
  const dataset = argv.dataset ?? cfg.dataset;
  const textField = argv['text-field'] ?? cfg.textField;
  const tokensFrom = argv['tokens-from'] ?? cfg.tokensFrom;
  const threads = argv.threads ?? cfg.threads;
  return {
    out: argv.out ?? cfg.out ?? defaultOut(dataset),
    ...(dataset ? { dataset } : {}),
    ...(textField ? { textField } : {}),
    ...(argv.sha256 ? { sha256: argv.sha256 } : {}),
    ...(tokensFrom ? { tokensFrom } : {}),
    ...(threads ? { threads } : {}),
    ...(argv.executor ? { executor: argv.executor } : {}),
    ...(argv['shared-dir'] ? { sharedDir: argv['shared-dir'] } : {}),
    logLevel: logLevel(argv),
  };
}
