// What a run directory promises through the real binary (issue 14): settings
// that stay (run.json), a clean Ctrl-C / SIGTERM, no stale checkpoints, and
// manifests that say when output is not reproducible.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { cliPath, tmpDir } from '../../testkit/tmp.js';
import { writeCorpus } from '../../testkit/corpus.js';
import { lexflow, readManifestJson } from '../../testkit/cli.js';

const env = { ...process.env, CI: '1', NODE_OPTIONS: '' };


const manifest = readManifestJson;

t.test('eval-embeddings scores svd, word2vec and glove on the bundled sets, and reruns when evaluation data appears', async (t) => {
  const dir = tmpDir(t);
  const corpus = writeCorpus(path.join(dir, 'corpus'), 2, 40_000, 6);
  const out = path.join(dir, 'run');
  const data = path.join(dir, 'data');
  fs.mkdirSync(data);
  const withData = (args: string[]): { code: number; stdout: string; stderr: string } => {
    const r = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', env: { ...env, LEXFLOW_DATA: data } });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const small = ['--svd.dim', '8', '--word2vec.dim', '8', '--word2vec.epochs', '1', '--glove.dim', '8', '--glove.epochs', '1', '--cooccur.min-count', '1', '--word2vec.min-count', '1'];
  let r = withData(['run', '--dataset', corpus, '--out', out, '--threads', '1', '--to', 'eval-embeddings', ...small]);
  t.equal(r.code, 0, r.stderr);
  const metricsFile = path.join(out, 'eval-embeddings', 'metrics.arrow');
  const rows = (): { vectors: string; metric: string; set: string; found: number; total: number }[] =>
    withData(['inspect', metricsFile, '--format', 'json']).stdout.trim().split('\n').map((l) => JSON.parse(l));
  const men = rows().filter((x) => x.set === 'EN-MEN-TR-3k');
  t.same(men.map((x) => [x.vectors, x.total]), [['svd', 3000], ['word2vec', 3000], ['glove', 3000]], 'the bundled MEN set scored for every embedding stage');
  t.ok(rows().some((x) => x.vectors === 'glove' && x.metric === '3cosadd' && x.set === 'total' && x.total === 19544), 'and the bundled analogies');

  // $LEXFLOW_DATA gains a word-similarity folder: what the stage read changed, so it is stale and reruns.
  fs.mkdirSync(path.join(data, 'wordsim'));
  fs.writeFileSync(path.join(data, 'wordsim', 'tiny.txt'), 'the\tof\t3\nand\tto\t2\nin\tzzzz-not-a-word\t1\n');
  const st = JSON.parse(withData(['status', '--out', out, '--format', 'json']).stdout) as { stage: string; state: string }[];
  t.equal(st.find((s) => s.stage === 'eval-embeddings')!.state, 'stale', 'status: stale once the data appeared');
  t.equal(st.find((s) => s.stage === 'svd')!.state, 'done');
  r = withData(['run', '--out', out, '--threads', '1', '--to', 'eval-embeddings']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /eval-embeddings\s+ran \(stale\)/);
  t.match(r.stdout, /svd\s+up to date/);
  const tiny = rows().filter((x) => x.set === 'tiny');
  t.same(tiny.map((x) => [x.vectors, x.found, x.total]), [['svd', 2, 3], ['word2vec', 2, 3], ['glove', 2, 3]], 'the new set is scored: 2 of its 3 pairs are in the vocabulary');
});
