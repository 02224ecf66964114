// What a run directory promises through the real binary (issue 14): settings
// that stay (run.json), a clean Ctrl-C / SIGTERM, no stale checkpoints, and
// manifests that say when output is not reproducible.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { cliPath, tmpDir } from '../../testkit/tmp.js';
import { writeCorpus } from '../../testkit/corpus.js';
import { lexflow, readManifestJson } from '../../testkit/cli.js';


const manifest = readManifestJson;

t.test('manifests and status say when output is not reproducible', async (t) => {
  const dir = tmpDir(t);
  const corpus = writeCorpus(path.join(dir, 'corpus'), 2, 30_000, 4);
  const out = path.join(dir, 'run');
  let r = lexflow(['stage', 'tokenize', '--dataset', corpus, '--out', out, '--threads', '1', '--quiet']);
  t.equal(r.code, 0, r.stderr);
  const w2v = ['stage', 'word2vec', '--out', out, '--dim', '20', '--epochs', '2', '--quiet', '--force'];
  r = lexflow([...w2v, '--threads', '1']);
  t.equal(r.code, 0, r.stderr);
  const one = manifest(path.join(out, 'word2vec'));
  const bytes = fs.readFileSync(path.join(out, 'word2vec', 'vectors.bin'));
  r = lexflow([...w2v, '--threads', '1']);
  t.ok(fs.readFileSync(path.join(out, 'word2vec', 'vectors.bin')).equals(bytes), 'one thread: the same bytes again');
  t.equal(one.reproducible, true);
  r = lexflow([...w2v, '--threads', '2']);
  t.equal(r.code, 0, r.stderr);
  const two = manifest(path.join(out, 'word2vec'));
  t.equal(two.reproducible, false, 'two Hogwild threads: recorded as not reproducible');
  t.match(two.reproducibleReason, /Hogwild training: 2 threads .*--threads 1 gives the same bytes/);
  const st = lexflow(['status', '--out', out]);
  t.equal(st.code, 0, st.stderr);
  t.match(st.stdout, /word2vec\s+done.*\s+no \*\n/);
  t.match(st.stdout, /\* word2vec: Hogwild training: 2 threads/);
  const js = JSON.parse(lexflow(['status', '--out', out, '--format', 'json']).stdout) as { stage: string; reproducible: boolean | null }[];
  t.same(js.filter((s) => s.reproducible !== null).map((s) => [s.stage, s.reproducible]), [['tokenize', true], ['word2vec', false]]);
});

t.test('lm-neural trains on a step budget by default: the same model bytes on every run', async (t) => {
  const dir = tmpDir(t);
  const corpus = writeCorpus(path.join(dir, 'corpus'), 3, 30_000, 4);
  const out = path.join(dir, 'run');
  let r = lexflow(['stage', 'tokenize', '--dataset', corpus, '--out', out, '--threads', '1', '--quiet']);
  t.equal(r.code, 0, r.stderr);
  const ln = ['stage', 'lm-neural', '--out', out, '--threads', '1', '--max-steps', '4', '--hidden', '16', '--embed', '16', '--quiet', '--force'];
  const model = (): Buffer[] => ['model.json', 'weights.bin'].map((f) => fs.readFileSync(path.join(out, 'lm-neural', 'model', f)));
  r = lexflow(ln);
  t.equal(r.code, 0, r.stderr);
  const first = model();
  const m = manifest(path.join(out, 'lm-neural'));
  t.match((m.metrics as { stopReason: string }).stopReason, /step budget of 4 batches reached/);
  t.equal(m.reproducible, false, 'its tables hold timings: not claimed reproducible');
  t.match(m.reproducibleReason, /model\/ is the same on every run/);
  r = lexflow(ln);
  t.equal(r.code, 0, r.stderr);
  model().forEach((b, i) => t.ok(b.equals(first[i]!), `${['model.json', 'weights.bin'][i]}: the same bytes on the second run`));
});
