// Progress of long steps. On a TTY one live line per step (bar, rate, ETA),
// redrawn at most 10 times a second; in a pipe or CI a plain line every few
// seconds; nothing with --quiet. Stages name their steps as the user should
// read them ("counting words", "writing shards"), KenLM-style.

export interface Step {
  /** Add `n` units of work done. */
  tick(n?: number): void;
  /** Set the units done so far (for steps that know an absolute position). */
  set(done: number): void;
  /** Finish the step and print its summary line. */
  done(summary?: string): void;
  /** The step ends by this many seconds from now at the latest (a time budget): the ETA never says more. */
  deadline?(seconds: number): void;
}

export interface Progress {
  /** Start a step; `total` is optional (no ETA without it); `unit` names what is counted. */
  step(name: string, total?: number, unit?: string): Step;
  /** Write a whole line (a log line, a warning) without breaking a live bar: on a TTY the bar is cleared, the line written, and the bar drawn again below it. */
  print(line: string): void;
}

export interface ProgressOptions {
  mode: 'tty' | 'plain' | 'quiet';
  /** Seconds between plain lines. */
  plainEvery?: number;
  write?: (s: string) => void;
  now?: () => number;
}

export function fmtNum(n: number): string {
  if (n >= 1e9) return (n / 1e9).toFixed(2) + 'G';
  if (n >= 1e6) return (n / 1e6).toFixed(2) + 'M';
  if (n >= 1e4) return (n / 1e3).toFixed(1) + 'k';
  return String(Math.round(n));
}

/** A count of `unit`; bytes ('B') as 9.96 MB, not "9.96M B". */
export function fmtCount(n: number, unit: string): string {
  if (unit !== 'B') return `${fmtNum(n)} ${unit}`;
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(2)} MB`;
  if (n >= 2 ** 10) return `${(n / 2 ** 10).toFixed(1)} kB`;
  return `${Math.round(n)} B`;
}

/** A rate; below one unit a second it reads as seconds per unit ("12s per product", not "0 products/s"). */
export function fmtRate(perSecond: number, unit: string): string {
  if (!(perSecond > 0)) return `- ${unit}/s`;
  if (perSecond < 1) return `${fmtDuration(1 / perSecond)} per ${unit.replace(/e?s$/, '')}`;
  if (perSecond < 10 && unit !== 'B') return `${Number(perSecond.toFixed(1))} ${unit}/s`;
  return `${fmtCount(perSecond, unit)}/s`;
}

export function fmtDuration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function createProgress(opts: ProgressOptions): Progress {
  const write = opts.write ?? ((s: string) => process.stderr.write(s));
  const now = opts.now ?? (() => performance.now() / 1000);
  const plainEvery = opts.plainEvery ?? 5;
  // The bar now on a TTY's last line, if a step is open: a printed line goes above it.
  let live: string | undefined;
  const draw = (text: string): void => {
    live = text;
    write(`\r\x1b[2K${text}`);
  };
  return {
    print(line) {
      if (opts.mode !== 'tty' || live === undefined) return write(line + '\n');
      write(`\r\x1b[2K${line}\n\r\x1b[2K${live}`);
    },
    step(name, total, unit = 'items') {
      const t0 = now();
      let done = 0;
      let first: number | undefined; // the units done at the first tick: a resumed step's rate counts only what it did
      let lastDraw = -Infinity;
      let finished = false;
      let endBy = Infinity;
      const line = (): string => {
        const el = now() - t0;
        const rate = el > 0 ? (done - (first ?? 0)) / el : 0;
        const rateS = fmtRate(rate, unit);
        if (total && total > 0) {
          const frac = Math.min(1, done / total);
          const eta = Math.min(rate > 0 ? (total - done) / rate : Infinity, Math.max(0, endBy - now()));
          const width = 24;
          const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
          const counts = unit === 'B' ? `${fmtCount(done, unit)}/${fmtCount(total, unit)}` : `${fmtNum(done)}/${fmtNum(total)} ${unit}`;
          return `${name} [${bar}] ${(frac * 100).toFixed(1)}% ${counts}, ${rateS}, ETA ${fmtDuration(eta)}`;
        }
        // Nothing counted yet (a step that only starts, or that cannot count): its name and time, not "0 items, - items/s".
        if (first === undefined) return `${name} ... ${fmtDuration(el)}`;
        return `${name}: ${fmtCount(done, unit)}, ${rateS}, ${fmtDuration(el)}`;
      };
      const maybeDraw = (): void => {
        if (opts.mode === 'quiet' || finished) return;
        const t = now();
        if (opts.mode === 'tty') {
          if (t - lastDraw < 0.1) return;
          lastDraw = t;
          draw(line());
        } else {
          if (lastDraw === -Infinity) lastDraw = t0;
          if (t - lastDraw < plainEvery) return;
          lastDraw = t;
          write(line() + '\n');
        }
      };
      // On a TTY the step shows at once, so a step whose work cannot tick (one synchronous call) still says what is running.
      if (opts.mode === 'tty') {
        lastDraw = t0;
        draw(line());
      }
      return {
        tick(n = 1) {
          first ??= 0;
          done += n;
          maybeDraw();
        },
        set(d) {
          // A position set right at the start is where a resumed step begins, not work done now.
          first ??= now() - t0 < 0.05 ? d : 0;
          done = d;
          maybeDraw();
        },
        deadline(seconds) {
          endBy = now() + seconds;
        },
        done(summary) {
          if (finished) return;
          finished = true;
          if (opts.mode === 'quiet') return;
          const el = now() - t0;
          // A step that counted nothing says only how long it took ("writing vectors (5.9s)", not "0 items in 5.9s").
          const text = summary ? `${name}: ${summary} (${fmtDuration(el)})` : done > 0 ? `${name}: ${fmtCount(done, unit)} in ${fmtDuration(el)}` : `${name} (${fmtDuration(el)})`;
          live = undefined;
          write(opts.mode === 'tty' ? `\r\x1b[2K${text}\n` : text + '\n');
        },
      };
    },
  };
}

/** A progress reporter that prints nothing (tests, library use). */
export const silentProgress: Progress = createProgress({ mode: 'quiet' });
