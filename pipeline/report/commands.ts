// `lexflow report` and `lexflow serve`, and the report `lexflow run` writes at its end.

import type { CommandModule } from 'yargs';
import fs from 'node:fs';
import { UsageError } from '../errors.js';
import { defaultOut } from '../cli/options.js';
import type { ReportOptions } from './extract.js';

// The report's modules load only when a report is asked for: every other command starts as fast as before.
const DEFAULTS = { mapWords: 1500, tsneWords: 400, curvePoints: 2000 } as const;

interface ReportArgs {
  out?: string;
  compare?: string[];
  'map-words': number;
  'tsne-words': number;
  'curve-points': number;
  samples: boolean;
  quiet?: boolean;
}

function positiveInt(v: number, flag: string, max: number): number {
  if (!Number.isInteger(v) || v < 1 || v > max) throw new UsageError(`--${flag} ${v}: give a whole number from 1 to ${max}`);
  return v;
}

async function reportOptions(argv: ReportArgs): Promise<ReportOptions> {
  const { checkRunDir } = await import('./extract.js');
  return {
    compare: (argv.compare ?? []).flatMap((d) => d.split(',')).filter(Boolean).map((d) => checkRunDir(d, '--compare')),
    mapWords: positiveInt(argv['map-words'], 'map-words', 20000),
    tsneWords: positiveInt(argv['tsne-words'], 'tsne-words', 2000),
    curvePoints: positiveInt(argv['curve-points'], 'curve-points', 200000),
    samples: argv.samples,
  };
}

/** Build and write out/<run>/report/index.html; returns its path and size. */
export async function writeReport(runDir: string, opts: ReportOptions = {}): Promise<{ file: string; bytes: number; seconds: number }> {
  const t0 = performance.now();
  const [{ buildReportData }, { renderPage, writePage }] = await Promise.all([import('./extract.js'), import('./page.js')]);
  const data = await buildReportData(runDir, opts);
  const file = writePage(runDir, renderPage(data));
  return { file, bytes: fs.statSync(file).size, seconds: (performance.now() - t0) / 1000 };
}

const sharedOptions = {
  out: { type: 'string', describe: 'run directory (default: out/brown)' },
  compare: { type: 'string', array: true, describe: 'other run directories whose curves and perplexities are overlaid' },
  'map-words': { type: 'number', default: DEFAULTS.mapWords, describe: 'words on each embedding map (the most frequent)' },
  'tsne-words': { type: 'number', default: DEFAULTS.tsneWords, describe: 'words of each t-SNE map (exact t-SNE: cost grows with the square)' },
  'curve-points': { type: 'number', default: DEFAULTS.curvePoints, describe: 'points kept per training curve (longer histories are thinned)' },
  samples: { type: 'boolean', default: true, describe: 'draw a sample from each language model (--no-samples skips it)' },
} as const;

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report',
  describe: 'write out/<run>/report/index.html: one self-contained page (stages, perplexities, curves, embedding maps, attention, samples)',
  builder: (y) => y.options(sharedOptions) as never,
  handler: async (argv) => {
    const { checkRunDir } = await import('./extract.js');
    const runDir = checkRunDir(argv.out ?? defaultOut(undefined), '--out');
    const progress = argv.quiet ? undefined : (line: string): void => void process.stderr.write(`report: ${line}\n`);
    const r = await writeReport(runDir, { ...(await reportOptions(argv)), ...(progress ? { progress } : {}) });
    process.stdout.write(`report: ${r.file} (${(r.bytes / 2 ** 20).toFixed(2)} MB, ${r.seconds.toFixed(1)} s)\n`);
  },
};

interface ServeArgs extends ReportArgs {
  port: number;
  host: string;
}

export const serveCommand: CommandModule<object, ServeArgs> = {
  command: 'serve',
  describe: 'serve the report on localhost, live while a run goes on, with boxes that call the models',
  builder: (y) =>
    y
      .options(sharedOptions)
      .option('port', { type: 'number', default: 8080, describe: 'TCP port (0: any free port; the URL is printed)' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to listen on; anything but 127.0.0.1 lets other machines in' }) as never,
  handler: async (argv) => {
    if (!Number.isInteger(argv.port) || argv.port < 0 || argv.port > 65535) throw new UsageError(`--port ${argv.port}: give a port number from 0 to 65535`);
    const { checkRunDir } = await import('./extract.js');
    const runDir = checkRunDir(argv.out ?? defaultOut(undefined), '--out');
    const { startReportServer } = await import('./server.js');
    const srv = await startReportServer(runDir, { ...(await reportOptions(argv)), port: argv.port, host: argv.host });
    process.stdout.write(`serving ${srv.url} (run ${runDir}); Ctrl-C stops\n`);
    if (argv.host !== '127.0.0.1' && argv.host !== 'localhost' && argv.host !== '::1') process.stderr.write(`warning: listening on ${argv.host}: other machines can reach this page and its model calls\n`);
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        void srv.close().then(resolve);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  },
};
