// The runner: fingerprints decide skip/rerun; output is atomic; a killed run
// never leaves a stage looking complete; the lock refuses a second run.

import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { runPipeline } from '../../pipeline/runner.js';
import { runStatus } from '../../pipeline/status.js';
import { readManifest } from '../../pipeline/manifest.js';
import { acquireLock } from '../../pipeline/rundir.js';
import { createPool } from '../../pipeline/pool.js';
import { registerToyStages, TOY } from '../../testkit/toy-stages.js';
import { tmpDir, distRoot } from '../../testkit/tmp.js';

registerToyStages();
const pool = createPool(1);
t.teardown(() => pool.destroy());

function corpus(t: Parameters<typeof tmpDir>[0], text = 'a b c\nd e\n'): string {
  const dir = tmpDir(t);
  fs.writeFileSync(path.join(dir, 'doc.txt'), text);
  return dir;
}

const quiet = { logLevel: 'quiet' as const, progress: 'quiet' as const, pool, only: TOY };

t.test('runs, then skips what is up to date, then reruns what changed', async (t) => {
  const data = corpus(t);
  const out = tmpDir(t);
  const r1 = await runPipeline({ ...quiet, out, dataset: data });
  t.same(r1.stages.map((s) => s.status), ['ran', 'ran']);
  t.equal(fs.readFileSync(path.join(out, 'toy-double', 'double.txt'), 'utf8'), '10');

  const r2 = await runPipeline({ ...quiet, out, dataset: data });
  t.same(r2.stages.map((s) => s.status), ['skipped', 'skipped'], 'same fingerprints: nothing reruns');

  // A param change reruns the stage and everything downstream.
  const r3 = await runPipeline({ ...quiet, out, dataset: data, params: { 'toy-source': { multiplier: 3 } } });
  t.same(r3.stages.map((s) => s.status), ['ran', 'ran']);
  t.equal(fs.readFileSync(path.join(out, 'toy-double', 'double.txt'), 'utf8'), '30');
  t.not(r3.stages[0]!.fingerprint, r1.stages[0]!.fingerprint);

  // A param that cannot change the result (fingerprint: false) does not rerun.
  const r4 = await runPipeline({ ...quiet, out, dataset: data, params: { 'toy-source': { multiplier: 3, 'sleep-ms': 1 } } });
  t.same(r4.stages.map((s) => s.status), ['skipped', 'skipped']);

  // Changing the dataset's content changes the source fingerprint.
  fs.writeFileSync(path.join(data, 'doc.txt'), 'a b c d e f g\n');
  const r5 = await runPipeline({ ...quiet, out, dataset: data, params: { 'toy-source': { multiplier: 3 } } });
  t.same(r5.stages.map((s) => s.status), ['ran', 'ran']);
  t.equal(fs.readFileSync(path.join(out, 'toy-double', 'double.txt'), 'utf8'), '42');

  // A damaged output is detected by the manifest checksums and rerun.
  fs.writeFileSync(path.join(out, 'toy-double', 'double.txt'), '99');
  const r6 = await runPipeline({ ...quiet, out, dataset: data, params: { 'toy-source': { multiplier: 3 } } });
  t.same(r6.stages.map((s) => s.status), ['skipped', 'ran']);
  t.equal(fs.readFileSync(path.join(out, 'toy-double', 'double.txt'), 'utf8'), '42');

  // --force reruns even when up to date.
  const r7 = await runPipeline({ ...quiet, out, dataset: data, params: { 'toy-source': { multiplier: 3 } }, force: ['toy-double'] });
  t.same(r7.stages.map((s) => s.status), ['skipped', 'ran']);
});

t.test('the manifest records what docs/ARCHITECTURE.md lists, and run.json the resolved config', async (t) => {
  const data = corpus(t);
  const out = tmpDir(t);
  await runPipeline({ ...quiet, out, dataset: data, params: { 'toy-source': { multiplier: 2 } } });
  const m = readManifest(path.join(out, 'toy-source'))!;
  t.equal(m.stage, 'toy-source');
  t.equal(m.version, 1);
  t.match(m.fingerprint, /^[0-9a-f]{32}$/);
  t.same(m.params, { multiplier: 2, 'sleep-ms': 0, fail: false });
  t.same(m.rows, { 'count.txt': 1 });
  t.same(m.metrics, { words: 5 });
  t.same(
    m.outputs.map((o) => o.path),
    ['count.txt', 'partial.txt'],
  );
  t.equal(m.outputs[0]!.bytes, 2);
  t.match(m.outputs[0]!.sha256, /^[0-9a-f]{64}$/);
  t.ok(m.wallSeconds >= 0 && m.peakRssMB > 0);
  t.ok(m.dataset?.fingerprint);
  const down = readManifest(path.join(out, 'toy-double'))!;
  t.same(down.inputs, { 'toy-source': m.fingerprint }, 'input fingerprints recorded');
  const runJson = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8'));
  t.equal(runJson.dataset, data);
  t.same(runJson.stages['toy-source'], { multiplier: 2, 'sleep-ms': 0, fail: false });
});

t.test('a failing stage leaves the previous output intact and no tmp folder', async (t) => {
  const data = corpus(t);
  const out = tmpDir(t);
  await runPipeline({ ...quiet, out, dataset: data });
  const before = fs.readFileSync(path.join(out, 'toy-source', '_manifest.json'), 'utf8');
  await t.rejects(runPipeline({ ...quiet, out, dataset: data, params: { 'toy-source': { multiplier: 5, fail: true } } }), /failed on purpose/);
  t.equal(fs.readFileSync(path.join(out, 'toy-source', '_manifest.json'), 'utf8'), before, 'old manifest untouched');
  t.same(
    fs.readdirSync(out).filter((n) => n.includes('.tmp-')),
    [],
  );
  t.notOk(fs.existsSync(path.join(out, '.lock')), 'lock released after a failure');
});

t.test('status: done, stale, missing', async (t) => {
  const data = corpus(t);
  const out = tmpDir(t);
  await runPipeline({ ...quiet, out, dataset: data, only: ['toy-source'] });
  let st = (await runStatus(out)).filter((s) => TOY.includes(s.stage));
  t.same(st.map((s) => [s.stage, s.state]), [['toy-source', 'done'], ['toy-double', 'missing']]);
  fs.writeFileSync(path.join(data, 'doc.txt'), 'changed text\n');
  st = (await runStatus(out)).filter((s) => TOY.includes(s.stage));
  t.same(st.map((s) => s.state), ['stale', 'missing']);
});

t.test('a stage whose input is missing fails clearly when run alone', async (t) => {
  const out = tmpDir(t);
  await t.rejects(runPipeline({ ...quiet, out, only: ['toy-double'], runMissingInputs: false }), {
    exitCode: 2,
    message: /needs the output of stage toy-source.*lexflow stage toy-source/,
  });
});

t.test('kill -9 mid-stage: nothing looks complete; the rerun completes and equals a clean run', async (t) => {
  const data = corpus(t);
  const out = tmpDir(t);
  const child = spawn(process.execPath, [path.join(distRoot, 'testkit/toy-run.js'), out, data, '20000'], { stdio: 'ignore' });
  // Wait until the stage is writing into its tmp folder, then kill it hard.
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    if (fs.existsSync(out) && fs.readdirSync(out).some((n) => n.startsWith('toy-source.tmp-') && fs.existsSync(path.join(out, n, 'partial.txt')))) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  t.notOk(fs.existsSync(path.join(out, 'toy-source')), 'no stage folder after the kill');
  t.notOk(readManifest(path.join(out, 'toy-source')), 'no manifest');
  t.ok(fs.existsSync(path.join(out, '.lock')), 'the dead run left its lock');
  const st = (await runStatus(out)).find((s) => s.stage === 'toy-source')!;
  t.equal(st.state, 'missing');

  const r = await runPipeline({ ...quiet, out, dataset: data });
  t.same(r.stages.map((s) => s.status), ['ran', 'ran'], 'stale lock taken over, stage rerun');
  t.same(fs.readdirSync(out).filter((n) => n.includes('.tmp-')), [], 'tmp folders of the killed run removed');
  const clean = tmpDir(t);
  await runPipeline({ ...quiet, out: clean, dataset: data });
  t.equal(fs.readFileSync(path.join(out, 'toy-double', 'double.txt'), 'utf8'), fs.readFileSync(path.join(clean, 'toy-double', 'double.txt'), 'utf8'));
});

t.test('lock: a live run is refused, a dead one is taken over', async (t) => {
  const out = tmpDir(t);
  // A live process holding the lock.
  const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
  t.teardown(() => {
    holder.kill('SIGKILL');
  });
  fs.writeFileSync(path.join(out, '.lock'), JSON.stringify({ pid: holder.pid, host: (await import('node:os')).hostname(), started: 'x' }));
  t.throws(() => acquireLock(out), { exitCode: 2, message: new RegExp(`in use by another lexflow run \\(pid ${holder.pid}`) });
  // A dead one.
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  const deadPid = Number(dead.stdout.toString());
  fs.writeFileSync(path.join(out, '.lock'), JSON.stringify({ pid: deadPid, host: (await import('node:os')).hostname(), started: 'x' }));
  const lock = acquireLock(out);
  t.equal(lock.tookOverFrom, deadPid);
  lock.release();
  t.notOk(fs.existsSync(path.join(out, '.lock')));
});

t.test('a plain run keeps the stages made for the dataset kind; naming another is refused', async (t) => {
  const { stagesForKind } = await import('../../pipeline/runner.js');
  const mk = (name: string, inputs: string[], datasetKinds?: ('text' | 'parallel' | 'dialog')[]) =>
    ({ name, describe: name, version: 1, inputs, params: {}, datasetKinds, run: async () => ({}) }) as never;
  const sel = [mk('tok', [], ['text', 'parallel']), mk('ngrams', ['tok']), mk('lm', ['ngrams']), mk('mt', ['tok'], ['parallel'])];
  const names = (xs: { name: string }[]) => xs.map((d) => d.name);
  t.same(names(stagesForKind(sel, 'text', 'brown', false)), ['tok', 'ngrams', 'lm'], 'text: the parallel-only stage is left out');
  t.same(names(stagesForKind(sel, 'parallel', 'm30k=x', false)), ['tok', 'mt'], 'parallel: text-only stages and their consumers are left out');
  t.same(names(stagesForKind(sel, 'dialog', 'bot=x', false)), [], 'dialog: nothing here is made for it');
  t.throws(() => stagesForKind([sel[3]], 'text', 'brown', true), /stage mt runs on parallel datasets, and --dataset brown is a text dataset/);
});
