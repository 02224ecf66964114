// `lexflow status`: each stage done / stale / missing, with its fingerprint, wall time, peak memory and rows.

import type { CommandModule } from 'yargs';
import { runStatus } from '../status.js';
import { formatTable } from './table.js';
import { defaultOut } from './options.js';

interface StatusArgs {
  out?: string;
  deep?: boolean;
  format?: 'table' | 'json';
}

const command: CommandModule<object, StatusArgs> = {
  command: 'status',
  describe: 'show each stage of a run directory: done, stale or missing',
  builder: (y) =>
    y
      .option('out', { type: 'string', describe: 'run directory (default: out/brown)' })
      .option('deep', { type: 'boolean', describe: 'verify output checksums, not just sizes' })
      .option('format', { choices: ['table', 'json'] as const, default: 'table' as const }) as never,
  handler: async (argv) => {
    const states = await runStatus(argv.out ?? defaultOut(undefined), { deep: argv.deep ?? false });
    if (argv.format === 'json') {
      const rows = states.map((s) => ({
        stage: s.stage,
        state: s.state,
        reason: s.reason,
        fingerprint: s.manifest?.fingerprint ?? null,
        wallSeconds: s.manifest?.wallSeconds ?? null,
        peakRssMB: s.manifest?.peakRssMB ?? null,
        rows: s.manifest ? Object.values(s.manifest.rows).reduce((a, b) => a + b, 0) : null,
        reproducible: s.manifest ? s.manifest.reproducible !== false : null,
        ...(s.manifest?.reproducibleReason ? { reproducibleReason: s.manifest.reproducibleReason } : {}),
      }));
      process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
      return;
    }
    const rows = states.map((s) => [
      s.stage,
      s.state + (s.reason && s.state !== 'missing' ? ` (${s.reason})` : ''),
      s.manifest?.fingerprint.slice(0, 12) ?? '-',
      s.manifest ? s.manifest.wallSeconds.toFixed(1) : '-',
      s.manifest ? String(s.manifest.peakRssMB) : '-',
      s.manifest ? String(Object.values(s.manifest.rows).reduce((a, b) => a + b, 0)) : '-',
      !s.manifest ? '-' : s.manifest.reproducible === false ? 'no *' : s.manifest.reproducible ? 'yes' : '?',
    ]);
    process.stdout.write(formatTable(['stage', 'state', 'fingerprint', 'wall s', 'peak MB', 'rows', 'reproducible'], rows, ['l', 'l', 'l', 'r', 'r', 'r', 'l']) + '\n');
    const notes = states.filter((s) => s.manifest?.reproducible === false);
    // Said, so that a matching fingerprint is not read as "the same bytes again".
    for (const s of notes) process.stdout.write(`* ${s.stage}: ${s.manifest!.reproducibleReason ?? 'not reproducible'}\n`);
  },
};

export default command;
