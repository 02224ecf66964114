// `lexflow run` on a dialog dataset and `lexflow chat`, through the real CLI as
// a child process: --ask, --json, --k, piped stdin with its context, the
// commands, paraphrases of corpus questions, and bad input (an empty, a 1 MB
// or a foreign-script message; a model folder of another stage; a corpus with
// no conversation of two turns; sif without vectors): a clear answer, or one
// error line and exit 2, never a stack trace or a hang; and a changed --vectors
// file makes the stage stale.

import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { cliPath, tmpDir } from '../testkit/tmp.js';
import { readTableSync } from '../pipeline/arrow.js';
import { lexflow, expectOneErrorLine } from '../testkit/cli.js';

const FIXTURE = path.resolve(new URL('.', import.meta.url).pathname, '../../test/fixtures/chatterbot');

// Fifteen CLI processes: on a loaded machine each takes seconds to start.
t.setTimeout(900_000);

const out = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR ?? '/tmp'), 'lexflow-chat-'));
t.teardown(() => fs.rmSync(out, { recursive: true, force: true }));
const model = path.join(out, 'chatbot');

t.before(async () => {
  const r = lexflow(['run', '--dataset', `chatterbot=${FIXTURE}`, '--out', out, '--threads', '1', '--chatbot.held-out', '0.2', '--quiet']);
  if (r.code !== 0) throw new Error(`run failed: ${r.stderr}`);
});

t.test('a plain run on a dialog dataset runs the chatbot stage only and writes its files', async (t) => {
  // Besides the stage folders, a run writes run.json and its report page (report/).
  t.same(fs.readdirSync(out).filter((f) => !f.startsWith('.') && !f.endsWith('.json') && !f.endsWith('.lock') && f !== 'report').sort(), ['chatbot']);
  t.ok(fs.existsSync(path.join(out, 'report', 'index.html')), 'the run ends with its report');
  for (const f of ['model.json', 'index.arrow', 'vocab.arrow', 'metrics.arrow', '_manifest.json']) t.ok(fs.existsSync(path.join(model, f)), f);
  const manifest = JSON.parse(fs.readFileSync(path.join(model, '_manifest.json'), 'utf8'));
  t.ok(manifest.warnings.some((w: string) => /trivia\.yml: conversation 14 .*skipped/.test(w)), 'the skipped conversation is in the manifest');
  const index = readTableSync(path.join(model, 'index.arrow'));
  t.same(index.schema.fields.map((f) => f.name), ['id', 'context', 'terms', 'vector'].slice(0, 2).concat(['text', 'terms', 'vector']));
  const metrics = readTableSync(path.join(model, 'metrics.arrow'));
  const names = new Set<string>();
  for (let i = 0; i < metrics.numRows; i++) names.add(`${metrics.getChild('metric')!.get(i)}:${metrics.getChild('turns')!.get(i)}`);
  for (const m of ['recall@1:1', 'recall@5:1', 'mrr:1', 'recall@1:3', 'mrr:3']) t.ok(names.has(m), m);
});

t.test('--ask answers once; --json and --k give the candidates and their scores', async (t) => {
  const r = lexflow(['chat', '--model', model, '--ask', 'What is AI?']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^(Artificial Intelligence is the branch|AI is the field of science)/);
  const j = JSON.parse(lexflow(['chat', '--model', model, '--ask', 'what language are you written in', '--json', '--k', '3']).stdout);
  t.match(j.reply, /Python/);
  t.equal(j.known, true);
  t.equal(j.candidates.length, 3);
  t.ok(j.candidates[0].score >= j.candidates[1].score && j.candidates[1].score >= j.candidates[2].score, 'best first');
  t.equal(j.candidates[0].context.at(-1), 'What language are you written in?');
  t.equal(lexflow(['chat', '--model', out, '--ask', 'Hello']).code, 0, 'the run folder works too');
});

t.test('piped stdin: one reply per message, the context kept; commands work there too', async (t) => {
  const r = lexflow(['chat', '--model', model, '--json'], { input: 'Good morning, how are you?\nI\'m also good.\n/reset\n/mode generative\nHello\n' });
  t.equal(r.code, 0, r.stderr);
  const replies = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  t.equal(replies.length, 3, 'commands print nothing in --json');
  t.equal(replies[0].reply, 'I am doing well, how about you?');
  t.equal(replies[1].reply, "That's good to hear.", 'the second line answered in the context of the first');
  const plain = lexflow(['chat', '--model', model], { input: '/mode generative\n/k 2\nHello\n/quit\nnever read\n' });
  const lines = plain.stdout.trim().split('\n');
  t.match(lines[0], /no generative part/);
  t.match(lines[1], /showing 2 candidates/);
  t.equal(lines.length, 2 + 1 + 2, 'a reply and its two candidates, nothing after /quit');
});

t.test('paraphrases of corpus questions find their answer', async (t) => {
  // Worded here, not in the corpus; each with the corpus question it means (in the comment).
  const asks: [string, RegExp][] = [
    ['what exactly is AI', /^(Artificial Intelligence is|AI is the field)/], // What is AI?
    ['Which programming language were you written in?', /Python/], // What language are you written in?
    ['Are you a sentient being?', /Sort of|sentience|subjective experience/], // Are you sentient?
    ['are you sapient or not', /not that sophisticated|Do you think I am|if I told you I was|^No\.$/], // Are you sapient?
    ['so how are you doing today?', /good|well|fine/i], // How are you doing?
  ];
  const r = lexflow(['chat', '--model', model, '--json'], { input: asks.map(([q]) => `${q}\n/reset\n`).join('') });
  const replies = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  t.equal(replies.length, asks.length);
  asks.forEach(([q, re], i) => t.match(replies[i].reply, re, `${q} -> ${replies[i].reply}`));
});

t.test('bad messages get a clear answer: empty, whitespace, 1 MB, a script the model never saw', async (t) => {
  expectOneErrorLine(t, lexflow(['chat', '--model', model, '--ask', '   ']), /^lexflow: --ask is empty: give a message/);
  const big = 'a'.repeat(1 << 20);
  const t0 = Date.now();
  const r = lexflow(['chat', '--model', model, '--json'], { input: `${big}\n\n   \nПривет, как у тебя дела?\n你好吗\nWhat is AI?\n` });
  t.ok(Date.now() - t0 < 60_000, 'no hang');
  t.equal(r.code, 0, r.stderr);
  const replies = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  t.equal(replies.length, 6);
  t.equal(replies[0].reason, 'message too long');
  t.match(replies[0].reply, /too long for me \(1048576 characters/);
  t.equal(replies[1].reason, 'empty message');
  t.equal(replies[2].reason, 'empty message');
  t.equal(replies[3].known, false);
  t.equal(replies[3].reason, 'no word of the message is in my vocabulary');
  t.equal(replies[4].known, false);
  t.match(replies[5].reply, /Artificial Intelligence|AI is/, 'and it still answers after them');
});

t.test('bad models and corpora: one line, exit 2', async (t) => {
  const dir = tmpDir(t);
  const svd = path.join(dir, 'svd');
  fs.mkdirSync(svd);
  fs.writeFileSync(path.join(svd, '_manifest.json'), JSON.stringify({ stage: 'svd' }));
  expectOneErrorLine(t, lexflow(['chat', '--model', svd, '--ask', 'hi']), /svd: is the output of the svd stage, not of the chatbot stage\. Point --model at the chatbot stage folder/);
  expectOneErrorLine(t, lexflow(['chat', '--model', model, '--mode', 'generative', '--ask', 'hi']), /--mode generative: This model has no generative part/);
  const lonely = path.join(dir, 'lonely.jsonl');
  fs.writeFileSync(lonely, '{"turns": ["hello"]}\n{"turns": []}\n');
  expectOneErrorLine(t, lexflow(['run', '--dataset', `dialog=${lonely}`, '--out', path.join(dir, 'o1'), '--quiet']), /lonely\.jsonl: holds no conversation of two turns or more \(lonely\.jsonl: 2 conversation\(s\) with fewer than two turns: skipped\)\. A conversation is a list/);
  expectOneErrorLine(
    t,
    lexflow(['run', '--dataset', `chatterbot=${FIXTURE}`, '--out', path.join(dir, 'o2'), '--chatbot.encoder', 'sif', '--quiet']),
    /--encoder sif needs --vectors FILE/,
  );
  expectOneErrorLine(
    t,
    lexflow(['run', '--dataset', `chatterbot=${FIXTURE}`, '--out', path.join(dir, 'o3'), '--chatbot.encoder', 'sif', '--chatbot.vectors', path.join(dir, 'none.txt'), '--quiet']),
    /none\.txt: no such embeddings file/,
  );
  expectOneErrorLine(t, lexflow(['run', '--dataset', `chatterbot=${FIXTURE}`, '--out', path.join(dir, 'o4'), '--chatbot.language', 'klingon', '--quiet']), /--language klingon: the dataset has no klingon\/ folder; it has english/);
});

t.test('the fingerprint covers the content of the --vectors file: retrained vectors make the bot stale', async (t) => {
  const dir = tmpDir(t);
  const vec = path.join(dir, 'vectors.txt');
  const o = path.join(dir, 'run');
  fs.writeFileSync(vec, '4 3\nwhat 0.1 0.2 0.3\nis 0.3 0.1 0.2\nai 0.5 0.5 0.1\nhello 0.2 0.9 0.4\n');
  const run = (): string => {
    const r = lexflow(['run', '--dataset', `chatterbot=${FIXTURE}`, '--out', o, '--threads', '1', '--chatbot.encoder', 'sif', '--chatbot.vectors', vec]);
    t.equal(r.code, 0, r.stderr);
    return r.stdout.split('\n').find((l) => l.startsWith('chatbot '))!;
  };
  t.match(run(), /ran \(new\)/);
  t.match(run(), /up to date/, 'the same file: nothing to do');
  // Same words, same path, other values (word2vec retrained).
  fs.writeFileSync(vec, '4 3\nwhat 0.9 0.2 0.3\nis 0.3 0.1 0.2\nai 0.5 0.5 0.1\nhello 0.2 0.9 0.45\n');
  const status = lexflow(['status', '--out', o]);
  t.match(status.stdout.split('\n').find((l) => l.startsWith('chatbot ')), /stale/, 'status says so before the rerun');
  t.match(run(), /ran \(stale\)/, 'and the run rebuilds the bot');
});

t.test('the fingerprint of a retrieval-only bot leaves out the generative knobs: changing them keeps it up to date', async (t) => {
  const o = path.join(tmpDir(t), 'run');
  const run = (...extra: string[]): string => {
    const r = lexflow(['run', '--dataset', `chatterbot=${FIXTURE}`, '--out', o, '--threads', '1', ...extra]);
    t.equal(r.code, 0, r.stderr);
    return r.stdout.split('\n').find((l) => l.startsWith('chatbot '))!;
  };
  t.match(run(), /ran \(new\)/);
  t.match(run('--chatbot.gen-lr', '0.01', '--chatbot.decode', 'beam', '--chatbot.epochs', '3', '--chatbot.max-minutes', '1', '--chatbot.gen-valid', '0'), /up to date/, '--generative none: its knobs change nothing');
  t.match(lexflow(['status', '--out', o]).stdout.split('\n').find((l) => l.startsWith('chatbot ')), /done/, 'status agrees');
  t.match(run('--chatbot.turns', '2'), /ran \(stale\)/, 'a retrieval knob still does');
});
