// `lexflow stage NAME`: run one stage; its inputs must already exist.

import type { CommandModule } from 'yargs';
import { allStages, getStage } from '../registry.js';
import type { ParamSpec } from '../params.js';
import { runPipeline } from '../runner.js';
import { printRunReport } from './run.js';
import { UsageError } from '../errors.js';
import { resolveParams, type ParamSchema } from '../params.js';
import { baseRunOptions, configStageParams, mergeParams, readConfig, RUN_DIR_KEYS, withRunDirOptions, type RunDirArgs } from './options.js';

interface StageArgs extends RunDirArgs {
  name: string;
  force?: boolean;
  [key: string]: unknown;
}

const GLOBAL_KEYS = new Set(['_', '$0', 'name', 'force', ...RUN_DIR_KEYS]);

function describeParam(name: string, p: ParamSpec): string {
  const max = 'max' in p ? p.max : undefined;
  const range = 'choices' in p ? ` (${p.choices.join('|')})` : 'min' in p && (p.min !== undefined || max !== undefined) ? ` [${p.min ?? ''}..${max ?? ''}]` : '';
  return `    --${name} <${p.type}>${range}  ${p.describe} (default: ${JSON.stringify(p.default)})`;
}

/** Every stage and its params, for --help (the stage is not known when yargs builds the help). */
export function stagesHelp(only?: string): string {
  return allStages()
    .filter((s) => !only || s.name === only)
    .map((s) => [`  ${s.name}: ${s.describe}${s.inputs.length ? ` (reads ${s.inputs.join(', ')})` : ''}`, ...Object.entries(s.params).map(([k, p]) => describeParam(k, p))].join('\n'))
    .join('\n');
}

const command: CommandModule<object, StageArgs> = {
  command: 'stage <name>',
  describe: 'run one stage (its parameters are plain flags, e.g. `lexflow stage tokenize --min-count 5`)',
  builder: (y) =>
    withRunDirOptions(y)
      .strict(false)
      .positional('name', { type: 'string', describe: 'stage name', demandOption: true })
      .option('force', { type: 'boolean', describe: 'rerun even when up to date' })
      .epilog(`Stages and their parameters:\n${stagesHelp(process.argv.slice(2).find((a, i, arr) => arr[i - 1] === 'stage' && !a.startsWith('-')))}`) as never,
  handler: async (argv) => {
    const def = getStage(argv.name);
    const cfg = readConfig(argv.config);
    const flags: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(argv)) if (!GLOBAL_KEYS.has(k)) flags[k] = v;
    const extra = argv._.slice(1);
    if (extra.length) throw new UsageError(`stage ${def.name}: unexpected argument "${extra[0]}"; lexflow stage runs one stage (use lexflow run --only for several)`);
    // Unknown flags are named here, with the run-directory options among the suggestions (`--thread`).
    resolveParams(def.params as ParamSchema, flags, `stage ${def.name}`, [...GLOBAL_KEYS].filter((k) => k.length > 1 && k !== '$0'));
    const report = await runPipeline({
      ...baseRunOptions(argv, cfg),
      params: mergeParams(configStageParams(cfg), { [def.name]: flags }),
      only: [def.name],
      runMissingInputs: false,
      force: argv.force === true,
    });
    if (!argv.quiet) printRunReport(report);
  },
};

export default command;
