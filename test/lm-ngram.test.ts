// The lm-ngram stage: modified Kneser–Ney worked by hand on the ten-sentence
// corpus and equal to lmplz's ARPA for it; every smoothed model sums to 1;
// ARPA round trip; eval ppl (KenLM conventions) and bad input.

import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import ngrams from '../stages/ngrams/index.js';
import lmNgram from '../stages/lm-ngram/index.js';
import { readCounts, suffixRows } from '../stages/lm-ngram/counts.js';
import { estimateKneserNey, kneserNeyDiscounts } from '../stages/lm-ngram/kneser-ney.js';
import { firstAppearanceRanks } from '../stages/lm-ngram/first-appearance.js';
import { readArpa, writeArpa } from '../stages/lm-ngram/arpa.js';
import { formatLog10 } from '../stages/lm-ngram/arpa-writer.js';
import { estimateAbsolute, estimateMle } from '../stages/lm-ngram/simple-models.js';
import { estimateKatz } from '../stages/lm-ngram/katz.js';
import { estimateJelinekMercer, fitLambdas } from '../stages/lm-ngram/jelinek-mercer.js';
import { AddKModel } from '../stages/lm-ngram/add-k.js';
import { perplexity } from '../stages/lm-ngram/perplexity.js';
import { evalPerplexity } from '../pipeline/cli/eval-ppl.js';
import { listTokenShards, BOS, EOS, PAD, UNK } from '../lib/formats/tokens.js';
import { readTableSync } from '../pipeline/arrow.js';
import { UsageError } from '../pipeline/errors.js';
import { seededRandom } from '../lib/random/seeded.js';
import type { NextTokenModel } from '../lib/lm/next-token-model.js';
import { spawnSync } from 'node:child_process';
import { cliPath } from '../testkit/tmp.js';
import { tmpDir, closeTestPool, TEN_SENTENCES } from '../testkit/ngram-fixture.js';
import { randomCorpus } from '../testkit/random-corpus.js';
import { writeTokenShards } from '../testkit/token-shards.js';
import { runStageDirect } from '../testkit/stage-harness.js';
import { testPool } from '../testkit/ngram-fixture.js';

t.teardown(closeTestPool);

const FIXTURE = new URL('../../test/fixtures/ten-sentences.lmplz-o3.arpa', import.meta.url).pathname;

async function tenSentences(order: number): Promise<{ dir: string; tokens: string[]; index: Map<string, number> }> {
  const dir = tmpDir();
  const { tokens, index } = await writeTokenShards(path.join(dir, 'tokenize'), { train: TEN_SENTENCES, valid: TEN_SENTENCES.slice(0, 3), test: ['the cat sat on the red mat', 'a bird sat'] });
  await runStageDirect(ngrams, { inputs: { tokenize: path.join(dir, 'tokenize') }, outDir: path.join(dir, 'ngrams'), params: { order }, pool: testPool() });
  return { dir, tokens, index };
}

t.test('modified Kneser-Ney by hand on ten sentences (order 3)', async (t) => {
  const { dir, tokens, index } = await tenSentences(3);
  const counts = await readCounts(path.join(dir, 'ngrams'), 3);
  const rank = firstAppearanceRanks(listTokenShards(path.join(dir, 'tokenize'), 'train'), tokens.length);
  const { model, stats } = estimateKneserNey(counts, tokens.length, rank);
  const id = (w: string): number => index.get(w)!;
  const row1 = (w: string): number => Array.from(model.orders[0]!.words).indexOf(id(w));

  // Unigram adjusted counts = distinct left neighbours (in bigrams, <s> included):
  // the {<s>, on, saw} 3; cat {the, a} 2; sat {cat, dog} 2; on {sat, was, ran} 3; mat {the, a} 2;
  // dog {the, a, red} 3; log {the, a} 2; saw {cat, dog} 2; a {<s>, saw, on} 3; was {mat, log} 2;
  // red {was, a} 2; ran {dog, cat} 2; </s> {mat, log, dog, cat, red, ran, sat} 7; <unk> and <s> 0.
  const uniAdj = stats.adjusted[0]!;
  const expected: Record<string, number> = { the: 3, cat: 2, sat: 2, on: 3, mat: 2, dog: 3, log: 2, saw: 2, a: 3, was: 2, red: 2, ran: 2, '</s>': 7, '<unk>': 0, '<s>': 0 };
  for (const [w, a] of Object.entries(expected)) t.equal(uniAdj[row1(w)], a, `adjusted count of ${w}`);
  t.same(stats.countsOfCounts[0]!.slice(1), [0, 8, 4, 0], 'unigram counts of counts t1..t4');
  // No unigram with adjusted count 1: lmplz stops with BadDiscountException; we fall back.
  t.same(stats.fallbacks.map((f) => f.order), [1]);
  t.same(stats.discounts[0], [0, 0.5, 1, 1.5]);
  // Order 2: t = 25, 7, 1, 1 -> Y = 25/39; D1 = 1 - 2Y 7/25, D2 = 2 - 3Y 1/7, D3+ = 3 - 4Y 1/1.
  t.same(stats.countsOfCounts[1]!.slice(1), [25, 7, 1, 1]);
  const Y = 25 / 39;
  const D2 = [0, 1 - (2 * Y * 7) / 25, 2 - (3 * Y * 1) / 7, 3 - 4 * Y];
  for (let k = 1; k <= 3; k++) t.ok(Math.abs(stats.discounts[1]![k]! - D2[k]!) < 1e-6, `order-2 D${k} = ${D2[k]!.toFixed(6)}`);

  // Unigrams: sum of adjusted counts 3*4 + 2*8 + 7 = 35; gamma = (0.5*0 + 1*8 + 1.5*5)/35;
  // V = 14 (12 words, </s>, <unk>; not <s>). p(w) = (a - D(a))/35 + gamma/14.
  const gamma0 = (8 + 1.5 * 5) / 35;
  const pCat = (2 - 1) / 35 + gamma0 / 14;
  const pThe = (3 - 1.5) / 35 + gamma0 / 14;
  const lp = (w: string): number => model.orders[0]!.logprob[row1(w)]!;
  t.ok(Math.abs(lp('cat') - Math.log10(pCat)) < 1e-6, 'p(cat)');
  t.ok(Math.abs(lp('the') - Math.log10(pThe)) < 1e-6, 'p(the)');
  t.ok(Math.abs(lp('<unk>') - Math.log10(gamma0 / 14)) < 1e-6, 'p(<unk>) = gamma/V');
  t.equal(lp('<s>'), 0, '<s> has probability 1 as in lmplz');

  // Bigrams after "the": a(the cat) = |{<s>}| = 1, a(the dog) = |{<s>, saw}| = 2,
  // a(the mat) = |{on, <s>}| = 2, a(the log) = |{on}| = 1; sum 6.
  // gamma(the) = (D1*2 + D2*2)/6; p(cat|the) = (1 - D1)/6 + gamma(the) p(cat).
  const gThe = (D2[1]! * 2 + D2[2]! * 2) / 6;
  const pCatThe = (1 - D2[1]!) / 6 + gThe * pCat;
  t.ok(Math.abs(model.logProb10(Int32Array.of(id('the')), 1, 1, id('cat')) - Math.log10(pCatThe)) < 1e-6, `p(cat | the) = ${pCatThe.toFixed(6)}`);
  const theRow = row1('the');
  t.ok(Math.abs(model.orders[0]!.backoff[theRow]! - Math.log10(gThe)) < 1e-6, 'backoff(the) = log10 gamma(the)');
  // An unseen bigram backs off: p(red | the) = gamma(the) * p(red).
  const pRed = (2 - 1) / 35 + gamma0 / 14;
  t.ok(Math.abs(model.logProb10(Int32Array.of(id('the')), 1, 1, id('red')) - Math.log10(gThe * pRed)) < 1e-6, 'p(red | the) backs off');

  // Every probability and backoff equals lmplz's (KenLM 5.x, lmplz -o 3 --discount_fallback).
  const ref = await readArpa(FIXTURE, tokens, index);
  let maxD = 0;
  for (let n = 1; n <= 3; n++) {
    const a = model.orders[n - 1]!;
    const b = ref.model.orders[n - 1]!;
    t.equal(a.rows, b.rows, `order ${n}: as many n-grams as lmplz`);
    for (let r = 0; r < a.rows; r++) {
      const j = b.index.find(a.words, r * n);
      t.ok(j >= 0 || t.fail(`n-gram ${Array.from(a.words.subarray(r * n, r * n + n), (i) => tokens[i]).join(' ')} missing in lmplz's model`));
      maxD = Math.max(maxD, Math.abs(a.logprob[r]! - b.logprob[j]!), Math.abs(a.backoff[r]! - b.backoff[j]!));
    }
  }
  t.ok(maxD < 1e-6, `max |delta| against lmplz ${maxD.toExponential(2)}`);
});

t.test('discounts: where lmplz would throw', async (t) => {
  t.same(kneserNeyDiscounts([0, 10, 0, 3, 1]), { bad: 'no n-grams with adjusted count 2' });
  // Y = 10/14; D2 = 2 - 3 Y 10/2 < 0.
  const r = kneserNeyDiscounts([0, 10, 2, 10, 1]);
  t.ok('bad' in r && /D2 = -\d.* out of range/.test(r.bad), 'a negative D2 is refused');
  // Y = 10/28: D1 = 1 - 2Y 9/10, D2 = 2 - 3Y 3/9, D3+ = 3 - 4Y 1/3, all in range.
  const ok = kneserNeyDiscounts([0, 10, 9, 3, 1]);
  const y = 10 / 28;
  t.ok('d' in ok && Math.abs(ok.d[1] - (1 - (2 * y * 9) / 10)) < 1e-6 && Math.abs(ok.d[3] - (3 - (4 * y) / 3)) < 1e-6);
});

/** exp(nextLogProbs) over the whole vocabulary, </s> included, summed. */
async function mass(model: NextTokenModel, prefix: Int32Array): Promise<number> {
  const lp = await model.nextLogProbs(prefix);
  let s = 0;
  for (let i = 0; i < lp.length; i++) if (lp[i]! > -Infinity) s += Math.exp(lp[i]!);
  // <s> and <pad> are never predicted.
  return lp[BOS] === -Infinity && lp[PAD] === -Infinity ? s : NaN;
}

t.test('every smoothed model sums to 1 over the vocabulary and </s>, for random contexts', async (t) => {
  const dir = tmpDir();
  const lines = randomCorpus(600, 11, 40);
  const valid = randomCorpus(60, 12, 45);
  const { tokens } = await writeTokenShards(path.join(dir, 'tokenize'), { train: lines, valid });
  await runStageDirect(ngrams, { inputs: { tokenize: path.join(dir, 'tokenize') }, outDir: path.join(dir, 'ngrams'), params: { order: 4 }, pool: testPool() });
  const counts = await readCounts(path.join(dir, 'ngrams'), 4);
  const V = tokens.length;
  const models: Record<string, NextTokenModel> = {
    'kneser-ney': estimateKneserNey(counts, V).model,
    absolute: estimateAbsolute(counts, V).model,
    katz: estimateKatz(counts, V).model,
    'jelinek-mercer': estimateJelinekMercer(counts, V, [0.7, 0.6, 0.5, 0.4]),
    'add-k': new AddKModel(counts, V, 0.5),
    mle: estimateMle(counts, V),
  };
  const rnd = seededRandom(5);
  const contexts: Int32Array[] = [new Int32Array(0)];
  for (let i = 0; i < 12; i++) {
    // Half from the corpus (seen contexts), half random ids (mostly unseen), <unk> included.
    const line = lines[Math.floor(rnd() * lines.length)]!.split(' ');
    const len = 1 + Math.floor(rnd() * 4);
    contexts.push(
      i % 2 === 0
        ? Int32Array.from(line.slice(0, len), (w) => tokens.indexOf(w))
        : Int32Array.from({ length: len }, () => (rnd() < 0.1 ? UNK : 4 + Math.floor(rnd() * (V - 4)))),
    );
  }
  for (const [name, m] of Object.entries(models)) {
    let worst = 0;
    for (const c of contexts) {
      const d = Math.abs((await mass(m, c)) - 1);
      worst = Number.isNaN(d) || d > worst ? d : worst;
    }
    t.ok(worst < 1e-6, `${name}: max |sum - 1| = ${worst.toExponential(2)} over ${contexts.length} contexts`);
  }
});

t.test('Jelinek-Mercer EM: lambdas maximize held-out likelihood', async (t) => {
  // One order: held-out tokens where p_ML = 0.5 half the time and 0 otherwise, uniform 0.1.
  // L(l) = sum log(l a + (1-l) 0.1) is maximal where its derivative is 0:
  // 0.4/(0.1 + 0.4 l) = 0.1/(0.1 - 0.1 l)  ->  l = 0.375.
  const a = Float64Array.from({ length: 200 }, (_, i) => (i % 2 ? 0.5 : 0));
  const [l] = fitLambdas(a, 1, 0.1, 200);
  t.ok(Math.abs(l! - 0.375) < 1e-3, `lambda = ${l}`);
});

t.test('stage: every model, ARPA and Arrow files, metrics.arrow, fallback warning, eval ppl', async (t) => {
  const { dir, tokens, index } = await tenSentences(3);
  const out = path.join(dir, 'lm-ngram');
  const { result, warnings } = await runStageDirect(lmNgram, { inputs: { tokenize: path.join(dir, 'tokenize'), ngrams: path.join(dir, 'ngrams') }, outDir: out, params: { arpa: 'all' }, pool: testPool() });
  t.match(warnings.join('\n'), /kneser-ney: order 1: no n-grams with adjusted count 1 \(counts of adjusted counts t1\.\.t4 = 0, 8, 4, 0\)/);
  t.same((result.metrics as Record<string, { discountFallbackOrders?: number[] }>)['kneser-ney']!.discountFallbackOrders, [1], 'fallback in the manifest metrics');
  for (const m of ['kneser-ney', 'absolute', 'katz', 'jelinek-mercer', 'stupid-backoff', 'mle']) {
    t.ok(fs.existsSync(path.join(out, m, 'model.arpa')), `${m}/model.arpa`);
    t.ok(fs.existsSync(path.join(out, m, 'order-3.arrow')), `${m}/order-3.arrow`);
  }
  const table = readTableSync(path.join(out, 'metrics.arrow'));
  const rows = table.toArray().map((r) => r.toJSON() as { metric: string; split: string; value: number; model: string });
  const testPpl = new Map(rows.filter((r) => r.metric === 'ppl' && r.split === 'test').map((r) => [r.model, r.value]));
  t.same([...testPpl.keys()].sort(), ['absolute', 'add-k', 'jelinek-mercer', 'katz', 'kneser-ney', 'mle', 'stupid-backoff']);
  t.equal(testPpl.get('mle'), Infinity, 'MLE gives unseen test events probability 0');
  t.equal(String(table.schema.fields.find((f) => f.name === 'value')!.type), 'Float64');

  // The stage's ARPA equals lmplz's, and eval ppl of the stage folder equals scoring lmplz's ARPA file.
  const ours = await readArpa(path.join(out, 'kneser-ney', 'model.arpa'), tokens, index);
  const ref = await readArpa(FIXTURE, tokens, index);
  const shards = listTokenShards(path.join(dir, 'tokenize'), 'test');
  const a = perplexity(ours.model, shards);
  const b = perplexity(ref.model, shards);
  t.ok(Math.abs(a.ppl - b.ppl) / b.ppl < 1e-6, `ppl ${a.ppl} = lmplz model's ${b.ppl}`);
  // KenLM conventions: "bird" is an OOV; tokens = 7 + 3 words + 2 </s> = 12.
  t.equal(a.oovs, 1);
  t.equal(a.tokens, 12);
  const lines: string[] = [];
  const r = await evalPerplexity({ model: out, split: 'test', 'per-sentence': true }, (s) => lines.push(s));
  t.ok(Math.abs(r.ppl - a.ppl) < 1e-9, 'eval ppl reads the Arrow model back');
  t.match(lines.join(''), /Perplexity including OOVs:\t[\d.]+\nPerplexity excluding OOVs:\t[\d.]+\nOOVs:\t1\nTokens:\t12/);
  t.equal(lines.filter((l) => l.startsWith('doc ')).length, 2, 'one line per sentence');
  const viaArpa = await evalPerplexity({ model: FIXTURE, split: 'test', tokens: path.join(dir, 'tokenize') }, () => {});
  t.ok(Math.abs(viaArpa.ppl - a.ppl) / a.ppl < 1e-6, 'an ARPA file written by lmplz scores the same');
  const katz = await evalPerplexity({ model: path.join(out, 'katz'), split: 'test' }, () => {});
  t.ok(Math.abs(katz.ppl - testPpl.get('katz')!) < 1e-6 * katz.ppl, 'a model folder selects that model');

  // The same through the CLI: `lexflow eval ppl` prints KenLM's summary, `lexflow sample` text.
  const cli = (args: string[]): { code: number; stdout: string; stderr: string } => {
    const r = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', env: { ...process.env, CI: '1' } });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const ev = cli(['eval', 'ppl', '--model', out, '--split', 'test']);
  t.equal(ev.code, 0, ev.stderr);
  const printed = Number(/Perplexity including OOVs:\t([\d.]+)/.exec(ev.stdout)?.[1]);
  t.ok(Math.abs(printed - a.ppl) < 1e-9, `CLI prints ${printed}`);
  const sm = cli(['sample', '--model', out, '--strategy', 'beam', '--beam', '2', '--prompt', 'the', '--max-tokens', '5']);
  t.equal(sm.code, 0, sm.stderr);
  t.equal(sm.stdout.trim().split('\n').length, 2, 'two best beams');
  t.match(sm.stdout, /^-\d+\.\d+\tthe /);

  // A test split from another vocabulary: refused, exit 2.
  const other = tmpDir();
  await writeTokenShards(path.join(other, 'tokenize'), { train: ['some other words entirely'], test: ['other words'] });
  const err = await evalPerplexity({ model: out, split: 'test', tokens: path.join(other, 'tokenize') }, () => {}).catch((e: unknown) => e);
  t.ok(err instanceof UsageError && err.exitCode === 2, 'different vocabularies: exit 2');
  t.match((err as Error).message, /not the one the model .* was estimated with/);
  const bad = cli(['eval', 'ppl', '--model', out, '--tokens', path.join(other, 'tokenize')]);
  t.equal(bad.code, 2, 'exit 2 from the CLI');
  t.equal(bad.stderr.trim().split('\n').length, 1, `one line: ${bad.stderr.trim()}`);
});

t.test('ARPA round trip, and corrupt or truncated ARPA names the line', async (t) => {
  const dir = tmpDir();
  const lines = randomCorpus(300, 21, 30);
  const { tokens, index } = await writeTokenShards(path.join(dir, 'tokenize'), { train: lines, test: randomCorpus(30, 22, 30) });
  await runStageDirect(ngrams, { inputs: { tokenize: path.join(dir, 'tokenize') }, outDir: path.join(dir, 'ngrams'), params: { order: 3 }, pool: testPool() });
  const { model } = estimateKneserNey(await readCounts(path.join(dir, 'ngrams'), 3), tokens.length);
  const file = path.join(dir, 'm.arpa');
  await writeArpa(file, model, tokens);
  const back = await readArpa(file, tokens, index);
  let maxD = 0;
  for (let n = 1; n <= 3; n++) {
    const a = model.orders[n - 1]!;
    const b = back.model.orders[n - 1]!;
    t.equal(b.rows, a.rows);
    for (let r = 0; r < a.rows; r++) {
      const j = b.index.find(a.words, r * n);
      maxD = Math.max(maxD, j < 0 ? Infinity : Math.max(Math.abs(a.logprob[r]! - b.logprob[j]!), Math.abs(a.backoff[r]! - b.backoff[j]!)));
    }
  }
  t.ok(maxD < 1e-7, `round trip max |delta| ${maxD}`);
  const shards = listTokenShards(path.join(dir, 'tokenize'), 'test');
  t.ok(Math.abs(perplexity(model, shards).ppl - perplexity(back.model, shards).ppl) < 1e-4);

  const text = fs.readFileSync(file, 'utf8').split('\n');
  const truncated = path.join(dir, 'truncated.arpa');
  // Lines 1-4 header, 5 blank, 6 \\1-grams:, so line 30 holds the 24th unigram.
  fs.writeFileSync(truncated, text.slice(0, 30).join('\n') + '\n');
  await t.rejects(readArpa(truncated, tokens, index), /truncated.arpa:30: the file ends here, before \\end\\ \(truncated in the \\1-grams: section after 24 of \d+ n-grams/);
  const corrupt = path.join(dir, 'corrupt.arpa');
  const bad = text.slice();
  bad[12] = 'x.y\tw1';
  fs.writeFileSync(corrupt, bad.join('\n'));
  await t.rejects(readArpa(corrupt, tokens, index), /corrupt.arpa:13: "x.y" is not a log10 probability/);
  const wrongCount = path.join(dir, 'count.arpa');
  fs.writeFileSync(wrongCount, text.join('\n').replace(/ngram 2=(\d+)/, (_, n) => `ngram 2=${Number(n) + 1}`));
  const err = await readArpa(wrongCount, tokens, index).catch((e: unknown) => e);
  t.ok(err instanceof UsageError, 'exit 2');
  t.match((err as Error).message, /count.arpa:\d+: the \\2-grams: section has \d+ n-grams but \\data\\ declares/);
});

t.test('ARPA numbers: 8 significant digits, parsed back exactly enough', async (t) => {
  const buf = new Uint8Array(64);
  const rnd = seededRandom(9);
  const xs = [0, -99, -Infinity, 0.5, -0.0045374703, -1.4998643, 1000, -0.001, 2.5e-7, -12.25];
  for (let i = 0; i < 2000; i++) xs.push(-Math.pow(10, rnd() * 6 - 4) * (rnd() < 0.9 ? 1 : -1));
  let worst = 0;
  const badFormat: string[] = [];
  for (const x of xs) {
    const text = new TextDecoder().decode(buf.subarray(0, formatLog10(buf, 0, Math.fround(x))));
    if (!/^-?\d+(\.\d+)?(e[-+]\d+)?$/.test(text)) badFormat.push(text);
    const back = Number(text);
    const want = x === -Infinity || x < -99 ? -99 : Math.fround(x);
    worst = Math.max(worst, want === 0 ? Math.abs(back) : Math.abs(back - want) / Math.abs(want));
  }
  t.same(badFormat, [], 'plain decimal numbers');
  t.ok(worst < 1e-7, `worst relative error ${worst}`);
});

// Eight digits are what lmplz-compatible files have always held here; they are
// within 1e-7 relative (above) but not always the same float32 (that takes nine).
t.test('ARPA numbers: digit by digit, the same text as toPrecision(8) without its trailing zeros, for every kind of float32', async (t) => {
  const buf = new Uint8Array(64);
  const rnd = seededRandom(17);
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  const xs: number[] = [];
  // Random bit patterns over the exponents ARPA values take (|x| from 1e-5 to 1e7),
  // each decade's edges, and log10 of probabilities as the estimates make them.
  for (let i = 0; i < 200_000; i++) {
    u32[0] = ((rnd() < 0.9 ? 0x80000000 : 0) | ((100 + Math.floor(rnd() * 50)) << 23) | Math.floor(rnd() * 0x800000)) >>> 0;
    xs.push(f32[0]!);
  }
  for (let e = -5; e <= 7; e++) for (const m of [1, 0.99999999, 1.0000001, 9.9999999, 0.5]) xs.push(Math.fround(m * 10 ** e), Math.fround(-m * 10 ** e));
  for (let i = 0; i < 100_000; i++) xs.push(Math.fround(Math.log10(rnd())));
  const reference = (x: number): string => (x === -Infinity || x < -99 ? '-99' : x === 0 ? '0' : Math.abs(x) >= 1e-4 && Math.abs(x) < 1e6 ? String(Number(x.toPrecision(8))) : x.toPrecision(8));
  const differ: string[] = [];
  for (const x of xs) {
    const got = new TextDecoder().decode(buf.subarray(0, formatLog10(buf, 0, x)));
    if (got !== reference(x) && differ.length < 5) differ.push(`${x}: ${got} vs ${reference(x)}`);
  }
  t.same(differ, [], `${xs.length} values`);
});

t.test('bad input: a one-word vocabulary', async (t) => {
  const dir = tmpDir();
  await writeTokenShards(path.join(dir, 'tokenize'), { train: ['la la la', 'la'] });
  await runStageDirect(ngrams, { inputs: { tokenize: path.join(dir, 'tokenize') }, outDir: path.join(dir, 'ngrams'), params: { order: 2 }, pool: testPool() });
  const err = await runStageDirect(lmNgram, { inputs: { tokenize: path.join(dir, 'tokenize'), ngrams: path.join(dir, 'ngrams') }, outDir: path.join(dir, 'lm'), params: {}, pool: testPool() }).catch((e: unknown) => e);
  t.ok(err instanceof UsageError, 'exit 2');
  t.match((err as Error).message, /vocabulary of 1 word/);
  await t.rejects(
    runStageDirect(lmNgram, { inputs: { tokenize: path.join(dir, 'tokenize'), ngrams: path.join(dir, 'ngrams') }, outDir: path.join(dir, 'lm2'), params: { model: 'kneser-ney,magic' }, pool: testPool() }),
    /unknown model/,
  );
  void EOS;
});

// Issue 15: the scoring bar has a total that its ticks reach; estimating (one call) says what it did.
t.test('progress: scoring counts the valid and test sentences; estimating says what it estimated from', async (t) => {
  const { dir } = await tenSentences(3);
  const lines: string[] = [];
  await runStageDirect(lmNgram, {
    inputs: { tokenize: path.join(dir, 'tokenize'), ngrams: path.join(dir, 'ngrams') },
    outDir: path.join(dir, 'lm-ngram'),
    params: { model: 'kneser-ney,add-k', arpa: 'none' },
    pool: testPool(),
    progress: 'plain',
    plainEvery: 0,
    onProgress: (l) => lines.push(l),
  });
  const counted = [1, 2, 3].reduce((n, k) => n + readTableSync(path.join(dir, 'ngrams', 'ngrams', `order-${k}.arrow`)).numRows, 0);
  const last = (step: string): string | undefined => lines.filter((l) => l.startsWith(step + ' [')).at(-1);
  // valid: 3 sentences, test: 2
  t.match(last('4/4 scoring kneser-ney'), / 100\.0% 5\/5 sentences, /);
  t.match(last('4/4 scoring add-k'), / 100\.0% 5\/5 sentences, /);
  t.ok(lines.some((l) => l.startsWith(`2/4 estimating kneser-ney: from ${counted} n-grams of orders 1-3 (`)), 'estimating says what it estimated from');
  t.notOk(lines.some((l) => l.startsWith('3/4 writing add-k')), 'add-k has no model files to write');
  t.notOk(lines.some((l) => /: done \(/.test(l)), 'no summary that says only "done"');
});

t.test('suffix rows found through the sorted tables are the hash index answers, with and without pruning', async (t) => {
  for (const prune of [
    [0, 0, 0, 0],
    [0, 1, 1, 2],
  ]) {
    const dir = tmpDir();
    await writeTokenShards(path.join(dir, 'tokenize'), { train: randomCorpus(1500, 21, 150) });
    await runStageDirect(ngrams, { inputs: { tokenize: path.join(dir, 'tokenize') }, outDir: path.join(dir, 'ngrams'), params: { order: 4, prune }, pool: testPool() });
    const orders = await readCounts(path.join(dir, 'ngrams'), 4);
    for (let n = 2; n <= 4; n++) {
      const got = suffixRows(orders, n);
      const o = orders[n - 1]!;
      let differ = 0;
      let absent = 0;
      for (let r = 0; r < o.rows; r++) {
        const want = orders[n - 2]!.index.find(o.words, r * n + 1);
        if (got[r] !== want) differ++;
        if (want < 0) absent++;
      }
      t.equal(differ, 0, `order ${n}, --prune ${prune.join(' ')}: ${o.rows} rows, ${absent} suffixes absent`);
    }
  }
});
