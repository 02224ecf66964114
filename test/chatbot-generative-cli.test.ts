// The generative chatbot through the real CLI (child processes): a tiny dialog
// corpus that the encoder–decoder overfits in a few seconds (a fixed step
// budget, so the run is reproducible), then `lexflow chat --mode generative`
// with --ask, --json, --k, --decode, piped stdin with its context kept (two
// conversations that end in the same question get the answers they were
// trained with), bad messages, and metrics.arrow's BLEU and distinct-n checked
// against the bot's own reply scored here.

import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { readTableSync } from '../pipeline/arrow.js';
import { lexflow, expectOneErrorLine } from '../testkit/cli.js';
import { corpusBleu } from '../lib/metrics/bleu.js';
import { distinctN } from '../lib/metrics/distinct.js';
import { isHeldOut } from '../datasets/dialog.js';

t.setTimeout(900_000);

const CONVERSATIONS = [
  ['What is your name?', 'My name is Lexbot.'],
  ['Do you like tea?', 'Yes, green tea is my favourite.'],
  ['Hello', 'Hi there!', 'How are you?', 'I am fine, thanks.'],
  ['Good morning', 'Good morning to you.', 'How are you?', 'A little tired today.'],
  ['Where do you live?', 'I live in a computer.'],
  ['What is your favourite colour?', 'Blue, like the sky.'],
  ['Can you sing?', 'Only in binary.'],
  ['Tell me a joke', 'Why did the robot cross the road? It was programmed to.'],
  ['Do you sleep?', 'Never, I am always here.'],
  ['Who made you?', 'A team of programmers.'],
];
const HELD_OUT = 0.3;
const held = CONVERSATIONS.filter((turns) => isHeldOut({ id: '', turns }, HELD_OUT));

const out = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR ?? '/tmp'), 'lexflow-genchat-'));
t.teardown(() => fs.rmSync(out, { recursive: true, force: true }));
const corpus = path.join(out, 'tiny.jsonl');
const model = path.join(out, 'run', 'chatbot');

t.before(async () => {
  fs.writeFileSync(corpus, CONVERSATIONS.map((turns) => JSON.stringify({ turns })).join('\n') + '\n');
  const r = lexflow([
    'run', '--dataset', `dialog=${corpus}`, '--out', path.join(out, 'run'), '--threads', '1', '--quiet',
    '--chatbot.held-out', String(HELD_OUT), '--chatbot.generative', 'rnn', '--chatbot.max-steps', '300', '--chatbot.epochs', '200',
    '--chatbot.gen-embed', '16', '--chatbot.gen-hidden', '48', '--chatbot.gen-lr', '0.02', '--chatbot.gen-dropout', '0',
    // Every word of a ten-conversation corpus is rare, and every conversation is needed: no <unk>, no validation split.
    '--chatbot.gen-min-count', '1', '--chatbot.gen-valid', '0',
  ]);
  if (r.code !== 0) throw new Error(`run failed: ${r.stderr}`);
});

t.test('the corpus split: the conversations asked below are trained on, one is held out', async (t) => {
  t.same(held, [['Do you sleep?', 'Never, I am always here.']]);
});

t.test('the model folder holds the seq2seq part, with <sep> in its source vocabulary', async (t) => {
  for (const f of ['model.json', 'weights.bin', 'vocab-src.arrow', 'vocab-tgt.arrow']) t.ok(fs.existsSync(path.join(model, 'generative', f)), `generative/${f}`);
  const meta = JSON.parse(fs.readFileSync(path.join(model, 'model.json'), 'utf8'));
  t.match(meta.generative, { arch: 'rnn', dir: 'generative', separator: '<sep>', shape: { turns: 3, maxSource: 40 }, decode: { kind: 'greedy' } });
  const vocab = readTableSync(path.join(model, 'generative', 'vocab-src.arrow'));
  t.equal(vocab.getChild('token')!.get(4), '<sep>');
  const manifest = JSON.parse(fs.readFileSync(path.join(model, '_manifest.json'), 'utf8'));
  t.equal(manifest.reproducible, true, 'a step budget: the same bytes on every run');
});

t.test('--ask answers a training question with the trained answer; --json and --k', async (t) => {
  for (const [q, a] of [['What is your name?', 'My name is Lexbot.'], ['Who made you?', 'A team of programmers.'], ['DO YOU LIKE TEA?', 'Yes, green tea is my favourite.']]) {
    const r = lexflow(['chat', '--model', model, '--mode', 'generative', '--ask', q!]);
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stdout.trim(), a, q);
  }
  const r = lexflow(['chat', '--model', model, '--mode', 'generative', '--ask', 'Where do you live?', '--json', '--k', '3']);
  t.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  t.equal(j.reply, 'I live in a computer.');
  t.equal(j.mode, 'generative');
  t.equal(j.known, true);
  t.ok(j.confidence > 0.5 && j.confidence <= 1, `confidence ${j.confidence}: the geometric mean probability of a memorized reply`);
  t.equal(j.candidates.length, 3, 'three beam hypotheses');
  t.equal(j.candidates[0].text, j.reply, 'the best beam is the greedy reply of an overfit model');
  t.ok(j.candidates[0].score >= j.candidates[1].score && j.candidates[1].score >= j.candidates[2].score, 'best first');
  t.same(j.candidates[0].context, ['Where do you live?']);
});

t.test('piped stdin keeps the context: the same question gets the answer of its conversation; /mode switches bots', async (t) => {
  const r = lexflow(['chat', '--model', model, '--json'], { input: '/mode generative\nHello\nHow are you?\n/reset\nGood morning\nHow are you?\n/mode retrieval\nWhat is your name?\n' });
  t.equal(r.code, 0, r.stderr);
  const replies = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  t.same(replies.map((x) => x.reply), ['Hi there!', 'I am fine, thanks.', 'Good morning to you.', 'A little tired today.', 'My name is Lexbot.']);
  t.same(replies.map((x) => x.mode), ['generative', 'generative', 'generative', 'generative', 'retrieval']);
});

t.test('--decode beam and sample; a bad --decode, a folder without its generative part: one line', async (t) => {
  const beam = lexflow(['chat', '--model', model, '--mode', 'generative', '--decode', 'beam', '--ask', 'Can you sing?']);
  t.equal(beam.stdout.trim(), 'Only in binary.');
  const sample = lexflow(['chat', '--model', model, '--mode', 'generative', '--decode', 'sample', '--ask', 'Can you sing?', '--json']);
  t.equal(sample.code, 0, sample.stderr);
  t.equal(JSON.parse(sample.stdout).mode, 'generative');
  expectOneErrorLine(t, lexflow(['chat', '--model', model, '--decode', 'nucleus', '--ask', 'hi']), /^lexflow: --decode nucleus: choose greedy, beam, sample/);
  const copy = path.join(out, 'copy');
  fs.cpSync(model, copy, { recursive: true });
  fs.rmSync(path.join(copy, 'generative'), { recursive: true });
  expectOneErrorLine(t, lexflow(['chat', '--model', copy, '--ask', 'hi']), /copy\/generative: is missing, but model\.json says the generative part is there\. Copy the chatbot folder whole/);
});

t.test('bad messages in generative mode: a clear answer, never a crash or a hang', async (t) => {
  const t0 = Date.now();
  const r = lexflow(['chat', '--model', model, '--mode', 'generative', '--json'], { input: `${'a'.repeat(1 << 20)}\n   \nПривет, как у тебя дела?\n${'tea '.repeat(4000)}\n/reset\nWhat is your name?\n` });
  t.ok(Date.now() - t0 < 120_000, 'no hang');
  t.equal(r.code, 0, r.stderr);
  const replies = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  t.equal(replies.length, 5);
  t.equal(replies[0].reason, 'message too long');
  t.equal(replies[1].reason, 'empty message');
  t.equal(replies[2].known, false);
  t.equal(replies[2].reason, 'no word of the message is in my vocabulary');
  t.equal(replies[3].known, true, 'a long message of known words: its last tokens read, answered');
  t.equal(replies[4].reply, 'My name is Lexbot.', 'and it still answers after them');
});

t.test("metrics.arrow: the generative bot's BLEU, distinct-1/2 and perplexity next to the retrieval figures", async (t) => {
  const m = readTableSync(path.join(model, 'metrics.arrow'));
  const rows: Record<string, number> = {};
  for (let i = 0; i < m.numRows; i++) rows[`${m.getChild('bot')!.get(i)}:${m.getChild('metric')!.get(i)}:${m.getChild('turns')!.get(i)}`] = m.getChild('value')!.get(i) as number;
  for (const k of ['retrieval-bm25:recall@1:1', 'retrieval-bm25:mrr:3', 'generative-rnn:bleu:1', 'generative-rnn:bleu:3', 'generative-rnn:distinct-1:3', 'generative-rnn:distinct-2:3', 'generative-rnn:ppl:3']) t.ok(k in rows, k);
  // The one held-out pair is (Do you sleep? -> Never, I am always here.): its context is one turn, so
  // the bot's reply is what --ask gives, and the figures follow from it.
  const [q, ref] = held[0]!;
  const reply = lexflow(['chat', '--model', model, '--mode', 'generative', '--ask', q!, '--json']);
  const text = JSON.parse(reply.stdout).reply as string;
  t.ok(Math.abs(rows['generative-rnn:bleu:3']! - corpusBleu([text], [[ref!]]).score) < 1e-9, `BLEU of "${text}" against "${ref}"`);
  t.equal(rows['generative-rnn:distinct-1:3'], distinctN([text], 1).score);
  t.equal(rows['generative-rnn:distinct-2:1'], distinctN([text], 2).score);
  t.ok(rows['generative-rnn:ppl:3']! > 1 && Number.isFinite(rows['generative-rnn:ppl:3']), 'a perplexity above 1 on an unseen reply');
});

t.test('the fingerprint: a generative bot goes stale when a --gen-* or decoding param changes', async (t) => {
  const o = path.join(out, 'fp');
  const run = (...extra: string[]): string => {
    const r = lexflow([
      'run', '--dataset', `dialog=${corpus}`, '--out', o, '--threads', '1', '--chatbot.held-out', String(HELD_OUT),
      '--chatbot.generative', 'rnn', '--chatbot.max-steps', '2', '--chatbot.gen-embed', '8', '--chatbot.gen-hidden', '8', '--chatbot.gen-min-count', '1', ...extra,
    ]);
    t.equal(r.code, 0, r.stderr);
    return r.stdout.split('\n').find((l) => l.startsWith('chatbot '))!;
  };
  t.match(run(), /ran \(new\)/);
  t.match(run(), /up to date/, 'the same params: nothing to do');
  t.match(run('--chatbot.gen-lr', '0.01'), /ran \(stale\)/, '--gen-lr retrains it');
  t.match(run('--chatbot.gen-lr', '0.01', '--chatbot.decode', 'beam'), /ran \(stale\)/, '--decode changes its replies');
});
