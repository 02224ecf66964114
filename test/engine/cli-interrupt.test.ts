// What a run directory promises through the real binary (issue 14): settings
// that stay (run.json), a clean Ctrl-C / SIGTERM, no stale checkpoints, and
// manifests that say when output is not reproducible.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { cliPath, tmpDir } from '../../testkit/tmp.js';
import { writeCorpus } from '../../testkit/corpus.js';
import { lexflow, readManifestJson } from '../../testkit/cli.js';

const env = { ...process.env, CI: '1', NODE_OPTIONS: '' };


const manifest = readManifestJson;

/** Start the CLI, wait until `ready()` holds, send `signal`; resolves with the exit code and stderr. */
async function interrupt(args: string[], ready: () => boolean, signal: NodeJS.Signals): Promise<{ code: number | null; stderr: string; sent: boolean }> {
  const child = spawn(process.execPath, [cliPath, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let sent = false;
  for (let i = 0; i < 6000 && child.exitCode === null; i++) {
    if (ready()) {
      child.kill(signal);
      sent = true;
      break;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  const code = await exited;
  return { code, stderr, sent };
}

t.test('Ctrl-C and SIGTERM: one message, lock released, temp folder gone, checkpoints kept then cleared', async (t) => {
  const dir = tmpDir(t);
  const corpus = writeCorpus(path.join(dir, 'corpus'), 12, 150_000, 3);
  const out = path.join(dir, 'run');
  const tmpOf = (stage: string): string[] => (fs.existsSync(out) ? fs.readdirSync(out).filter((n) => n.startsWith(`${stage}.tmp-`)) : []);

  const a = await interrupt(['stage', 'tokenize', '--dataset', corpus, '--out', out, '--threads', '1', '--block-bytes', '16k'], () => tmpOf('tokenize').length > 0, 'SIGINT');
  t.ok(a.sent, 'interrupted while tokenize ran');
  t.equal(a.code, 130, 'SIGINT exits 130');
  t.match(a.stderr, /lexflow: interrupted \(SIGINT\) during stage tokenize; finished stages are kept: rerun the same command to continue\n$/);
  t.notMatch(a.stderr, /\n\s+at /, 'no stack trace');
  t.notOk(fs.existsSync(path.join(out, '.lock')), 'lock released');
  t.same(tmpOf('tokenize'), [], 'no tokenize.tmp-* left');
  t.notOk(fs.existsSync(path.join(out, 'tokenize')), 'no half stage folder');

  let r = lexflow(['stage', 'tokenize', '--dataset', corpus, '--out', out, '--threads', '1', '--block-bytes', '16k', '--quiet']);
  t.equal(r.code, 0, r.stderr);
  const ckRoot = path.join(out, '.checkpoints');
  const ckFiles = (): string[] =>
    fs.existsSync(ckRoot) ? fs.readdirSync(ckRoot).flatMap((d) => fs.readdirSync(path.join(ckRoot, d)).map((f) => `${d}/${f}`)) : [];
  const w2v = ['stage', 'word2vec', '--out', out, '--threads', '1', '--checkpoint-every', '10000', '--dim', '20'];
  const b = await interrupt([...w2v, '--epochs', '200'], () => ckFiles().some((f) => f.endsWith('.bin')), 'SIGTERM');
  t.ok(b.sent, 'interrupted after word2vec wrote a checkpoint');
  t.equal(b.code, 143, 'SIGTERM exits 143');
  t.match(b.stderr, /interrupted \(SIGTERM\) during stage word2vec; .*; word2vec resumes from its checkpoint\n$/);
  t.notOk(fs.existsSync(path.join(out, '.lock')));
  t.same(tmpOf('word2vec'), []);
  t.ok(ckFiles().length > 0, 'the checkpoint is kept');

  // Another fingerprint completes: the old checkpoint cannot serve any run and goes.
  r = lexflow([...w2v, '--epochs', '1', '--quiet']);
  t.equal(r.code, 0, r.stderr);
  t.same(ckFiles(), [], 'no checkpoint left once word2vec completed');
  t.notOk(fs.existsSync(ckRoot), 'no empty .checkpoints folder either');
});
