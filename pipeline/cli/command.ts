// A CLI command: a yargs CommandModule. The engine's own commands are listed in
// commands.ts; a stage brings its own in its definition (`commands`, `evalCommands`).

import type { CommandModule } from 'yargs';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Command = CommandModule<any, any>;
