// `lexflow eval ppl --model DIR --split test [--name katz] [--per-sentence]`:
// perplexity as KenLM's query prints it (with and without OOVs, OOV and token
// counts), for any language model of the run (lib/lm's interface) or an ARPA file.

import type { CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import { languageModelKinds, tokenizerKinds } from '../registry.js';
import { SPLITS, type Split } from '../../datasets/source.js';
import { loadLanguageModel } from '../../lib/lm/find-model.js';
import type { PerplexityReport } from '../../lib/lm/language-model.js';

export interface EvalPplArgs {
  model: string;
  name?: string;
  split: string;
  tokens?: string;
  'per-sentence'?: boolean;
}

export async function evalPerplexity(args: EvalPplArgs, write: (s: string) => void = (s) => process.stdout.write(s)): Promise<PerplexityReport> {
  if (!SPLITS.includes(args.split as Split)) throw new UsageError(`--split ${args.split}: choose one of ${SPLITS.join(', ')}`);
  const lm = await loadLanguageModel(languageModelKinds(), args.model, { name: args.name, tokens: args.tokens, tokenizers: tokenizerKinds() });
  const r = await lm.perplexity(args.split as Split, {
    tokens: args.tokens,
    perSentence: args['per-sentence'] ? (doc, lp, n) => write(`doc ${doc}\tlog10 p ${lp.toFixed(4)}\ttokens ${n}\n`) : undefined,
  });
  write(
    `model ${lm.name} (${args.model}), split ${args.split}, ${r.sentences} sentences\n` +
      `Perplexity including OOVs:\t${r.ppl}\n` +
      `Perplexity excluding OOVs:\t${r.pplExclOov}\n` +
      `OOVs:\t${r.oovs}\n` +
      `Tokens:\t${r.tokens}\n` +
      r.notes.map((n) => `${n}\n`).join(''),
  );
  return r;
}

const command: CommandModule<object, EvalPplArgs> = {
  command: 'ppl',
  describe: 'perplexity of a language model on a split (KenLM query conventions)',
  builder: (y) =>
    y
      .option('model', { type: 'string', demandOption: true, describe: 'lm-ngram or lm-neural stage folder, one of its model folders, or an ARPA file' })
      .option('name', { type: 'string', describe: 'which model of the stage folder (default kneser-ney)' })
      .option('split', { type: 'string', default: 'test', describe: 'train, valid or test' })
      .option('tokens', { type: 'string', describe: "tokenize folder to score (default: the model run's tokenize)" })
      .option('per-sentence', { type: 'boolean', default: false, describe: 'print every sentence log10 probability' }) as never,
  handler: async (argv) => {
    await evalPerplexity(argv);
  },
};

export default command;
