// `lexflow inspect FILE`: schema, row count, head/tail and column statistics of
// any Arrow file; `--format csv|json` prints rows for piping (all rows when
// neither --head nor --tail is given).

import type { CommandModule } from 'yargs';
import { batchRowCounts, cellText, columnStats, openArrow, readRows, type Cell } from '../inspect.js';
import { formatTable } from './table.js';

interface InspectArgs {
  file: string;
  head?: number;
  tail?: number;
  schema?: boolean;
  stats?: boolean;
  format: 'table' | 'csv' | 'json';
}

function csvField(c: Cell): string {
  const s = cellText(c);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const command: CommandModule<object, InspectArgs> = {
  command: 'inspect <file>',
  describe: 'show an Arrow file: schema, rows, head/tail, column statistics',
  builder: (y) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'an .arrow file' })
      .option('head', { type: 'number', describe: 'first N rows (default 10 in table format)' })
      .option('tail', { type: 'number', describe: 'last N rows' })
      .option('schema', { type: 'boolean', describe: 'print the schema' })
      .option('stats', { type: 'boolean', describe: 'per-column min/max/mean, nulls, distinct (reads the whole file, batch by batch)' })
      .option('format', { choices: ['table', 'csv', 'json'] as const, default: 'table' as const, describe: 'output format' }) as never,
  handler: async (argv) => {
    const file = await openArrow(argv.file);
    const out = (s: string): boolean => process.stdout.write(s);
    try {
      const counts = await batchRowCounts(file);
      const total = counts.reduce((a, b) => a + b, 0);
      const names = file.schema.fields.map((f) => f.name);
      const wantRows = argv.head !== undefined || argv.tail !== undefined;
      const stats = argv.stats ? await columnStats(file) : undefined;

      if (argv.format === 'json') {
        if (!wantRows && !argv.schema && !argv.stats) {
          // JSON Lines, every row, streamed batch by batch.
          for (let b = 0; b < file.numBatches; b++) {
            const rows = await readRows(file, counts.slice(0, b).reduce((x, y) => x + y, 0), counts[b]!, counts);
            for (const r of rows) out(JSON.stringify(r) + '\n');
          }
          return;
        }
        const obj: Record<string, unknown> = { file: argv.file, rows: total, batches: file.numBatches };
        if (argv.schema) obj.schema = file.schema.fields.map((f) => ({ name: f.name, type: String(f.type), nullable: f.nullable }));
        if (argv.head !== undefined) obj.head = await readRows(file, 0, argv.head, counts);
        if (argv.tail !== undefined) obj.tail = await readRows(file, Math.max(0, total - argv.tail), argv.tail, counts);
        if (stats) obj.stats = stats;
        out(JSON.stringify(obj, null, 2) + '\n');
        return;
      }

      if (argv.format === 'csv') {
        out(names.join(',') + '\n');
        const emit = (rows: Record<string, Cell>[]): void => {
          for (const r of rows) out(names.map((n) => csvField(r[n]!)).join(',') + '\n');
        };
        if (!wantRows) {
          let start = 0;
          for (let b = 0; b < file.numBatches; b++) {
            emit(await readRows(file, start, counts[b]!, counts));
            start += counts[b]!;
          }
        } else {
          if (argv.head !== undefined) emit(await readRows(file, 0, argv.head, counts));
          if (argv.tail !== undefined) emit(await readRows(file, Math.max(0, total - argv.tail), argv.tail, counts));
        }
        return;
      }

      out(`${argv.file}: ${total} rows in ${file.numBatches} record batches, ${names.length} columns\n`);
      if (argv.schema || (!wantRows && !argv.stats)) {
        out('\nschema\n' + formatTable(['column', 'type', 'nullable'], file.schema.fields.map((f) => [f.name, String(f.type), String(f.nullable)])) + '\n');
      }
      const showRows = (title: string, rows: Record<string, Cell>[]): void => {
        out(`\n${title}\n` + formatTable(names, rows.map((r) => names.map((n) => cellText(r[n]!)))) + '\n');
      };
      const head = argv.head ?? (!argv.tail && !argv.stats && !argv.schema ? 10 : undefined);
      if (head !== undefined) showRows(`head ${head}`, await readRows(file, 0, head, counts));
      if (argv.tail !== undefined) showRows(`tail ${argv.tail}`, await readRows(file, Math.max(0, total - argv.tail), argv.tail, counts));
      if (stats) {
        const rows = stats.map((s) => [
          s.name,
          s.type,
          String(s.nulls) + (s.nans ? ` +${s.nans} NaN` : ''),
          s.min === null ? '-' : cellText(s.min),
          s.max === null ? '-' : cellText(s.max),
          s.mean === null ? '-' : cellText(s.mean),
          s.distinct === null ? '>1000' : String(s.distinct),
          s.lengths ? `${s.lengths.min}..${s.lengths.max} (mean ${cellText(s.lengths.mean)})` : '',
        ]);
        out('\nstats\n' + formatTable(['column', 'type', 'nulls', 'min', 'max', 'mean', 'distinct', 'list length'], rows) + '\n');
      }
    } finally {
      await file.close();
    }
  },
};

export default command;
