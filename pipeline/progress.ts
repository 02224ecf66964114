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
}

export interface Progress {
  /** Start a step; `total` is optional (no ETA without it); `unit` names what is counted. */
  step(name: string, total?: number, unit?: string): Step;
}

export interface ProgressOptions {
  mode: 'tty' | 'plain' | 'quiet';
  /** Seconds between plain lines. */
  plainEvery?: number;
  write?: (s: string) => void;
  now?: () => number;
}

function fmtNum(n: number): string {
  if (n >= 1e9) return (n / 1e9).toFixed(2) + 'G';
  if (n >= 1e6) return (n / 1e6).toFixed(2) + 'M';
  if (n >= 1e4) return (n / 1e3).toFixed(1) + 'k';
  return String(Math.round(n));
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
  return {
    step(name, total, unit = 'items') {
      const t0 = now();
      let done = 0;
      let lastDraw = -Infinity;
      let finished = false;
      const line = (): string => {
        const el = now() - t0;
        const rate = el > 0 ? done / el : 0;
        const rateS = `${fmtNum(rate)} ${unit}/s`;
        if (total && total > 0) {
          const frac = Math.min(1, done / total);
          const eta = rate > 0 ? (total - done) / rate : Infinity;
          const width = 24;
          const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
          return `${name} [${bar}] ${(frac * 100).toFixed(1)}% ${fmtNum(done)}/${fmtNum(total)} ${unit}, ${rateS}, ETA ${fmtDuration(eta)}`;
        }
        return `${name}: ${fmtNum(done)} ${unit}, ${rateS}, ${fmtDuration(el)}`;
      };
      const maybeDraw = (): void => {
        if (opts.mode === 'quiet' || finished) return;
        const t = now();
        if (opts.mode === 'tty') {
          if (t - lastDraw < 0.1) return;
          lastDraw = t;
          write(`\r\x1b[2K${line()}`);
        } else {
          if (lastDraw === -Infinity) lastDraw = t0;
          if (t - lastDraw < plainEvery) return;
          lastDraw = t;
          write(line() + '\n');
        }
      };
      return {
        tick(n = 1) {
          done += n;
          maybeDraw();
        },
        set(d) {
          done = d;
          maybeDraw();
        },
        done(summary) {
          if (finished) return;
          finished = true;
          if (opts.mode === 'quiet') return;
          const el = now() - t0;
          const text = summary ? `${name}: ${summary} (${fmtDuration(el)})` : `${name}: ${fmtNum(done)} ${unit} in ${fmtDuration(el)}`;
          write(opts.mode === 'tty' ? `\r\x1b[2K${text}\n` : text + '\n');
        },
      };
    },
  };
}

/** A progress reporter that prints nothing (tests, library use). */
export const silentProgress: Progress = createProgress({ mode: 'quiet' });
