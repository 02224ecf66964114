// `lexflow eval <what>`: evaluations contributed by stages (eval-commands.ts).

import type { CommandModule } from 'yargs';
import { EVAL_COMMANDS } from './eval-commands.js';

const command: CommandModule = {
  command: 'eval',
  describe: 'evaluate models: perplexity, word similarity, analogies, BLEU',
  builder: (y) => {
    for (const c of EVAL_COMMANDS) y.command(c);
    return y.demandCommand(1, 'name what to evaluate; see lexflow eval --help');
  },
  handler: () => {},
};

export default command;
