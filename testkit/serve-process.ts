// `lexflow serve` as a child process for tests: started on a free port of
// 127.0.0.1, its address read from the line it prints, its stderr kept, and
// stopped when the test ends.

import { spawn } from 'node:child_process';
import { cliPath } from './tmp.js';

export interface ServeProcess {
  /** http://127.0.0.1:PORT/ */
  base: string;
  /** The server's stderr so far. */
  stderr(): string;
}

/** Start `lexflow serve --out OUT --port 0 --no-samples`; `nodeArgs` go before the CLI (e.g. --import hooks). */
export async function startServe(t: { teardown(fn: () => void): void }, out: string, o: { nodeArgs?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [...(o.nodeArgs ?? []), cliPath, 'serve', '--out', out, '--port', '0', '--no-samples'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LEXFLOW_DATA: '', ...o.env } });
  t.teardown(() => void child.kill('SIGTERM'));
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const base = await new Promise<string>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start in 60 s: ${stderr}`)), 60_000);
    child.stdout.on('data', (d) => {
      buf += d;
      const m = /serving (http:\/\/127\.0\.0\.1:\d+\/)/.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  return { base, stderr: () => stderr };
}
