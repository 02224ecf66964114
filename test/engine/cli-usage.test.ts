// Bad usage through the real binary (issue 14): every case exits 2 with one
// line on stderr that names the flag, key or file, prints no stack trace, and
// leaves the run directory exactly as it was.
import t from 'tap';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { cliPath, tmpDir } from '../../testkit/tmp.js';
import { writeCorpus } from '../../testkit/corpus.js';
import { lexflow } from '../../testkit/cli.js';



/** Every file under `dir` with its bytes' hash and mtime: what "nothing changed" compares. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        out[path.relative(dir, p) + '/'] = 'dir';
        walk(p);
      } else out[path.relative(dir, p)] = `${crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex')} ${fs.statSync(p).mtimeMs}`;
    }
  };
  walk(dir);
  return out;
}

// One small tokenized run directory that every case below must leave untouched.
const root = tmpDir(t);
const corpus = writeCorpus(path.join(root, 'corpus'), 2, 20_000, 5);
const out = path.join(root, 'run');
const first = lexflow(['stage', 'tokenize', '--dataset', corpus, '--out', out, '--threads', '1', '--quiet']);
if (first.code !== 0) throw new Error(`setup failed: ${first.stderr}`);
const cfg = (name: string, obj: unknown): string => {
  const f = path.join(root, name);
  fs.writeFileSync(f, JSON.stringify(obj));
  return f;
};
const file = path.join(root, 'a-file');
fs.writeFileSync(file, 'not a folder\n');

const cases: [string, string[], RegExp][] = [
  ['unknown run flag that is a stage param', ['run', '--out', out, '--min-count', '5'], /unknown option --min-count: .*--tokenize\.min-count/],
  ['stage param with - for .', ['run', '--out', out, '--tokenize-min-count', '5'], /unknown option --tokenize-min-count; did you mean --tokenize\.min-count\?/],
  ['misspelt --threads', ['run', '--out', out, '--thread', '1'], /unknown option --thread; did you mean --threads\?/],
  ['misspelt stage param', ['run', '--out', out, '--tokenize.min-cout', '5'], /stage tokenize: unknown parameter --min-cout; did you mean --min-count\?/],
  ['misspelt flag on stage', ['stage', 'tokenize', '--out', out, '--thread', '1'], /unknown parameter --thread; did you mean --threads\?/],
  ['config key "stage"', ['run', '--out', out, '--config', cfg('stage.json', { stage: { tokenize: { 'min-count': 5 } } })], /stage\.json: unknown key "stage"; did you mean stages\?/],
  ['config key "bogus"', ['run', '--out', out, '--config', cfg('bogus.json', { bogus: 1 })], /bogus\.json: unknown key "bogus"/],
  ['config stage misspelt', ['run', '--out', out, '--config', cfg('st.json', { stages: { tokenise: {} } })], /st\.json: unknown stage "tokenise" under "stages"; did you mean tokenize\?/],
  ['config param misspelt', ['run', '--out', out, '--config', cfg('p.json', { stages: { tokenize: { 'min-cont': 2 } } })], /stage tokenize: unknown parameter --min-cont; did you mean --min-count\?/],
  ['config threads', ['run', '--out', out, '--config', cfg('th.json', { threads: 0 })], /th\.json: --threads 0 is not a thread count/],
  ['sample without --model', ['sample'], /Missing required argument: model; see lexflow sample --help/],
  ['eval ppl without --model', ['eval', 'ppl'], /Missing required argument: model; see lexflow eval --help/],
  ['inspect without a file', ['inspect'], /missing <file>: lexflow inspect <file>/],
  ['neighbors without --embeddings', ['neighbors', 'king'], /Missing required argument: embeddings/],
  ['stage without a name', ['stage'], /missing <name>: lexflow stage <name>/],
  ['inspect with an unknown flag', ['inspect', file, '--heads', '3'], /Unknown argument: heads/],
  ['--threads 0', ['run', '--out', out, '--threads', '0'], /--threads "0" is not a thread count; give a whole number from 1/],
  ['--threads abc', ['run', '--out', out, '--threads', 'abc'], /--threads "abc" is not a thread count/],
  ['--threads -2', ['run', '--out', out, '--threads', '-2'], /--threads "-2" is not a thread count/],
  ['--threads 1.5', ['run', '--out', out, '--threads', '1.5'], /--threads "1\.5" is not a thread count/],
  ['--threads on stage', ['stage', 'ngrams', '--out', out, '--threads', '1.5'], /--threads "1\.5" is not a thread count/],
  ['empty selection', ['run', '--out', out, '--from', 'svd', '--to', 'tokenize'], /--from svd --to tokenize selects no stage: tokenize is not svd or downstream of it/],
  ['--only with a missing input', ['run', '--out', out, '--only', 'tokenize', 'word2vec', 'glove', 'svd', '--force'], /stage svd needs the output of stage cooccur, but .* has none/],
  ['--out is a file', ['run', '--out', file], /--out .*a-file is a file, not a folder/],
  ['--out under a file', ['run', '--out', path.join(file, 'x')], /--out .*a-file\/x: a parent of it is a file, not a folder/],
  ['status --out a file', ['status', '--out', file], /--out .*a-file is a file, not a run directory/],
  ['status --out missing', ['status', '--out', path.join(root, 'nowhere')], /nowhere: no such run directory/],
  ['--block-bytes 0', ['run', '--out', out, '--tokenize.block-bytes', '0', '--force'], /stage tokenize: --block-bytes 0 is below its minimum of 64 bytes/],
  ['another dataset on the directory', ['run', '--out', out, '--dataset', 'brown'], /holds a run of dataset .*corpus, not brown; use another --out for brown, or add --force/],
];

for (const [name, args, re] of cases) {
  t.test(name, async (t) => {
    const before = snapshot(root);
    const r = lexflow(args);
    t.equal(r.code, 2, `exit 2 (stderr: ${r.stderr})`);
    const lines = r.stderr.trim().split('\n');
    t.equal(lines.length, 1, 'one line on stderr');
    t.match(lines[0], /^lexflow: /);
    t.match(lines[0], re);
    t.notMatch(r.stderr, /\n\s+at |TypeError|ENOTDIR|EEXIST|EACCES/, 'no stack trace, no raw errno');
    t.same(snapshot(root), before, 'nothing in the run directory (or beside it) changed');
  });
}
