// The CLI: exit codes (0 ok, 1 failure, 2 bad usage or input), one-line errors,
// and inspect's machine-readable formats.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import * as A from 'apache-arrow';
import { ArrowFileWriter, field, primitiveData, utf8Data } from '../../pipeline/arrow.js';
import { cliPath, tmpDir } from '../../testkit/tmp.js';
import { lexflow } from '../../testkit/cli.js';


t.test('usage errors exit 2 with one line', async (t) => {
  const dir = tmpDir(t);
  const cases: [string[], RegExp][] = [
    [['nonsense'], /Unknown command|name a command/i],
    [['run', '--out', dir, '--only', 'no-such-stage'], /unknown stage "no-such-stage"/],
    [['stage', 'no-such-stage', '--out', dir], /unknown stage "no-such-stage"/],
    [['run', '--out', dir, '--config', path.join(dir, 'missing.json')], /missing\.json: cannot read the config file/],
    [['inspect', path.join(dir, 'nope.arrow')], /nope\.arrow: no such Arrow file/],
  ];
  fs.writeFileSync(path.join(dir, 'bad.json'), '{not json');
  cases.push([['run', '--out', dir, '--config', path.join(dir, 'bad.json')], /bad\.json: not valid JSON/]);
  for (const [args, re] of cases) {
    const r = lexflow(args);
    t.equal(r.code, 2, `${args.join(' ')} exits 2`);
    t.match(r.stderr, re);
    t.equal(r.stderr.trim().split('\n').filter((l) => l.startsWith('lexflow:')).length, 1, 'one error line');
  }
});

t.test('inspect: table, csv, json', async (t) => {
  const dir = tmpDir(t);
  const file = path.join(dir, 'v.arrow');
  const w = new ArrowFileWriter(file, new A.Schema([field('token', new A.Utf8()), field('count', new A.Int64())]));
  await w.writeColumns([utf8Data(['the', 'a,b', 'cat']), primitiveData(new A.Int64(), new BigInt64Array([10n, 5n, 1n]))]);
  await w.close();
  const table = lexflow(['inspect', file, '--head', '2', '--schema', '--stats']);
  t.equal(table.code, 0, table.stderr);
  t.match(table.stdout, /3 rows in 1 record batches/);
  t.match(table.stdout, /count\s+Int64/);
  t.match(table.stdout, /head 2\ntoken\s+count\n-+\s+-+\nthe\s+10\na,b\s+5\n/);
  t.match(table.stdout, /count\s+Int64\s+0\s+1\s+10\s+5\.333333\s+3/);
  const csv = lexflow(['inspect', file, '--format', 'csv']);
  t.equal(csv.stdout, 'token,count\nthe,10\n"a,b",5\ncat,1\n');
  const tail = lexflow(['inspect', file, '--tail', '1', '--format', 'json']);
  t.same(JSON.parse(tail.stdout).tail, [{ token: 'cat', count: 1 }]);
  const lines = lexflow(['inspect', file, '--format', 'json']).stdout.trim().split('\n').map((l) => JSON.parse(l));
  t.same(lines, [{ token: 'the', count: 10 }, { token: 'a,b', count: 5 }, { token: 'cat', count: 1 }]);
});

t.test('inspect --stats: a NaN does not hide the values beside it', async (t) => {
  const dir = tmpDir(t);
  const file = path.join(dir, 'm.arrow');
  const w = new ArrowFileWriter(file, new A.Schema([field('value', new A.Float64())]));
  await w.writeColumns([primitiveData(new A.Float64(), new Float64Array([NaN, 2, 4, NaN]))]);
  await w.close();
  const r = lexflow(['inspect', file, '--stats']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /value\s+Float64\s+0 \+2 NaN\s+2\s+4\s+3\s+2/, 'min 2, max 4, mean 3 over the two numbers; 2 NaN counted apart');
  const js = JSON.parse(lexflow(['inspect', file, '--stats', '--format', 'json']).stdout);
  t.same([js.stats[0].min, js.stats[0].max, js.stats[0].mean, js.stats[0].nans], [2, 4, 3, 2]);
});
