// What a run directory promises through the real binary (issue 14): settings
// that stay (run.json), a clean Ctrl-C / SIGTERM, no stale checkpoints, and
// manifests that say when output is not reproducible.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { cliPath, tmpDir } from '../../testkit/tmp.js';
import { writeCorpus } from '../../testkit/corpus.js';
import { parseSplitFractions, recordId, splitOfId } from '../../datasets/split.js';
import { lexflow, readManifestJson } from '../../testkit/cli.js';


const manifest = readManifestJson;

t.test('a run directory remembers its settings', async (t) => {
  const dir = tmpDir(t);
  const corpus = writeCorpus(path.join(dir, 'corpus'), 2, 20_000, 5);
  const other = writeCorpus(path.join(dir, 'other'), 2, 20_000, 9);
  const out = path.join(dir, 'run');
  const base = ['--out', out, '--threads', '1'];

  let r = lexflow(['stage', 'tokenize', '--dataset', corpus, ...base, '--min-count', '5', '--force']);
  t.equal(r.code, 0, r.stderr);
  const fp = manifest(path.join(out, 'tokenize')).fingerprint;
  r = lexflow(['run', ...base, '--to', 'tokenize']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /tokenize\s+up to date/, 'a plain run keeps --min-count 5 from run.json: nothing reruns');
  t.equal(manifest(path.join(out, 'tokenize')).params['min-count'], 5);
  t.equal(manifest(path.join(out, 'tokenize')).fingerprint, fp);

  r = lexflow(['stage', 'tokenize', ...base, '--min-count', '2']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stderr, /changed setting: tokenize: --min-count 2 \(run\.json had 5\)/, 'a changed setting is said');
  t.equal(manifest(path.join(out, 'tokenize')).params['min-count'], 2);

  // --tokens-from subword stays too.
  r = lexflow(['stage', 'subword', ...base, '--vocab-size', '500']);
  t.equal(r.code, 0, r.stderr);
  r = lexflow(['stage', 'ngrams', ...base, '--tokens-from', 'subword', '--order', '2']);
  t.equal(r.code, 0, r.stderr);
  const subFp = manifest(path.join(out, 'subword')).fingerprint;
  t.equal(manifest(path.join(out, 'ngrams')).inputs.tokenize, subFp, 'ngrams read the subword tokens');
  r = lexflow(['stage', 'ngrams', ...base]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /ngrams\s+up to date/, 'a plain rerun stays on subword and on --order 2');
  t.equal(JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8')).tokensFrom, 'subword');

  // Another dataset: refused without --force (cli-usage.test.ts), taken loudly with it.
  const before = fs.readFileSync(path.join(out, 'tokenize', 'vocab.arrow'));
  r = lexflow(['run', ...base, '--dataset', other, '--to', 'tokenize']);
  t.equal(r.code, 2);
  t.ok(fs.readFileSync(path.join(out, 'tokenize', 'vocab.arrow')).equals(before), 'refused: the tokenization is kept');
  r = lexflow(['run', ...base, '--dataset', other, '--to', 'tokenize', '--force']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stderr, /replacing the run of dataset .*corpus in .* with .*other \(--force\)/);
  t.equal(JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8')).dataset, other);
});

t.test('a corpus of one document is split by lines, and says so', async (t) => {
  const dir = tmpDir(t);
  const file = path.join(dir, 'one.txt');
  const lines = Array.from({ length: 400 }, (_, i) => `line ${i} says the same old thing .`);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  const out = path.join(dir, 'run');
  const r = lexflow(['stage', 'tokenize', '--dataset', file, '--out', out, '--threads', '1', '--block-bytes', '1k']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stderr, /the corpus has 1 document, fewer than the 3 splits of --split 0\.9,0\.05,0\.05: split by lines instead/);
  const m = manifest(path.join(out, 'tokenize'));
  t.match(m.warnings, [/split by lines/], 'the warning is kept in the manifest');
  // Each line's split, computed here from the same hash of (file id, line number).
  const want = [0, 0, 0];
  lines.forEach((_, i) => want[splitOfId(recordId('one.txt', i + 1), parseSplitFractions([0.9, 0.05, 0.05]))]!++);
  t.ok(want[1]! > 0 && want[2]! > 0, `the hash puts lines in every split (${want.join('/')})`);
  const splits = (m.metrics as { splits: Record<string, { sentences: number }> }).splits;
  t.same([splits.train!.sentences, splits.valid!.sentences, splits.test!.sentences], want, 'one sentence per line, in the split its hash names');
});
