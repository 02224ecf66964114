// `lexflow eval bleu` through the real CLI: sacreBLEU's line and signature,
// --json, several references, and misaligned or missing files (exit 2, one line).

import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { cliPath, tmpDir } from '../testkit/tmp.js';
import { lexflow } from '../testkit/cli.js';


t.test('eval bleu prints BLEU and chrF with signatures; --json for scripts', async (t) => {
  const dir = tmpDir(t);
  const hyp = path.join(dir, 'hyp.txt');
  const ref = path.join(dir, 'ref.txt');
  const ref2 = path.join(dir, 'ref2.txt');
  // hyp a b c d e vs ref a b c d f g: 100·exp(1 − 6/5)·(4/5·3/4·2/3·1/2)^(1/4) = 54.75
  fs.writeFileSync(hyp, 'a b c d e\n');
  fs.writeFileSync(ref, 'a b c d f g\n');
  fs.writeFileSync(ref2, 'a b c d e\n');
  const r = lexflow(['eval', 'bleu', '--hyp', hyp, '--ref', ref]);
  t.equal(r.code, 0, r.stderr);
  const want = 100 * Math.exp(1 - 6 / 5) * Math.pow(0.2, 0.25);
  t.match(r.stdout, new RegExp(`^BLEU = ${want.toFixed(2)} 80\\.0/75\\.0/66\\.7/50\\.0 \\(BP = 0\\.819 ratio = 0\\.833 hyp_len = 5 ref_len = 6\\)`));
  t.match(r.stdout, /signature: nrefs:1\|case:mixed\|eff:no\|tok:13a\|smooth:exp\|version:2\.6\.0/);
  t.match(r.stdout, /chrF2 = /);
  const j = lexflow(['eval', 'bleu', '--hyp', hyp, '--ref', ref, '--ref', ref2, '--json']);
  t.equal(j.code, 0, j.stderr);
  const o = JSON.parse(j.stdout);
  t.ok(Math.abs(o.bleu - 100) < 1e-9, 'the second reference matches exactly (and its length is the closest)');
  t.match(o.signature, /^nrefs:2\|/);
});

t.test('misaligned or missing files: one line, exit 2', async (t) => {
  const dir = tmpDir(t);
  const hyp = path.join(dir, 'hyp.txt');
  const ref = path.join(dir, 'ref.txt');
  fs.writeFileSync(hyp, 'one\ntwo\n');
  fs.writeFileSync(ref, 'one\n');
  for (const [args, re] of [
    [['--hyp', hyp, '--ref', ref], /ref\.txt: has 1 lines but .*hyp\.txt has 2/],
    [['--hyp', path.join(dir, 'nope.txt'), '--ref', ref], /nope\.txt: cannot read it/],
  ] as [string[], RegExp][]) {
    const r = lexflow(['eval', 'bleu', ...args]);
    t.equal(r.code, 2);
    t.match(r.stderr, re);
    t.equal(r.stderr.trim().split('\n').length, 1, 'one line, no stack trace');
  }
});
