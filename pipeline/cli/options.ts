// Options shared by the commands that work on a run directory, and the
// merge of flags over a --config file over defaults.

import fs from 'node:fs';
import path from 'node:path';
import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import type { Level } from '../log.js';
import { allStages } from '../registry.js';
import { DEFAULT_DATASET, type RunOptions } from '../runner.js';
import { didYouMean } from './suggest.js';
import { parseThreads } from '../threads.js';

export interface RunDirArgs {
  out?: string;
  dataset?: string;
  config?: string;
  threads?: string | number;
  quiet?: boolean;
  verbose?: boolean;
  'text-field'?: string;
  sha256?: string;
  source?: string;
  target?: string;
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
    .option('source', { type: 'string', describe: 'parallel corpus: the source language (its files are <split>.<source>, or the first TSV column)' })
    .option('target', { type: 'string', describe: 'parallel corpus: the target language' })
    .option('config', { type: 'string', describe: 'a JSON file with the same keys as the flags; stage params under "stages": {"NAME": {...}}' })
    // A string, so that `--threads abc` reaches the validation below as typed (yargs would make it NaN).
    .option('threads', { type: 'string', describe: 'worker threads (default: available cores)' })
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
  sha256?: string;
  source?: string;
  target?: string;
  /** `local` or `redis://HOST:PORT`, as --executor. */
  executor?: string;
  sharedDir?: string;
  stages?: Record<string, Record<string, unknown>>;
  [stage: string]: unknown;
}

/** Keys a config file may hold besides stage names (flag spellings are accepted too). */
const CONFIG_KEYS: Record<string, keyof ConfigFile> = {
  dataset: 'dataset',
  out: 'out',
  threads: 'threads',
  textField: 'textField',
  'text-field': 'textField',
  tokensFrom: 'tokensFrom',
  'tokens-from': 'tokensFrom',
  sha256: 'sha256',
  source: 'source',
  target: 'target',
  executor: 'executor',
  sharedDir: 'sharedDir',
  'shared-dir': 'sharedDir',
  stages: 'stages',
};

/** Options every run-directory command takes; anything else on `run` must be `--STAGE.param`. */
export const RUN_DIR_KEYS = ['out', 'dataset', 'text-field', 'sha256', 'source', 'target', 'config', 'threads', 'tokens-from', 'executor', 'shared-dir', 'quiet', 'verbose', 'help', 'version', 'h'];

/** Refuse flags no option or stage parameter answers to, naming the closest one. */
export function checkFlags(argv: Record<string, unknown>, known: readonly string[], opts: { stageObjects: boolean }): void {
  const stages = allStages();
  const stageNames = new Set(stages.map((s) => s.name));
  const dotted = stages.flatMap((s) => Object.keys(s.params).map((k) => `${s.name}.${k}`));
  for (const [key, value] of Object.entries(argv)) {
    if (key === '_' || key === '$0' || known.includes(key)) continue;
    if (opts.stageObjects && stageNames.has(key) && value && typeof value === 'object' && !Array.isArray(value)) continue;
    const owners = stages.filter((s) => key in s.params).map((s) => `--${s.name}.${key}`);
    if (opts.stageObjects && owners.length)
      throw new UsageError(`unknown option --${key}: with lexflow run a stage parameter takes its stage's name, e.g. ${owners.join(' or ')} (or use lexflow stage NAME --${key})`);
    throw new UsageError(`unknown option --${key}${didYouMean(key, [...known.filter((k) => k.length > 1), ...(opts.stageObjects ? dotted : [])])}; see lexflow --help`);
  }
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
  const stageNames = allStages().map((s) => s.name);
  const out: ConfigFile = {};
  for (const [k, v] of Object.entries(cfg)) {
    const isObject = typeof v === 'object' && v !== null && !Array.isArray(v);
    if (stageNames.includes(k) || k === 'stages') {
      if (!isObject) throw new UsageError(`${file}: "${k}" must hold an object of parameters; fix the file given to --config`);
      const groups = k === 'stages' ? Object.entries(v as Record<string, unknown>) : [[k, v] as const];
      for (const [name, params] of groups) {
        if (!stageNames.includes(name)) throw new UsageError(`${file}: unknown stage "${name}" under "stages"${didYouMean(name, stageNames, '')}; stages: ${stageNames.join(', ')}`);
        if (typeof params !== 'object' || params === null || Array.isArray(params)) throw new UsageError(`${file}: "stages.${name}" must hold an object of parameters`);
      }
      out[k] = v;
      continue;
    }
    const key = CONFIG_KEYS[k];
    if (!key) throw new UsageError(`${file}: unknown key "${k}"${didYouMean(k, [...Object.keys(CONFIG_KEYS), ...stageNames], '')}; fix the file given to --config`);
    if (key !== 'threads' && typeof v !== 'string') throw new UsageError(`${file}: "${k}" must be a string`);
    out[key] = v as never;
  }
  if (out.threads !== undefined) parseThreads(out.threads, file);
  return out;
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
  const threads = parseThreads(argv.threads, 'options') ?? cfg.threads;
  return {
    out: argv.out ?? cfg.out ?? defaultOut(dataset),
    ...(dataset ? { dataset } : {}),
    ...(textField ? { textField } : {}),
    ...((argv.sha256 ?? cfg.sha256) ? { sha256: (argv.sha256 ?? cfg.sha256)! } : {}),
    ...((argv.source ?? cfg.source) ? { source: (argv.source ?? cfg.source)! } : {}),
    ...((argv.target ?? cfg.target) ? { target: (argv.target ?? cfg.target)! } : {}),
    ...(tokensFrom ? { tokensFrom } : {}),
    ...(threads !== undefined ? { threads } : {}),
    ...((argv.executor ?? cfg.executor) ? { executor: (argv.executor ?? cfg.executor)! } : {}),
    ...((argv['shared-dir'] ?? cfg.sharedDir) ? { sharedDir: (argv['shared-dir'] ?? cfg.sharedDir)! } : {}),
    logLevel: logLevel(argv),
  };
}
