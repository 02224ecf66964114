#!/usr/bin/env node
// lexflow's command line. Exit codes: 0 ok, 1 failure, 2 bad usage or bad input.

import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { isUsageError } from '../errors.js';
import { COMMANDS } from './commands.js';

export async function main(argv: string[]): Promise<number> {
  let usageFailure: string | undefined;
  const cli = yargs(argv)
    .scriptName('lexflow')
    .parserConfiguration({ 'camel-case-expansion': false, 'dot-notation': true })
    .usage('$0 <command> [options]\n\nTurns raw text corpora into language statistics and models, as a resumable pipeline of stages.')
    .option('quiet', { type: 'boolean', describe: 'print only warnings and errors', global: true })
    .option('verbose', { type: 'boolean', describe: 'print debugging detail', global: true })
    .demandCommand(1, 'name a command; see lexflow --help')
    .recommendCommands()
    .strictCommands()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((msg, err) => {
      if (err) throw err;
      usageFailure = msg;
    });
  for (const c of COMMANDS) cli.command(c);
  try {
    await cli.parseAsync();
  } catch (e) {
    if (isUsageError(e)) {
      process.stderr.write(`lexflow: ${(e as Error).message}\n`);
      return 2;
    }
    process.stderr.write(`lexflow: failed: ${(e as Error)?.stack ?? String(e)}\n`);
    return 1;
  }
  if (usageFailure !== undefined) {
    process.stderr.write(`lexflow: ${usageFailure}\n`);
    return 2;
  }
  return 0;
}

const code = await main(hideBin(process.argv));
process.exitCode = code;
