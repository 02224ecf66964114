// The pmi stage on the hand-worked matrix of "a b c a" (window 2, 1/d weights):
// cells a-b, b-a, a-c, c-a = 1.5 and b-c, c-b = 1; row and column sums 3, 2.5, 2.5; total 8.
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readTableSync } from '../pipeline/arrow.js';
import { createPool } from '../pipeline/pool.js';
import cooccur from '../stages/cooccur/index.js';
import pmi from '../stages/pmi/index.js';
import { runStageDirect } from '../testkit/stage-harness.js';
import { writeDocuments } from '../testkit/token-shards.js';

t.test('PMI, PPMI, shifted PPMI and context smoothing by hand', async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lexflow-pmi-'));
  const pool = createPool(1);
  t.teardown(async () => {
    fs.rmSync(root, { recursive: true, force: true });
    await pool.destroy();
  });
  const tok = path.join(root, 'tokenize');
  const { tokens } = await writeDocuments(tok, [[['a', 'b', 'c', 'a']]]);
  const co = path.join(root, 'cooccur');
  await runStageDirect(cooccur, { inputs: { tokenize: tok }, outDir: co, params: { window: 2, 'min-count': 1 }, pool });
  const read = (dir: string): Record<string, number> => {
    const tb = readTableSync(path.join(dir, 'pmi.arrow'));
    const r = tb.getChild('row')!.toArray() as Int32Array;
    const c = tb.getChild('col')!.toArray() as Int32Array;
    const v = tb.getChild('pmi')!.toArray() as Float32Array;
    const out: Record<string, number> = {};
    for (let i = 0; i < r.length; i++) out[`${tokens[r[i]!]} ${tokens[c[i]!]}`] = v[i]!;
    return out;
  };
  const near = (t2: typeof t, got: number | undefined, want: number, what: string): void => void t2.ok(got !== undefined && Math.abs(got - want) < 1e-6, `${what}: ${got} vs ${want}`);
  // cds 1: PMI = log(#(w,c) D / (#w #c))
  let dir = path.join(root, 'p1');
  await runStageDirect(pmi, { inputs: { cooccur: co }, outDir: dir, params: { cds: 1, positive: false }, pool });
  let m = read(dir);
  t.equal(Object.keys(m).length, 6);
  near(t, m['a b'], Math.log((1.5 * 8) / (3 * 2.5)), 'a b');
  near(t, m['b c'], Math.log((1 * 8) / (2.5 * 2.5)), 'b c');
  // shift k = 1.5: log 1.6 - log 1.5 > 0 kept, log 1.28 - log 1.5 < 0 dropped by PPMI
  dir = path.join(root, 'p2');
  await runStageDirect(pmi, { inputs: { cooccur: co }, outDir: dir, params: { cds: 1, shift: 1.5 }, pool });
  m = read(dir);
  t.same(Object.keys(m).sort(), ['a b', 'a c', 'b a', 'c a']);
  near(t, m['a c'], Math.log(1.6) - Math.log(1.5), 'a c shifted');
  // cds 0.75: P(c) = #c^0.75 / sum #c'^0.75
  dir = path.join(root, 'p3');
  await runStageDirect(pmi, { inputs: { cooccur: co }, outDir: dir, params: { positive: false }, pool });
  m = read(dir);
  const z = 3 ** 0.75 + 2 * 2.5 ** 0.75;
  near(t, m['b a'], Math.log(1.5 / (2.5 * (3 ** 0.75 / z))), 'b a smoothed');
  near(t, m['c b'], Math.log(1 / (2.5 * (2.5 ** 0.75 / z))), 'c b smoothed');
});
