// `lexflow run`: every registered stage in DAG order, skipping what is up to date.

import type { CommandModule } from 'yargs';
import { runPipeline, type RunReport } from '../runner.js';
import { allStages } from '../registry.js';
import { formatTable } from './table.js';
import { collectPerplexities } from '../metrics-table.js';
import { baseRunOptions, checkFlags, configStageParams, mergeParams, readConfig, RUN_DIR_KEYS, withRunDirOptions, type RunDirArgs } from './options.js';

interface RunArgs extends RunDirArgs {
  from?: string;
  to?: string;
  only?: string[];
  force?: boolean;
  [key: string]: unknown;
}

/** Stage params given as `--NAME.param value` (yargs dot-notation gives objects keyed by stage). */
function flagStageParams(argv: Record<string, unknown>): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const s of allStages()) {
    const v = argv[s.name];
    if (v && typeof v === 'object' && !Array.isArray(v)) out[s.name] = v as Record<string, unknown>;
  }
  return out;
}

/** One table comparing the test perplexity of every language model the run holds. */
export async function printPerplexities(report: RunReport): Promise<void> {
  const ppl = await collectPerplexities(
    report.runDir,
    report.stages.filter((s) => s.status !== 'failed').map((s) => s.stage),
  );
  if (ppl.length === 0) return;
  const rows = ppl.map((r) => [r.model, r.stage, r.value.toFixed(2)]);
  process.stdout.write(`\ntest perplexity (lower is better)\n${formatTable(['model', 'stage', 'ppl'], rows, ['l', 'l', 'r'])}\n`);
}

export function printRunReport(report: RunReport): void {
  const rows = report.stages.map((s) => [
    s.stage,
    s.status === 'ran' ? `ran (${s.reason})` : s.status === 'skipped' ? 'up to date' : 'FAILED',
    s.wallSeconds.toFixed(1),
    String(s.peakRssMB),
    String(s.rows),
    s.fingerprint.slice(0, 12),
  ]);
  process.stdout.write(`\n${formatTable(['stage', 'status', 'wall s', 'peak MB', 'rows', 'fingerprint'], rows, ['l', 'l', 'r', 'r', 'r', 'l'])}\n`);
  process.stdout.write(`outputs in ${report.runDir}\n`);
}

const command: CommandModule<object, RunArgs> = {
  command: 'run',
  describe: 'run the whole pipeline (or a part: --from, --to, --only); skips stages that are up to date',
  builder: (y) =>
    withRunDirOptions(y)
      .strict(false)
      .option('from', { type: 'string', describe: 'start at this stage (and run everything downstream)' })
      .option('to', { type: 'string', describe: 'stop after this stage (running what it needs)' })
      .option('only', { type: 'string', array: true, describe: 'run only these stages (their inputs must exist)' })
      .option('force', { type: 'boolean', describe: 'rerun the selected stages even when up to date' })
      .epilog('Stage parameters: --NAME.param value (e.g. --tokenize.min-count 5), or in --config.') as never,
  handler: async (argv) => {
    // Strict by hand: yargs cannot declare `--NAME.param` for every stage.
    checkFlags(argv, [...RUN_DIR_KEYS, 'from', 'to', 'only', 'force'], { stageObjects: true });
    const cfg = readConfig(argv.config);
    const only = argv.only?.flatMap((s) => s.split(','));
    const report = await runPipeline({
      ...baseRunOptions(argv, cfg),
      params: mergeParams(configStageParams(cfg), flagStageParams(argv)),
      ...(only?.length ? { only, runMissingInputs: false } : {}),
      ...(argv.from ? { from: argv.from } : {}),
      ...(argv.to ? { to: argv.to } : {}),
      force: argv.force === true,
    });
    if (!argv.quiet) {
      printRunReport(report);
      await printPerplexities(report);
    }
  },
};

export default command;
