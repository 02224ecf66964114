// The subword stage end to end through the runner: its outputs have the tokenize
// layout, decode back to the word shards, count what they say, and come out the
// same with 1 and 2 threads; the tokenize command and bad input (exit 2).

import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import readline from 'node:readline';
import { Readable } from 'node:stream';
import { runPipeline } from '../pipeline/runner.js';
import { createPool } from '../pipeline/pool.js';
import { readManifest } from '../pipeline/manifest.js';
import { listTokenShards, readTokenShard, readVocab, SPECIALS } from '../lib/formats/tokens.js';
import { SPLITS } from '../datasets/source.js';
import { loadTokenizer } from '../lib/subword/tokenizer.js';
import { formatEncoding } from '../stages/subword/tokenize-command.js';
import { cliPath, tmpDir } from '../testkit/tmp.js';
import { fixtureLines, FIXTURES } from '../testkit/subword/helpers.js';
import { registerSubwordStages } from '../testkit/subword/word-stage.js';

const standIn = registerSubwordStages();
const pools = [createPool(1), createPool(2)];
t.teardown(() => Promise.all(pools.map((p) => p.destroy())));

function corpus(t: Parameters<typeof tmpDir>[0]): string {
  const dir = tmpDir(t);
  const english = 'the lower newest widest low lowest\nthe quick brown fox jumps over the lazy dog\nnewer wider lower lowest\n';
  fs.writeFileSync(path.join(dir, 'a-english.txt'), english.repeat(4));
  fs.writeFileSync(path.join(dir, 'b-multilingual.txt'), FIXTURES.flatMap((f) => fixtureLines(f)).join('\n') + '\n');
  return dir;
}

const run = (out: string, dataset: string, threads: 0 | 1, params: Record<string, unknown> = {}) =>
  runPipeline({ out, dataset, only: ['tokenize', 'subword'], params: { subword: { 'vocab-size': 700, ...params } }, pool: pools[threads], logLevel: 'quiet', progress: 'quiet' });

t.test('outputs decode to the word shards, count what they hold, and match across thread counts', async (t) => {
  const data = corpus(t);
  const outs = [tmpDir(t), tmpDir(t)];
  await run(outs[0]!, data, 0);
  await run(outs[1]!, data, 1);
  const [one, two] = outs.map((o) => readManifest(path.join(o, 'subword'))!);
  t.same(two!.outputs, one!.outputs, 'every output file has the same checksum with --threads 1 and 2');

  const sub = path.join(outs[0]!, 'subword');
  const words = await readVocab(path.join(outs[0]!, 'tokenize'));
  const pieces = await readVocab(sub);
  const tok = loadTokenizer(path.join(sub, 'tokenizer.json'));
  t.same(pieces.tokens.slice(0, 4), [...SPECIALS], 'specials at ids 0..3');
  t.same(pieces.tokens, tok.pieces, 'vocab.arrow and tokenizer.json number pieces alike');
  t.equal(pieces.tokens.length, 700);
  for (let i = 5; i < pieces.counts.length; i++) if (pieces.counts[i - 1]! < pieces.counts[i]!) t.fail(`counts not descending at id ${i}`);

  const seen = new Float64Array(pieces.tokens.length);
  let unkSeen = 0;
  for (const split of SPLITS) {
    const inShards = listTokenShards(path.join(outs[0]!, 'tokenize'), split);
    const outShards = listTokenShards(sub, split);
    t.same(outShards.map((f) => path.basename(f)), inShards.map((f) => path.basename(f)), `${split}: one output shard per input shard`);
    inShards.forEach((file, s) => {
      const w = readTokenShard(file);
      const p = readTokenShard(outShards[s]!);
      t.equal(p.rows, w.rows);
      t.same(p.docs, w.docs, 'doc column kept');
      let bad = 0;
      for (let r = 0; r < w.rows; r++) {
        const text = Array.from(w.ids.subarray(w.offsets[r], w.offsets[r + 1]), (id) => words.tokens[id]).join(' ');
        const ids = p.ids.subarray(p.offsets[r], p.offsets[r + 1]);
        // Byte fallback: the only <unk> pieces are words the tokenize stage made <unk>.
        const unkWords = w.ids.subarray(w.offsets[r], w.offsets[r + 1]).filter((id) => id === 0).length;
        if (tok.decode(ids) !== text || ids.filter((id) => id === 0).length !== unkWords) bad++;
        if (split !== 'train') unkSeen += unkWords;
        if (split === 'train') for (const id of ids) seen[id]++;
      }
      t.equal(bad, 0, `${path.basename(file)}: every sentence decodes to its words`);
    });
  }
  // Specials keep the tokenize stage's counts (<s>, </s>: sentences); every other piece counts its train occurrences.
  const trainPieces = seen.reduce((a, b) => a + b, 0);
  for (const id of [1, 2, 3]) seen[id] = words.counts[id]!;
  t.same(Array.from(pieces.counts), Array.from(seen), 'vocab counts = piece occurrences in the train shards');
  // The stand-in puts every 10th line in valid and test; the real stage splits by document.
  if (standIn) t.ok(unkSeen > 0, 'some valid/test words were <unk> and decoded as "<unk>"');
  const m = readManifest(sub)!;
  t.equal((m.metrics.train as { pieces: number }).pieces, trainPieces, 'metrics count the train pieces');

  // The tokenize command prints pieces then ids.
  const r = spawnSync(process.execPath, [cliPath, 'tokenize', '--tokenizer', path.join(sub, 'tokenizer.json'), 'the  lowest', 'fox'], { encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stdout, formatEncoding(tok, 'the lowest fox'));
  const [pieceLine, idLine] = r.stdout.trim().split('\n');
  t.same(pieceLine!.split(' '), idLine!.split(' ').map((id) => tok.pieces[Number(id)]));
  t.equal(tok.decode(idLine!.split(' ').map(Number)), 'the lowest fox');
  const j = spawnSync(process.execPath, [cliPath, 'tokenize', '--tokenizer', path.join(sub, 'tokenizer.json'), '--json'], { input: 'fox\nthe dog\n', encoding: 'utf8' });
  t.equal(j.status, 0, j.stderr);
  t.same(j.stdout.trim().split('\n').map((l) => JSON.parse(l).ids), [tok.encode('fox'), tok.encode('the dog')], 'stdin: one line per input line');

  // Stdin in blocks over worker threads: the lines readline sees (\r\n, \n and a lone \r
  // end a line; a last line needs no break), in input order, with 1 thread and with 3.
  const endings = ['\n', '\r\n', '\r', '\n\n'];
  const sample = ['the', 'lowest', 'fox', 'dög', '猫', 'quick brown', ''];
  let input = '';
  for (let i = 0; input.length < 1_300_000; i++) input += `${sample[i % 7]} ${sample[(i * 3) % 7]} ${i % 13 === 0 ? 'x'.repeat(3000) : ''}${endings[i % 4]}`;
  input += 'last line without a break';
  const lines: string[] = [];
  for await (const line of readline.createInterface({ input: Readable.from([input]), crlfDelay: Infinity })) lines.push(line);
  const expected = lines.map((line) => formatEncoding(tok, line)).join('');
  for (const threads of ['1', '3']) {
    const b = spawnSync(process.execPath, [cliPath, 'tokenize', '--tokenizer', path.join(sub, 'tokenizer.json'), '--threads', threads], { input, encoding: 'utf8', maxBuffer: 1 << 28 });
    t.equal(b.status, 0, b.stderr);
    t.ok(b.stdout === expected, `--threads ${threads}: ${lines.length} lines in ${input.length} characters, each line's pieces and ids in input order (${b.stdout.length} vs ${expected.length} characters)`);
  }
  const bad = spawnSync(process.execPath, [cliPath, 'tokenize', '--tokenizer', path.join(sub, 'tokenizer.json'), '--threads', 'two'], { input: 'fox\n', encoding: 'utf8' });
  t.equal(bad.status, 2, '--threads two: exit 2');
  t.match(bad.stderr.trim(), /^lexflow: lexflow tokenize: --threads "two" is not a thread count; give a whole number/, 'one line naming the flag and the fix');
  t.notMatch(bad.stderr, /\n\s+at /, 'no stack trace');
});

t.test('wordpiece through the stage', async (t) => {
  const data = corpus(t);
  const out = tmpDir(t);
  await run(out, data, 1, { model: 'wordpiece', 'vocab-size': 900, 'character-coverage': 1 });
  const sub = path.join(out, 'subword');
  const tok = loadTokenizer(path.join(sub, 'tokenizer.json'));
  t.equal(tok.spec.kind, 'wordpiece');
  const words = await readVocab(path.join(out, 'tokenize'));
  const w = readTokenShard(listTokenShards(path.join(out, 'tokenize'), 'train')[0]!);
  const p = readTokenShard(listTokenShards(sub, 'train')[0]!);
  for (let r = 0; r < 5; r++) {
    const text = Array.from(w.ids.subarray(w.offsets[r], w.offsets[r + 1]), (id) => words.tokens[id]).join(' ');
    t.equal(tok.decode(p.ids.subarray(p.offsets[r], p.offsets[r + 1])), text);
  }
});

t.test('bad input: exit 2, one line naming the problem, nothing written', async (t) => {
  const data = corpus(t);
  const out = tmpDir(t);
  await t.rejects(run(out, data, 0, { 'vocab-size': 100 }), { exitCode: 2, message: /--vocab-size 100 is smaller than the alphabet.*at least \d+/ });
  t.notOk(fs.existsSync(path.join(out, 'subword')), 'no subword folder');

  await run(out, data, 0);
  const good = path.join(out, 'subword', 'tokenizer.json');
  const dir = tmpDir(t);
  const spec = JSON.parse(fs.readFileSync(good, 'utf8'));
  const cases: Array<[string, string, RegExp]> = [
    ['truncated.json', fs.readFileSync(good, 'utf8').slice(0, 200), /not valid JSON/],
    ['version.json', JSON.stringify({ ...spec, version: 2 }), /key "version" is 2, but this lexflow reads tokenizer version 1/],
    ['merges.json', JSON.stringify({ ...spec, merges: [['no-such', 'piece'], ...spec.merges] }), /key "merges\[0\]" names "no-such"/],
    ['kind.json', JSON.stringify({ ...spec, kind: 'unigram' }), /key "kind" is "unigram"/],
    ['specials.json', JSON.stringify({ ...spec, pieces: ['<s>', ...spec.pieces.slice(1)] }), /key "pieces\[0\]"/],
  ];
  for (const [name, text, re] of cases) {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    t.throws(() => loadTokenizer(file), { exitCode: 2, message: re }, name);
    t.throws(() => loadTokenizer(file), { message: new RegExp(name) }, 'names the file');
  }
  t.throws(() => loadTokenizer(path.join(dir, 'nope.json')), { exitCode: 2, message: /no such tokenizer file/ });
  // Through the CLI: exit 2 and one line.
  const r = spawnSync(process.execPath, [cliPath, 'tokenize', '--tokenizer', path.join(dir, 'version.json'), 'the fox'], { encoding: 'utf8' });
  t.equal(r.status, 2, 'exit 2');
  t.match(r.stderr, /version\.json: key "version" is 2/);
  t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
});
