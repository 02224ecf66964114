// A `kill -9` of `lexflow stage tokenize` midway: no folder looks complete
// afterwards, and a rerun gives output byte-identical to an uninterrupted run.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { cliPath, tmpDir } from '../testkit/tmp.js';
import { writeCorpus } from '../testkit/corpus.js';
import { outputFiles } from '../testkit/tokenize-output.js';

// Children run without the test runner's import hooks (they slow every worker thread down).
const env = { ...process.env, NODE_OPTIONS: '' };
const args = (out: string, corpus: string, threads: number): string[] => [
  cliPath,
  'stage',
  'tokenize',
  '--dataset',
  corpus,
  '--out',
  out,
  '--threads',
  String(threads),
  '--block-bytes',
  '16k',
  '--shard-tokens',
  '20000',
  '--quiet',
];

t.test('kill -9 midway, then rerun', async (t) => {
  const dir = tmpDir(t);
  const corpus = writeCorpus(path.join(dir, 'corpus'), 12, 150_000, 3);
  const killed = path.join(dir, 'killed');

  const child = spawn(process.execPath, args(killed, corpus, 1), { env, stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  // Wait for the stage's temp folder, then for its first shard (the writing pass) or a moment of tokenizing.
  let sawTmp = 0;
  for (;;) {
    const tmp = fs.existsSync(killed) ? fs.readdirSync(killed).find((n) => n.startsWith('tokenize.tmp-') && !n.endsWith('-spill')) : undefined;
    if (tmp) {
      sawTmp ||= Date.now();
      if (fs.existsSync(path.join(killed, tmp, 'tokens')) || Date.now() - sawTmp > 400) break;
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  child.kill('SIGKILL');
  t.equal(await exited, 'SIGKILL', 'the stage was killed before it finished');
  t.notOk(fs.existsSync(path.join(killed, 'tokenize/_manifest.json')), 'no manifest: the stage does not look complete');
  t.notOk(fs.existsSync(path.join(killed, 'tokenize')), 'no tokenize folder at all');

  const rerun = spawnSync(process.execPath, args(killed, corpus, 2), { env, encoding: 'utf8' });
  t.equal(rerun.status, 0, `rerun succeeds (took over the stale lock): ${rerun.stderr}`);
  t.same(fs.readdirSync(killed).filter((n) => n.includes('.tmp-')), [], 'the killed run left no temp folder behind');

  const clean = path.join(dir, 'clean');
  const ref = spawnSync(process.execPath, args(clean, corpus, 1), { env, encoding: 'utf8' });
  t.equal(ref.status, 0, ref.stderr);
  const a = outputFiles(path.join(killed, 'tokenize'));
  const b = outputFiles(path.join(clean, 'tokenize'));
  t.same([...a.keys()], [...b.keys()], 'same files');
  t.ok(a.size >= 4, `${a.size} output files`);
  for (const [k, v] of b) t.ok(v.equals(a.get(k)!), `${k}: byte-identical to the uninterrupted run`);
});
