// A fresh clone stays clean after `npm install` (issue 14): npm rewrites the
// lock file's root entry whenever it differs from package.json, e.g. when an
// optional dependency is also listed among the plain ones. Checked here
// without the network: the root entry must be exactly what npm would write.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { distRoot } from '../testkit/tmp.js';

const root = path.resolve(distRoot, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));

t.test('package-lock.json root entry matches package.json as npm writes it', async (t) => {
  const entry = lock.packages[''];
  t.equal(lock.name, pkg.name);
  t.equal(entry.version, pkg.version);
  // npm keeps optional dependencies out of the root `dependencies`.
  t.same(entry.dependencies ?? {}, pkg.dependencies ?? {}, 'dependencies');
  t.same(entry.devDependencies ?? {}, pkg.devDependencies ?? {}, 'devDependencies');
  t.same(entry.optionalDependencies ?? {}, pkg.optionalDependencies ?? {}, 'optionalDependencies');
  for (const name of Object.keys(pkg.optionalDependencies ?? {})) t.notOk(name in (entry.dependencies ?? {}), `${name} is listed once, as optional`);
  for (const name of Object.keys({ ...pkg.dependencies, ...pkg.devDependencies, ...pkg.optionalDependencies }))
    t.ok(lock.packages[`node_modules/${name}`], `${name} is locked`);
});
