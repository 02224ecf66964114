// The C library settings lexflow starts with (pipeline/cli/process-env.ts) are
// spelled where glibc can see them at process start: the command's first line
// and `npm start` (the benches take them from process-env.ts itself). They must
// not drift apart, or a user runs another configuration than the benches time.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { distRoot } from '../testkit/tmp.js';
import { LEXFLOW_PROCESS_ENV, processEnvAssignments } from '../pipeline/cli/process-env.js';

const root = path.resolve(distRoot, '..');

t.test('the command line and npm start set the same settings', async (t) => {
  const shebang = fs.readFileSync(path.join(distRoot, 'pipeline', 'cli', 'main.js'), 'utf8').split('\n')[0];
  t.equal(shebang, `#!/usr/bin/env -S ${processEnvAssignments()} node`, 'the lexflow command (its first line)');
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  t.ok(pkg.scripts.start!.startsWith(`${processEnvAssignments()} node `), 'npm start');
});

t.test('a process started with them runs (glibc accepts the tunable)', async (t) => {
  const r = spawnSync(process.execPath, ['-e', 'const a = new Float64Array(1 << 22); a.fill(1); process.stdout.write(String(a[7]))'], { env: { ...process.env, ...LEXFLOW_PROCESS_ENV }, encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stdout, '1');
});
