// Logging to stderr, so stdout stays clean for `inspect --format csv|json`.

export type Level = 'quiet' | 'normal' | 'verbose';

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  debug(msg: string): void;
  readonly level: Level;
}

export function createLogger(level: Level, write: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  return {
    level,
    info: (m) => level !== 'quiet' && write(m),
    warn: (m) => write(`warning: ${m}`),
    debug: (m) => level === 'verbose' && write(m),
  };
}
