#!/usr/bin/env -S MALLOC_MMAP_THRESHOLD_=131072 GLIBC_TUNABLES=glibc.malloc.hugetlb=1 node
// glibc's settings are set here because glibc reads them only at process start
// (pipeline/cli/process-env.ts says what each does and why).
// lexflow's command line. Exit codes: 0 ok, 1 failure, 2 bad usage or bad input.

import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { isUsageError, UsageError } from '../errors.js';
import { COMMANDS } from './commands.js';

/** yargs' usage messages, said in the command's terms: what is missing and where help is. */
function usageMessage(msg: string, argv: string[]): string {
  const words = argv.filter((a) => !a.startsWith('-'));
  const cmd = COMMANDS.find((c) => String(c.command).split(' ')[0] === words[0]);
  const name = cmd ? String(cmd.command).split(' ')[0] : undefined;
  const help = name ? `lexflow ${name} --help` : 'lexflow --help';
  if (cmd && /^Not enough non-option arguments/.test(msg)) {
    const wanted = String(cmd.command).match(/<[^>]+>/g) ?? [];
    return `missing ${wanted.join(' ')}: lexflow ${String(cmd.command).replace(/\.\./g, '')}; see ${help}`;
  }
  const unknown = /^Unknown command: (.*)$/.exec(msg);
  if (cmd && unknown) return `unexpected argument "${unknown[1]}" for lexflow ${name}; see ${help}`;
  return /--help/.test(msg) ? msg : `${msg}; see ${help}`;
}

export async function main(argv: string[]): Promise<number> {
  const cli = yargs(argv)
    .scriptName('lexflow')
    .parserConfiguration({ 'camel-case-expansion': false, 'dot-notation': true })
    .usage('$0 <command> [options]\n\nTurns raw text corpora into language statistics and models, as a resumable pipeline of stages.')
    .option('quiet', { type: 'boolean', describe: 'print only warnings and errors', global: true })
    .option('verbose', { type: 'boolean', describe: 'print debugging detail', global: true })
    .demandCommand(1, 'name a command; see lexflow --help')
    .recommendCommands()
    .strictCommands()
    // Unknown options are errors (run and stage check their own: they take stage parameters).
    .strict()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((msg, err) => {
      if (err) throw err;
      // Throw, so that the command's handler does not run without its required arguments.
      throw new UsageError(usageMessage(msg, argv));
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
  return 0;
}

const code = await main(hideBin(process.argv));
process.exitCode = code;
