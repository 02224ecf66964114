// The layout rules of docs/ARCHITECTURE.md, checked on the source tree: a stage
// imports lib/ and pipeline/, never another stage; lib/ imports no stage; tests
// import no bench helper; every declared pool task exists; no tracked file names
// a path of one developer's machine or points at documents outside the repository.

import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { distRoot } from '../testkit/tmp.js';
import { allStages } from '../pipeline/registry.js';

const root = path.resolve(distRoot, '..');
const SOURCE_DIRS = ['pipeline', 'lib', 'stages', 'datasets', 'test', 'testkit', 'bench'];

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) out.push(p);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

/** Every relative import of a file, as a repository-relative path ('/'-separated). */
function importsOf(file: string): string[] {
  const src = fs.readFileSync(file, 'utf8');
  const re = /(?:from|import)\s*\(?\s*['"](\.[^'"]+)['"]/g;
  const out: string[] = [];
  for (let m = re.exec(src); m; m = re.exec(src)) out.push(path.relative(root, path.resolve(path.dirname(file), m[1]!)).split(path.sep).join('/'));
  return out;
}

const edges = SOURCE_DIRS.flatMap((d) => tsFiles(path.join(root, d))).flatMap((f) => {
  const from = path.relative(root, f).split(path.sep).join('/');
  return importsOf(f).map((to) => ({ from, to }));
});
const top = (p: string): string => p.split('/')[0]!;
const stageOf = (p: string): string | undefined => (p.startsWith('stages/') && p.split('/').length > 2 ? p.split('/')[1] : undefined);

t.test('the source tree is where the test expects it', async (t) => {
  t.ok(fs.existsSync(path.join(root, 'stages', 'index.ts')), `stages/index.ts under ${root}`);
  t.ok(edges.length > 500, `${edges.length} imports read`);
});

t.test('no stage imports another stage', async (t) => {
  const bad = edges.filter((e) => stageOf(e.from) && stageOf(e.to) && stageOf(e.from) !== stageOf(e.to));
  t.same(bad, [], bad.map((e) => `${e.from} -> ${e.to}`).join('\n'));
});

t.test('lib/, datasets/ and pipeline/ import no stage (but the registry)', async (t) => {
  const bad = edges.filter((e) => ['lib', 'datasets', 'pipeline'].includes(top(e.from)) && top(e.to) === 'stages' && e.from !== 'pipeline/registry.ts');
  t.same(bad, [], bad.map((e) => `${e.from} -> ${e.to}`).join('\n'));
});

t.test('tests and their kit import no bench helper', async (t) => {
  const bad = edges.filter((e) => ['test', 'testkit'].includes(top(e.from)) && top(e.to) === 'bench');
  t.same(bad, [], bad.map((e) => `${e.from} -> ${e.to}`).join('\n'));
});

t.test("every stage's pool tasks exist and export a task function", async (t) => {
  let n = 0;
  for (const s of allStages())
    for (const [name, href] of Object.entries(s.tasks ?? {})) {
      const mod = (await import(href)) as { default?: unknown };
      t.equal(typeof mod.default, 'function', `${s.name}.${name}: ${path.relative(distRoot, new URL(href).pathname)}`);
      t.ok(new URL(href).pathname.includes(`/stages/${s.name}/`), `${s.name}.${name} lives in its stage's folder`);
      n++;
    }
  t.ok(n >= 10, `${n} tasks`);
  t.ok(pathToFileURL(distRoot).href.length > 0);
});

t.test('no tracked file names a machine path or a document outside the repository', async (t) => {
  const git = spawnSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' });
  if (git.status !== 0) {
    t.comment('not a git checkout: nothing to check');
    return;
  }
  const files = git.stdout.split('\n').filter((f) => f && f !== 'package-lock.json' && !f.startsWith('test/fixtures/') && fs.existsSync(path.join(root, f)));
  // Built from pieces so this file does not match itself.
  const machine = new RegExp(['/w' + 'ork/', '/ro' + 'ot/', '/ho' + 'me/', 'file:/' + '//'].map((s) => s.replace(/[/.]/g, '\\$&')).join('|'));
  const outside = new RegExp(['DESIGN' + '\\.md', 'shared/' + 'notes', '\\.\\./' + 'shared/'].join('|'));
  const hits: string[] = [];
  for (const f of files) {
    const text = fs.readFileSync(path.join(root, f), 'utf8');
    text.split('\n').forEach((line, i) => {
      // CI may set LEXFLOW_DATA from the shared data folder beside the clone.
      if (f === '.ci/run' && /LEXFLOW_DATA/.test(line)) return;
      if (machine.test(line) || outside.test(line)) hits.push(`${f}:${i + 1}: ${line.trim().slice(0, 120)}`);
    });
  }
  t.same(hits, [], hits.join('\n'));
});
