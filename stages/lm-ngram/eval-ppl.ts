// `lexflow eval ppl --model out/x/lm-ngram --split test [--name katz] [--per-sentence]`:
// perplexity as KenLM's query prints it (with and without OOVs, OOV and token
// counts), for a model of the lm-ngram stage or any ARPA file.

import path from 'node:path';
import type { CommandModule } from 'yargs';
import { UsageError } from '../../pipeline/errors.js';
import { listTokenShards } from '../../pipeline/tokens.js';
import { SPLITS, type Split } from '../../datasets/source.js';
import { loadModel } from './load-model.js';
import { isNeuralModelDir } from '../lm-neural/model-dir.js';
import { perplexity, type PerplexityResult } from './perplexity.js';

export interface EvalPplArgs {
  model: string;
  name?: string;
  split: string;
  tokens?: string;
  'per-sentence'?: boolean;
}

export async function evalPerplexity(args: EvalPplArgs, write: (s: string) => void = (s) => process.stdout.write(s)): Promise<PerplexityResult> {
  if (!SPLITS.includes(args.split as Split)) throw new UsageError(`--split ${args.split}: choose one of ${SPLITS.join(', ')}`);
  if (isNeuralModelDir(args.model)) return (await import('../lm-neural/cli-hooks.js')).evalNeuralPerplexity(args, write);
  const loaded = await loadModel(args.model, { name: args.name, tokens: args.tokens });
  if (!loaded.tokensDir) throw new UsageError(`--model ${args.model} is an ARPA file: pass --tokens with the tokenize folder whose ${args.split} split to score`);
  const shards = listTokenShards(loaded.tokensDir, args.split as Split);
  if (shards.length === 0) throw new UsageError(`${path.join(loaded.tokensDir, 'tokens')} has no ${args.split} split`);
  const r = perplexity(
    loaded.model,
    shards,
    args['per-sentence'] ? (doc, lp, n) => write(`doc ${doc}\tlog10 p ${lp.toFixed(4)}\ttokens ${n}\n`) : undefined,
  );
  if (r.sentences === 0) throw new UsageError(`the ${args.split} split of ${loaded.tokensDir} has no sentences`);
  write(
    `model ${loaded.name} (${args.model}), split ${args.split}, ${r.sentences} sentences\n` +
      `Perplexity including OOVs:\t${r.ppl}\n` +
      `Perplexity excluding OOVs:\t${r.pplExclOov}\n` +
      `OOVs:\t${r.oovs}\n` +
      `Tokens:\t${r.tokens}\n` +
      (loaded.model.normalized ? '' : 'note: this model gives scores, not probabilities (stupid backoff): its "perplexity" is not comparable\n'),
  );
  return r;
}

const command: CommandModule<object, EvalPplArgs> = {
  command: 'ppl',
  describe: 'perplexity of an n-gram model on a split (KenLM query conventions)',
  builder: (y) =>
    y
      .option('model', { type: 'string', demandOption: true, describe: 'lm-ngram stage folder, one of its model folders, or an ARPA file' })
      .option('name', { type: 'string', describe: 'which model of the stage folder (default kneser-ney)' })
      .option('split', { type: 'string', default: 'test', describe: 'train, valid or test' })
      .option('tokens', { type: 'string', describe: "tokenize folder to score (default: the model run's tokenize)" })
      .option('per-sentence', { type: 'boolean', default: false, describe: 'print every sentence log10 probability' }) as never,
  handler: async (argv) => {
    await evalPerplexity(argv);
  },
};

export default command;
