// `--seq2seq.arch transformer` through the real CLI on the tiny parallel
// corpus: translations.arrow has the documented columns and agrees with the
// hypothesis files, the references and the source files, and its score is the
// model's length-normalised log-probability (recomputed here by a
// teacher-forced pass, not by the decoder that wrote it); attention.arrow has
// one map per layer and head; `eval bleu --model` reproduces the stage's BLEU.
// Bad input: --heads not dividing --d-model, a NaN loss, settings that need
// the full softmax, a --model that is not a model: one line, exit 2, no stage
// output.

import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { readTableSync } from '../pipeline/arrow.js';
import { tmpDir } from '../testkit/tmp.js';
import { writeToyParallel } from '../testkit/parallel-corpus.js';
import { lexflow } from '../testkit/cli.js';

const settings: Record<string, string> = {
  arch: 'transformer', 'd-model': '32', heads: '4', layers: '2', ffn: '64', 'min-count': '1', lr: '0.01', warmup: '20', decay: 'rsqrt',
  'batch-tokens': '300', softmax: 'full', 'share-embeddings': 'true', 'label-smoothing': '0.1', beam: '2', 'max-minutes': '0.5', epochs: '4',
};
/** --threads 1 and the seq2seq settings above, with `over` replacing some. */
const small = (over: Record<string, string> = {}): string[] => ['--threads', '1', ...Object.entries({ ...settings, ...over }).flatMap(([k, v]) => [`--seq2seq.${k}`, v])];

t.test('a Transformer run writes translations.arrow, per-head attention, and eval bleu --model reproduces its BLEU', async (t) => {
  const dir = tmpDir(t);
  const data = writeToyParallel(path.join(dir, 'toy'));
  const out = path.join(dir, 'out');
  const r = lexflow(['run', '--dataset', data, '--source', 'en', '--target', 'de', '--out', out, ...small()]);
  t.equal(r.code, 0, r.stderr.slice(-2000));
  const stage = path.join(out, 'seq2seq');
  const lines = (f: string): string[] => fs.readFileSync(f, 'utf8').replace(/\n$/, '').split('\n');

  const tr = readTableSync(path.join(stage, 'translations.arrow'));
  t.same(tr.schema.fields.map((f) => `${f.name}:${f.type}`), ['id:Int32', 'source:Utf8', 'hypothesis:Utf8', 'reference:Utf8', 'score:Float32', 'split:Utf8', 'setting:Utf8']);
  const rows = tr.toArray().map((x) => ({ id: Number(x.id), source: String(x.source), hypothesis: String(x.hypothesis), reference: String(x.reference), score: Number(x.score), split: String(x.split), setting: String(x.setting) }));
  t.equal(rows.length, 2 * 2 * 20, 'valid and test, greedy and beam2, 20 sentences each');
  for (const [split, file] of [['valid', 'val'], ['test', 'test']] as const)
    for (const setting of ['greedy', 'beam2']) {
      const these = rows.filter((x) => x.split === split && x.setting === setting);
      t.same(these.map((x) => x.id), [...Array(20).keys()], `${split} ${setting}: ids are the rows of the split`);
      t.same(these.map((x) => x.hypothesis), lines(path.join(stage, `hyp-${split}-${setting}.txt`)), `${split} ${setting}: hypotheses = hyp file`);
      t.same(these.map((x) => x.reference), lines(path.join(data, `${file}.de`)), `${split} ${setting}: references = the target file`);
      t.same(these.map((x) => x.source), lines(path.join(data, `${file}.en`)), `${split} ${setting}: sources = the source file`);
    }

  // score = ln P(hypothesis </s>) / (|Y| + 1): recompute by a teacher-forced pass of the saved model.
  const { selectBackend, tf } = await import('../lib/nn/backend/index.js');
  const { loadSeq2Seq } = await import('../lib/seq2seq/artifacts.js');
  const { makeBatch, readPairsTable } = await import('../lib/seq2seq/data.js');
  const { greedyTranslate } = await import('../lib/seq2seq/decode.js');
  await selectBackend('wasm');
  const m = loadSeq2Seq(stage);
  const test = readPairsTable(path.join(stage, 'tokens', 'test.arrow'));
  const hypIds = greedyTranslate(m.model, test.src.slice(0, 5));
  const greedyTest = rows.filter((x) => x.split === 'test' && x.setting === 'greedy');
  hypIds.forEach((h, i) => {
    const { logProb, tokens } = m.model.score(makeBatch([test.src[i]!], [Int32Array.from(h.ids)]));
    t.equal(tokens, h.ids.length + 1);
    t.ok(Math.abs(logProb / tokens - greedyTest[i]!.score) < 1e-4, `sentence ${i}: score ${greedyTest[i]!.score} = teacher-forced ${logProb / tokens}`);
  });
  tf.dispose(m.model.params);

  const att = readTableSync(path.join(stage, 'attention.arrow')).toArray();
  const maps = new Map<string, number>();
  for (const x of att) maps.set(`${x.layer}/${x.head}/${x.target_pos}`, (maps.get(`${x.layer}/${x.head}/${x.target_pos}`) ?? 0) + Number(x.weight));
  t.same([...new Set(att.map((x) => `${x.layer}/${x.head}`))].sort(), ['0/0', '0/1', '0/2', '0/3', '1/0', '1/1', '1/2', '1/3'], 'layers × heads maps');
  t.ok([...maps.values()].every((s) => Math.abs(s - 1) < 1e-4), 'each map row sums to 1 over the source');

  const metrics = readTableSync(path.join(stage, 'metrics.arrow')).toArray().map((x) => ({ metric: String(x.metric), split: String(x.split), value: Number(x.value), note: String(x.note) }));
  for (const [beam, setting] of [['1', 'greedy'], ['2', 'beam2']]) {
    const want = metrics.find((x) => x.metric === 'bleu' && x.split === 'test' && x.note.startsWith(setting))!.value;
    const e = lexflow(['eval', 'bleu', '--model', stage, '--split', 'test', '--beam', beam, '--json']);
    t.equal(e.code, 0, e.stderr);
    t.ok(Math.abs(JSON.parse(e.stdout).bleu - want) < 1e-9, `eval bleu --model --beam ${beam}: ${JSON.parse(e.stdout).bleu} = the stage's ${want}`);
  }
  const plain = lexflow(['eval', 'bleu', '--model', path.join(stage, 'model'), '--split', 'valid', '--beam', '1']);
  t.equal(plain.code, 0, plain.stderr);
  t.match(plain.stdout, /^BLEU = \d+\.\d\d .*\n  signature: nrefs:1\|case:mixed\|eff:no\|tok:13a\|smooth:exp/, 'the model folder works too, sacreBLEU-style');

  for (const [args, re] of [
    [['--model', dir], /is not the seq2seq stage folder of a run/],
    [['--model', stage, '--hyp', 'x', '--ref', 'y'], /give either --model DIR .* or --hyp FILE --ref FILE, not both/],
    [['--model', stage, '--split', 'train'], /--split train: choose valid or test/],
    [['--model', stage, '--beam', '100000'], /--beam 100000 is wider than the model's target vocabulary/],
    [[], /give --hyp FILE and --ref FILE/],
  ] as [string[], RegExp][]) {
    const b = lexflow(['eval', 'bleu', ...args]);
    t.equal(b.code, 2, args.join(' '));
    t.match(b.stderr, re);
    t.equal(b.stderr.trim().split('\n').length, 1, 'one line');
  }
});

t.test('bad settings and a NaN loss: one line naming the flags, exit 2, no stage output', async (t) => {
  const dir = tmpDir(t);
  const data = writeToyParallel(path.join(dir, 'toy'));
  const cases: [string, Record<string, string>, RegExp, boolean][] = [
    ['heads', { 'd-model': '30', heads: '4' }, /--heads 4 does not divide --d-model 30/, true],
    ['share', { softmax: 'class', 'label-smoothing': '0' }, /--share-embeddings needs --softmax full/, true],
    ['smoothing', { softmax: 'class', 'share-embeddings': 'false' }, /--label-smoothing 0\.1 needs --softmax full/, true],
    ['nan', { lr: '1e30', warmup: '0', clip: '0', 'max-minutes': '0.2' }, /seq2seq: loss became NaN at step \d+ .*training stopped.*Lower --lr, or set --clip/, false],
  ];
  for (const [name, extra, re, beforeWork] of cases) {
    const out = path.join(dir, `out-${name}`);
    const r = lexflow(['run', '--dataset', data, '--source', 'en', '--target', 'de', '--out', out, ...small(extra)]);
    t.equal(r.code, 2, `${name}: exit 2`);
    t.match(r.stderr, re, name);
    t.equal(r.stderr.trim().split('\n').filter((l) => l.startsWith('lexflow:')).length, 1, `${name}: one error line`);
    t.notMatch(r.stderr, /^\s+at /m, `${name}: no stack trace`);
    t.notOk(fs.existsSync(path.join(out, 'seq2seq')), `${name}: no stage folder`);
    t.same(fs.readdirSync(out).filter((f) => f.startsWith('seq2seq.tmp')), [], `${name}: no temp folder left`);
    if (beforeWork) t.notMatch(r.stdout + r.stderr, /reading pairs/, `${name}: refused before any work`);
  }
});
