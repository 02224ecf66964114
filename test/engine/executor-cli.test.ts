// Usage errors of the distributed executor and `lexflow worker`: one line
// naming the flag and the fix, exit 2, no stack trace. Needs no redis-server
// (nothing listens on the port these runs are given).

import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { writeCorpus } from '../../testkit/corpus.js';
import { freePort } from '../../testkit/redis-server.js';
import { tmpDir } from '../../testkit/tmp.js';
import { cli, runArgs } from '../../testkit/remote-run.js';

// Many child processes on a shared machine: more than the runner's default per file (bounded inside).
t.setTimeout(600_000);

t.test('usage errors: one line naming the flag, exit 2', async (t) => {
  const dir = tmpDir(t);
  const shared = path.join(dir, 'shared');
  fs.mkdirSync(shared);
  const corpus = writeCorpus(path.join(dir, 'corpus'), 2, 5_000, 1);
  const port = await freePort(); // nothing listens there
  const cases: [string[], RegExp][] = [
    [['--executor', `redis://127.0.0.1:${port}`, '--shared-dir', shared], /^lexflow: --executor redis:\/\/127\.0\.0\.1:\d+: cannot reach Redis \(ECONNREFUSED\); start redis-server there, or run with --executor local\n$/],
    [['--executor', `redis://127.0.0.1:${port}`], /^lexflow: --executor redis:\/\/127\.0\.0\.1:\d+ needs --shared-dir DIR: .*\n$/],
    [['--executor', `redis://127.0.0.1:${port}`, '--shared-dir', path.join(dir, 'nope')], /^lexflow: --shared-dir .*nope: no such folder; .*\n$/],
    [['--executor', 'http://x:1', '--shared-dir', shared], /^lexflow: --executor http:\/\/x:1: give local or redis:\/\/HOST:PORT\n$/],
  ];
  for (const [extra, want] of cases) {
    const r = await cli(t, runArgs(corpus, path.join(shared, 'run'), extra), 30_000);
    t.equal(r.code, 2, extra.join(' '));
    t.match(r.out, want);
  }
  const outside = await cli(t, runArgs(corpus, path.join(dir, 'elsewhere'), ['--executor', `redis://127.0.0.1:${port}`, '--shared-dir', shared]), 30_000);
  t.equal(outside.code, 2);
  t.match(outside.out, /^lexflow: --out .*elsewhere is not inside --shared-dir .*; put the run directory in the shared folder/);
  // The same settings from --config: its executor is used, and a flag wins over it.
  const cfg = (name: string, o: object): string => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, JSON.stringify(o));
    return f;
  };
  const fromConfig = await cli(t, runArgs(corpus, path.join(shared, 'c1'), ['--config', cfg('redis.json', { executor: `redis://127.0.0.1:${port}`, 'shared-dir': shared })]), 30_000);
  t.equal(fromConfig.code, 2, 'executor from --config');
  t.match(fromConfig.out, /^lexflow: --executor redis:\/\/127\.0\.0\.1:\d+: cannot reach Redis \(ECONNREFUSED\)/);
  const noShared = await cli(t, runArgs(corpus, path.join(shared, 'c2'), ['--config', cfg('noshared.json', { executor: `redis://127.0.0.1:${port}` })]), 30_000);
  t.match(noShared.out, /^lexflow: --executor redis:\/\/127\.0\.0\.1:\d+ needs --shared-dir DIR/, 'config without sharedDir');
  const bad = await cli(t, runArgs(corpus, path.join(shared, 'c3'), ['--config', cfg('bad.json', { executor: 7 })]), 30_000);
  t.match(bad.out, /bad\.json: "executor" must be a string/);
  const flagWins = await cli(t, runArgs(corpus, path.join(dir, 'c4'), ['--config', cfg('wins.json', { executor: `redis://127.0.0.1:${port}` }), '--executor', 'local']));
  t.equal(flagWins.code, 0, `--executor local over the config's redis: ${flagWins.out.slice(-300)}`);
  t.ok(fs.existsSync(path.join(dir, 'c4', 'tokenize', '_manifest.json')), 'ran on the local pool');
  const w = await cli(t, ['worker', '--redis', `redis://127.0.0.1:${port}`], 30_000);
  t.equal(w.code, 2);
  t.match(w.out, /^lexflow: --redis redis:\/\/127\.0\.0\.1:\d+: cannot reach Redis \(ECONNREFUSED\)/);
  t.notMatch(w.out, /\n\s+at /, 'no stack trace');
});

