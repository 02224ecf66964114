// `lexflow sample --model DIR --strategy greedy|beam|temperature|top-k|top-p
//   --prompt "the cat" --max-tokens 20 --seed 1`: text from any language model
// of the run (lib/lm's interface; each LM stage declares its `languageModel`),
// decoded with lib/lm's strategies.

import type { CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import { languageModelKinds, tokenizerKinds } from '../registry.js';
import { loadLanguageModel } from '../../lib/lm/find-model.js';
import { greedy, type Generation } from '../../lib/lm/greedy.js';
import { beamSearch } from '../../lib/lm/beam.js';
import { sample } from '../../lib/lm/sampling.js';
import { seededRandom } from '../../lib/random/seeded.js';

export const STRATEGIES = ['greedy', 'beam', 'temperature', 'top-k', 'top-p'] as const;

export interface SampleArgs {
  model: string;
  name?: string;
  tokens?: string;
  strategy: string;
  prompt: string;
  'max-tokens': number;
  seed: number;
  temperature: number;
  k: number;
  p: number;
  beam: number;
  count: number;
  'with-attention'?: string;
}

export async function runSample(args: SampleArgs, write: (s: string) => void = (s) => process.stdout.write(s)): Promise<Generation[]> {
  if (!STRATEGIES.includes(args.strategy as never)) throw new UsageError(`--strategy ${args.strategy}: choose one of ${STRATEGIES.join(', ')}`);
  if (!(args['max-tokens'] >= 1)) throw new UsageError('--max-tokens must be at least 1');
  const lm = await loadLanguageModel(languageModelKinds(), args.model, { name: args.name, tokens: args.tokens, tokenizers: tokenizerKinds() });
  const { model } = lm;
  const prompt = lm.encodePrompt(args.prompt);
  const spell = (g: Generation): string => lm.spell([...prompt, ...g.ids]) + (g.finished ? ' </s>' : '');
  const max = args['max-tokens'];
  const out: Generation[] = [];
  if (args.strategy === 'greedy') out.push(await greedy(model, prompt, max));
  else if (args.strategy === 'beam') {
    if (!(args.beam >= 1)) throw new UsageError('--beam must be at least 1');
    out.push(...(await beamSearch(model, prompt, max, args.beam)));
  } else {
    const rnd = seededRandom(args.seed);
    const opts =
      args.strategy === 'temperature'
        ? { temperature: args.temperature }
        : args.strategy === 'top-k'
          ? { temperature: args.temperature, topK: args.k }
          : { temperature: args.temperature, topP: args.p };
    if (!(args.temperature > 0)) throw new UsageError('--temperature must be > 0');
    if (args.strategy === 'top-k' && !(args.k >= 1)) throw new UsageError('--k must be at least 1');
    if (args.strategy === 'top-p' && !(args.p > 0 && args.p <= 1)) throw new UsageError('--p must be in (0, 1]');
    for (let i = 0; i < args.count; i++) out.push(await sample(model, prompt, max, opts, rnd));
  }
  for (const g of out) write(`${g.logProb.toFixed(4)}\t${spell(g)}\n`);
  if (args['with-attention']) {
    if (!lm.writeAttention) throw new UsageError('--with-attention needs a transformer model of the lm-neural stage');
    const n = await lm.writeAttention(Int32Array.from([...prompt, ...out[0]!.ids]), args['with-attention']);
    write(`attention: ${n} rows (layer, head, query_pos, key_pos, weight) -> ${args['with-attention']}\n`);
  }
  return out;
}

const command: CommandModule<object, SampleArgs> = {
  command: 'sample',
  describe: 'generate text from a language model (greedy, beam, temperature, top-k, top-p); prints natural-log probability and text',
  builder: (y) =>
    y
      .option('model', { type: 'string', demandOption: true, describe: 'lm-ngram or lm-neural stage folder, one of its model folders, or an ARPA file' })
      .option('name', { type: 'string', describe: 'which model of the stage folder (default kneser-ney)' })
      .option('tokens', { type: 'string', describe: "tokenize folder for the vocabulary (default: the model run's tokenize)" })
      .option('strategy', { type: 'string', default: 'greedy', choices: STRATEGIES as unknown as string[], describe: 'decoding strategy' })
      .option('prompt', { type: 'string', default: '', describe: 'words to start from (after <s>)' })
      .option('max-tokens', { type: 'number', default: 20, describe: 'most tokens to generate' })
      .option('seed', { type: 'number', default: 1, describe: 'PRNG seed for the sampling strategies' })
      .option('temperature', { type: 'number', default: 1, describe: 'sampling temperature' })
      .option('k', { type: 'number', default: 10, describe: 'top-k: tokens kept' })
      .option('p', { type: 'number', default: 0.9, describe: 'top-p: probability mass kept' })
      .option('beam', { type: 'number', default: 5, describe: 'beam: width, and how many best sequences to print' })
      .option('count', { type: 'number', default: 1, describe: 'samples to draw (sampling strategies)' })
      .option('with-attention', { type: 'string', describe: 'lm-neural transformer: write the attention weights of the first generation to this Arrow file' }) as never,
  handler: async (argv) => {
    await runSample(argv);
  },
};

export default command;
