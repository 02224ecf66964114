// `lexflow eval <what>`: perplexity of any language model (eval-ppl.ts), and the
// evaluations the registered stages declare (`evalCommands`).

import type { CommandModule } from 'yargs';
import { allStages } from '../registry.js';
import evalPpl from './eval-ppl.js';

const command: CommandModule = {
  command: 'eval',
  describe: 'evaluate models: perplexity, word similarity, analogies, BLEU',
  builder: (y) => {
    for (const c of [evalPpl, ...allStages().flatMap((s) => s.evalCommands ?? [])]) y.command(c);
    return y.demandCommand(1, 'name what to evaluate; see lexflow eval --help');
  },
  handler: () => {},
};

export default command;
