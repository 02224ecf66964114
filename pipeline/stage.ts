// The stage contract (docs/ARCHITECTURE.md, "The stage contract"). A stage is declared once
// with `defineStage` and registered with one line in `stages/index.ts`.
//
// A stage is a pure function of (its params, its `version`, its inputs' outputs
// and, for a source stage, the dataset's content). Its fingerprint hashes exactly
// those, so the runner can skip it when nothing changed.

import type { ParamSchema, ParamValues } from './params.js';
import type { Pool } from './pool.js';
import type { Progress } from './progress.js';
import type { Logger } from './log.js';
import type { Manifest } from './manifest.js';
import type { DatasetKind, DatasetSource } from '../datasets/source.js';
import type { LanguageModelKind, TokenizerKind } from '../lib/lm/language-model.js';
import type { Command } from './cli/command.js';
import type { ServeEndpoint } from './serve-endpoint.js';

/** What a finished upstream stage offers to its consumers. */
export interface StageOutput {
  /** The stage's folder, e.g. `out/brown/tokenize`. Read-only for consumers. */
  readonly dir: string;
  readonly manifest: Manifest;
}

export interface StageContext<P extends ParamSchema> {
  /** Resolved, validated params (defaults applied). */
  readonly params: ParamValues<P>;
  /** The run directory, `out/<run>`. */
  readonly runDir: string;
  /** Write every output here; the runner renames it into place when `run` returns. */
  readonly outDir: string;
  /**
   * A folder that survives a killed run and is handed back to the next run
   * with the same fingerprint: training stages keep their checkpoints here.
   * Removed once the stage completes.
   */
  readonly checkpointDir: string;
  /** Outputs of the stages named in `inputs`. */
  input(name: string): StageOutput;
  /** The run's corpus; only for stages declared with `source: true`. */
  readonly dataset: DatasetSource | undefined;
  /** The run's worker pool (piscina), shared by all stages. */
  readonly pool: Pool;
  readonly progress: Progress;
  readonly log: Logger;
  /** Record a warning: printed once, and kept in the manifest. */
  warn(message: string): void;
}

/** What `run` reports back; the runner adds file sizes and checksums itself. */
export interface StageResult {
  /** Row counts by output file (relative to the stage folder). */
  rows?: Record<string, number>;
  /** Anything worth keeping in the manifest: token counts, OOV rates, final loss. */
  metrics?: Record<string, unknown>;
  /**
   * Why a rerun with the same fingerprint would not give the same bytes
   * (Hogwild threads, a wall-clock budget); absent when it would. Kept in the
   * manifest as `reproducible: false` and shown by `status`.
   */
  notReproducible?: string;
}

export interface StageDef<P extends ParamSchema = ParamSchema> {
  /** Folder name under the run directory and CLI name, e.g. `tokenize`. */
  readonly name: string;
  /** One line for `--help` and `status`. */
  readonly describe: string;
  /** Bump when the output format or semantics change: it changes the fingerprint. */
  readonly version: number;
  /** Names of upstream stages whose outputs this stage reads. */
  readonly inputs: readonly string[];
  /** True for a stage that reads the run's dataset (the fingerprint then covers its content). */
  readonly source?: boolean;
  /**
   * The dataset kinds this stage is made for (default: `text` only). A plain
   * `lexflow run` leaves out the stages not made for the run's dataset, and those
   * whose inputs were left out; naming such a stage (`--only`, `stage`) is refused.
   */
  readonly datasetKinds?: readonly DatasetKind[];
  readonly params: P;
  /**
   * What the stage reads besides its inputs and dataset (evaluation sets found
   * through a flag or $LEXFLOW_DATA, a vectors file named by a param), as
   * name -> content hash: part of the fingerprint, so new or changed data
   * reruns the stage. `runDir` resolves a file named as another stage's output.
   */
  reads?(params: ParamValues<P>, where: { runDir: string }): Record<string, string> | Promise<Record<string, string>>;
  /**
   * The stage's pool tasks: name -> file URL of a module whose default export
   * runs one task in a worker (`new URL('./count.task.js', import.meta.url).href`).
   * Stage code passes these URLs to `ctx.pool.run`.
   */
  readonly tasks?: Readonly<Record<string, string>>;
  /** Top-level CLI commands the stage brings (`lexflow neighbors`, ...). */
  readonly commands?: readonly Command[];
  /** Subcommands of `lexflow eval` the stage brings (`eval similarity`, ...). */
  readonly evalCommands?: readonly Command[];
  /** The stage writes language models: how `sample` and `eval ppl` find and load them. */
  readonly languageModel?: LanguageModelKind;
  /** The stage writes a tokenizer file into its token folder: how `sample` encodes prompts for models trained on it. */
  readonly tokenizer?: TokenizerKind;
  /** Boxes of `lexflow serve` that call the stage's model (translate, chat): shown when the run has the stage's output. */
  readonly serve?: readonly ServeEndpoint[];
  run(ctx: StageContext<P>): Promise<StageResult>;
}

/** The reason a Hogwild stage gives for `notReproducible`. */
export function hogwild(threads: number): string {
  return `Hogwild training: ${threads} threads update shared weights without locks, so the result depends on their timing; --threads 1 gives the same bytes on every run`;
}

/** Identity function that keeps the params type attached to `run`. */
export function defineStage<P extends ParamSchema>(def: StageDef<P>): StageDef<P> {
  return def;
}
