// The seq2seq stage through the real CLI on a tiny parallel corpus made here:
// it learns the toy translation, its BLEU in metrics.arrow is the BLEU of the
// hypothesis file it wrote, `translate` reproduces it, attention.arrow has the
// documented columns; bad input is one line and exit 2 with nothing written.

import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { readTableSync } from '../pipeline/arrow.js';
import { corpusBleu } from '../lib/metrics/bleu.js';
import { cliPath, tmpDir } from '../testkit/tmp.js';
import { writeToyParallel } from '../testkit/parallel-corpus.js';
import { lexflow } from '../testkit/cli.js';


const small = ['--threads', '1', '--seq2seq.hidden', '32', '--seq2seq.embed', '16', '--seq2seq.min-count', '1', '--seq2seq.lr', '0.01', '--seq2seq.warmup', '5', '--seq2seq.batch-tokens', '300'];

t.test('the stage learns a toy translation and reports BLEU as sacreBLEU would score its output', async (t) => {
  const dir = tmpDir(t);
  const data = writeToyParallel(path.join(dir, 'toy'));
  const out = path.join(dir, 'out');
  const r = lexflow(['run', '--dataset', data, '--source', 'en', '--target', 'de', '--out', out, ...small, '--seq2seq.beam', '2', '--seq2seq.max-minutes', '0.5', '--seq2seq.epochs', '30']);
  t.equal(r.code, 0, r.stderr.slice(-2000));
  const stage = path.join(out, 'seq2seq');
  const metrics = readTableSync(path.join(stage, 'metrics.arrow'));
  const rows = metrics.toArray().map((x) => ({ metric: String(x.metric), split: String(x.split), value: Number(x.value), note: String(x.note) }));
  const bleu = rows.find((x) => x.metric === 'bleu' && x.split === 'test' && x.note.startsWith('greedy'))!;
  t.ok(bleu, 'test BLEU (greedy) in metrics.arrow');
  const read = (f: string): string[] => fs.readFileSync(path.join(stage, f), 'utf8').replace(/\n$/, '').split('\n');
  const hyps = read('hyp-test-greedy.txt');
  const refs = read('ref-test.txt');
  t.ok(Math.abs(corpusBleu(hyps, [refs]).score - bleu.value) < 1e-9, 'metrics BLEU = BLEU of the written hypotheses');
  const ppl = rows.find((x) => x.metric === 'ppl' && x.split === 'test')!.value;
  const V = readTableSync(path.join(stage, 'vocab-tgt.arrow')).numRows;
  // A model that learned nothing scores about V (uniform); the one-to-one toy mapping is far below.
  t.ok(ppl < V / 3, `the toy mapping is being learned: test ppl ${ppl.toFixed(2)} over ${V} types, BLEU ${bleu.value.toFixed(2)}`);
  t.ok(rows.some((x) => x.metric === 'chrf' && x.split === 'test' && x.note.startsWith('beam2')));
  // The training curve: step rows, then one validation row per epoch, the last one the
  // figure the loop kept (its valid ppl is the metrics' valid ppl when training ran to its end).
  const hist = readTableSync(path.join(stage, 'history.arrow')).toArray().map((x) => ({ step: Number(x.step), epoch: Number(x.epoch), validPpl: Number(x.valid_ppl), loss: Number(x.train_loss) }));
  const validations = hist.filter((h) => Number.isFinite(h.validPpl));
  t.ok(validations.length >= 1, `history.arrow has a validation row per epoch (${validations.length})`);
  t.ok(hist.every((h, i) => i === 0 || h.step >= hist[i - 1]!.step), 'history steps never go back');
  const bestValid = Math.min(...validations.map((h) => h.validPpl));
  const validPpl = rows.find((x) => x.metric === 'ppl' && x.split === 'valid')!.value;
  t.ok(Math.abs(bestValid - validPpl) / validPpl < 1e-6, `the best validation in history.arrow (${bestValid}) is the reported valid ppl (${validPpl})`);
  // Token tables: src and tgt id lists per row.
  const tok = readTableSync(path.join(stage, 'tokens', 'test.arrow'));
  t.same(tok.schema.fields.map((f) => f.name), ['src', 'tgt']);
  t.equal(tok.numRows, 20);
  const att = readTableSync(path.join(stage, 'attention.arrow'));
  t.same(att.schema.fields.map((f) => f.name), ['sentence', 'layer', 'head', 'target_pos', 'source_pos', 'weight']);
  // Each target position's weights sum to 1 over the source.
  const sums = new Map<number, number>();
  for (const x of att.toArray()) sums.set(Number(x.target_pos), (sums.get(Number(x.target_pos)) ?? 0) + Number(x.weight));
  t.ok([...sums.values()].every((s) => Math.abs(s - 1) < 1e-4), 'attention rows sum to 1');

  // translate: greedy on the first test sentence gives the hypothesis file's first line.
  const src = fs.readFileSync(path.join(data, 'test.en'), 'utf8').split('\n')[0]!;
  const tr = lexflow(['translate', '--model', stage, '--beam', '1', src]);
  t.equal(tr.code, 0, tr.stderr);
  t.equal(tr.stdout.trim(), hyps[0]);
  const viaStdin = lexflow(['translate', '--model', stage, '--beam', '1'], { input: `${src}\n` });
  t.equal(viaStdin.stdout.trim(), hyps[0], 'stdin, one sentence per line');

  // Bad input at translate time: a beam wider than the vocabulary; vocabularies from another run.
  const wide = lexflow(['translate', '--model', stage, '--beam', '100000', src]);
  t.equal(wide.code, 2);
  t.match(wide.stderr, /--beam 100000 is wider than the model's target vocabulary/);
  const other = path.join(dir, 'other-model');
  fs.cpSync(path.join(stage, 'model'), other, { recursive: true });
  fs.copyFileSync(path.join(stage, 'vocab-src.arrow'), path.join(other, 'vocab-tgt.arrow'));
  const bad = lexflow(['translate', '--model', other, src]);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /not the model's .*another run/);
  t.equal(bad.stderr.trim().split('\n').length, 1);
});

t.test('--seq2seq.pieces bpe: joint BPE learned on the training pairs, saved with the model, used by translate', async (t) => {
  const dir = tmpDir(t);
  const data = writeToyParallel(path.join(dir, 'toy'));
  const out = path.join(dir, 'out');
  const r = lexflow(['run', '--dataset', data, '--source', 'en', '--target', 'de', '--out', out, ...small, '--seq2seq.beam', '1', '--seq2seq.max-minutes', '0.3', '--seq2seq.epochs', '3', '--seq2seq.pieces', 'bpe', '--seq2seq.bpe-vocab', '40']);
  t.equal(r.code, 0, r.stderr.slice(-2000));
  t.match(r.stdout + r.stderr, /tokens are joint BPE, 40 pieces/);
  const stage = path.join(out, 'seq2seq');
  const json = JSON.parse(fs.readFileSync(path.join(stage, 'model', 'model.json'), 'utf8'));
  const seg = json.modelTopology.segmenter;
  t.equal(seg.kind, 'bpe');
  t.equal(seg.joint, true);
  t.equal(seg.source.pieces.length, 40);
  // 40 pieces over 10+10 toy words: some words stay split, so the vocabularies are pieces, not words.
  const vocab = readTableSync(path.join(stage, 'vocab-tgt.arrow')).toArray().map((x) => String(x.token));
  t.ok(vocab.every((p) => seg.source.pieces.includes(p)), 'every target token is a piece of the BPE model');
  const hyps = fs.readFileSync(path.join(stage, 'hyp-test-greedy.txt'), 'utf8').split('\n');
  const src = fs.readFileSync(path.join(data, 'test.en'), 'utf8').split('\n')[0]!;
  const tr = lexflow(['translate', '--model', stage, '--beam', '1', src]);
  t.equal(tr.code, 0, tr.stderr);
  t.equal(tr.stdout.trim(), hyps[0], 'translate cuts the sentence with the saved BPE and gives the stage\'s hypothesis');
});

t.test('bad parallel input: one line naming the file and line, exit 2, nothing written', async (t) => {
  const dir = tmpDir(t);
  const cases: [string, (d: string) => void, RegExp][] = [
    ['misaligned', (d) => fs.appendFileSync(path.join(d, 'train.de'), 'Ein Satz zu viel.\n'), /train\.en: has 400 lines, train\.de has 401: line 401 has no counterpart/],
    ['empty target line', (d) => {
      const f = path.join(d, 'val.de');
      const lines = fs.readFileSync(f, 'utf8').split('\n');
      lines[6] = '';
      fs.writeFileSync(f, lines.join('\n'));
    }, /val\.de:7: empty target line/],
  ];
  for (const [name, spoil, re] of cases) {
    const data = writeToyParallel(path.join(dir, name));
    spoil(data);
    const out = path.join(dir, `out-${name}`);
    const r = lexflow(['run', '--dataset', data, '--source', 'en', '--target', 'de', '--out', out, ...small]);
    t.equal(r.code, 2, name);
    t.match(r.stderr, re, name);
    t.equal(r.stderr.trim().split('\n').filter((l) => l.startsWith('lexflow:')).length, 1, `${name}: one error line`);
    t.notOk(fs.existsSync(path.join(out, 'seq2seq', '_manifest.json')), `${name}: no stage output`);
  }
  const data = writeToyParallel(path.join(dir, 'ok'));
  const beam = lexflow(['run', '--dataset', data, '--source', 'en', '--target', 'de', '--out', path.join(dir, 'out-beam'), ...small, '--seq2seq.beam', '64']);
  t.equal(beam.code, 2);
  t.match(beam.stderr, /--beam 64 is wider than the target vocabulary/);
  const lang = lexflow(['run', '--dataset', data, '--source', 'en', '--target', 'fr', '--out', path.join(dir, 'out-lang'), ...small]);
  t.equal(lang.code, 2);
  t.match(lang.stderr, /has no fr files/);
});
