// `lexflow status`: each stage done / stale / missing, with its fingerprint, wall time, peak memory and rows.

import type { CommandModule } from 'yargs';
import { runStatus } from '../status.js';
import { formatTable } from './table.js';
import { defaultOut } from './options.js';
import { readRunJson } from '../rundir.js';
import path from 'node:path';

interface StatusArgs {
  out?: string;
  deep?: boolean;
  format?: 'table' | 'json';
}

/** A distributed run (run.json names its queue): coordinator, workers seen and jobs per state. */
async function printRemoteStatus(out: string): Promise<void> {
  const ex = readRunJson(path.resolve(out))?.executor as { redis?: string; queue?: string } | undefined;
  if (!ex?.redis || !ex.queue) return;
  const { remoteStatus } = await import('../remote/status.js');
  const s = await remoteStatus(ex.redis, ex.queue);
  const lines = [`\ndistributed run: queue ${s.queue} on ${s.redis}`];
  if (s.error) {
    lines.push(`  cannot read it: ${s.error}`);
  } else {
    lines.push(`  coordinator: ${s.coordinator ? `host ${s.coordinator.host}, pid ${s.coordinator.pid}, since ${s.coordinator.started}` : 'none (the run is not being driven now)'}`);
    lines.push(`  jobs: ${Object.entries(s.jobs).map(([k, n]) => `${k} ${n}`).join(', ')}`);
    lines.push(`  workers seen: ${s.workers.length}`);
    if (s.workers.length) {
      const rows = s.workers.map((w) => [w.name, String(w.threads), String(w.jobs), w.lastSeen, w.connected ? 'yes' : 'no']);
      lines.push(formatTable(['worker', 'threads', 'jobs taken', 'last job', 'connected'], rows, ['l', 'r', 'r', 'l', 'l']).replace(/^/gm, '  '));
    }
  }
  process.stdout.write(lines.join('\n') + '\n');
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
    await printRemoteStatus(argv.out ?? defaultOut(undefined));
  },
};

export default command;
