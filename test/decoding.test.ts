// Decoding over NextTokenModel: greedy, beam (checked against exhaustive
// enumeration), temperature / top-k / top-p distributions worked by hand, seeded
// sampling, and `lexflow sample` on an n-gram model.

import path from 'node:path';
import t from 'tap';
import { EOS } from '../lib/formats/tokens.js';
import type { NextTokenModel } from '../lib/lm/next-token-model.js';
import { greedy } from '../lib/lm/greedy.js';
import { beamSearch } from '../lib/lm/beam.js';
import { samplingDistribution, sample, draw } from '../lib/lm/sampling.js';
import { seededRandom } from '../lib/random/seeded.js';
import ngrams from '../stages/ngrams/index.js';
import lmNgram from '../stages/lm-ngram/index.js';
import { runSample } from '../pipeline/cli/sample.js';
import { UsageError } from '../pipeline/errors.js';
import { tmpDir, closeTestPool, TEN_SENTENCES } from '../testkit/ngram-fixture.js';
import { writeTokenShards } from '../testkit/token-shards.js';
import { runStageDirect } from '../testkit/stage-harness.js';
import { testPool } from '../testkit/ngram-fixture.js';

t.teardown(closeTestPool);

// A toy model over ids 0..6 (4 = a, 5 = b, 6 = c; 2 = </s>), depending on the last token only.
const TABLE: Record<number, number[]> = {
  [-1]: [0, 0, 0.0, 0, 0.5, 0.4, 0.1], // after <s>
  4: [0, 0, 0.6, 0, 0.0, 0.3, 0.1], // after a: </s> .6, b .3, c .1
  5: [0, 0, 0.1, 0, 0.0, 0.0, 0.9], // after b: c .9
  6: [0, 0, 1.0, 0, 0.0, 0.0, 0.0], // after c: </s>
};
const toy: NextTokenModel = {
  vocabSize: 7,
  async nextLogProbs(prefix) {
    const p = TABLE[prefix.length ? prefix[prefix.length - 1]! : -1]!;
    return Float64Array.from(p, (x) => Math.log(x));
  },
};

/** Every complete sequence up to `max` tokens with its probability (exhaustive search). */
async function enumerate(max: number): Promise<{ ids: number[]; p: number }[]> {
  const out: { ids: number[]; p: number }[] = [];
  const walk = async (ids: number[], p: number): Promise<void> => {
    if (ids.length >= max) return;
    const lp = await toy.nextLogProbs(Int32Array.from(ids));
    for (let w = 0; w < lp.length; w++) {
      if (lp[w] === -Infinity) continue;
      if (w === EOS) out.push({ ids, p: p * Math.exp(lp[w]!) });
      else await walk([...ids, w], p * Math.exp(lp[w]!));
    }
  };
  await walk([], 1);
  return out.sort((a, b) => b.p - a.p);
}

t.test('greedy takes the argmax at every step', async (t) => {
  // <s> -> a (.5) -> </s> (.6): p = .3
  const g = await greedy(toy, new Int32Array(0), 10);
  t.same(g.ids, [4]);
  t.ok(g.finished);
  t.ok(Math.abs(g.logProb - Math.log(0.5 * 0.6)) < 1e-12);
  const capped = await greedy(toy, Int32Array.of(5), 1);
  t.same(capped.ids, [6], 'after b: c');
  t.notOk(capped.finished, 'stopped by the budget');
});

t.test('beam search returns the k best sequences with their log-probabilities', async (t) => {
  // By hand: a</s> .30, b c</s> .4*.9 = .36, a b c</s> .5*.3*.9 = .135, c</s> .1, b</s> .04, a c</s> .05
  const all = await enumerate(6);
  t.ok(Math.abs(all[0]!.p - 0.36) < 1e-12 && Math.abs(all[1]!.p - 0.3) < 1e-12, 'enumeration agrees with the hand values');
  const beam = await beamSearch(toy, new Int32Array(0), 6, 3);
  t.equal(beam.length, 3);
  for (let i = 0; i < 3; i++) {
    t.same(beam[i]!.ids, all[i]!.ids, `rank ${i + 1}: ${all[i]!.ids.join(' ')}`);
    t.ok(Math.abs(beam[i]!.logProb - Math.log(all[i]!.p)) < 1e-12);
    t.ok(beam[i]!.finished);
  }
  const narrow = await beamSearch(toy, new Int32Array(0), 6, 1);
  t.same(narrow[0]!.ids, [4], 'width 1 is greedy (and misses b c, the best sequence)');
});

t.test('temperature, top-k and top-p distributions', async (t) => {
  const lp = Float64Array.from([0.5, 0.3, 0.15, 0.05], Math.log);
  const same = samplingDistribution(lp, {});
  t.ok(Math.abs(same[0]! - 0.5) < 1e-12 && Math.abs(same[3]! - 0.05) < 1e-12, 'T = 1 keeps the distribution');
  // T = 0.5 squares and renormalizes: .25, .09, .0225, .0025 over .365
  const cold = samplingDistribution(lp, { temperature: 0.5 });
  t.ok(Math.abs(cold[0]! - 0.25 / 0.365) < 1e-12 && Math.abs(cold[2]! - 0.0225 / 0.365) < 1e-12);
  // top-k 2: .5/.8, .3/.8
  const k2 = samplingDistribution(lp, { topK: 2 });
  t.same(Array.from(k2, (x) => Number(x.toFixed(12))), [0.625, 0.375, 0, 0]);
  // top-p 0.9: .5 + .3 = .8 < .9, + .15 = .95 >= .9: keep three, renormalize over .95
  const p9 = samplingDistribution(lp, { topP: 0.9 });
  t.ok(Math.abs(p9[2]! - 0.15 / 0.95) < 1e-12 && p9[3] === 0);
  const p5 = samplingDistribution(lp, { topP: 0.5 });
  t.same(Array.from(p5), [1, 0, 0, 0], 'top-p 0.5: the first token alone reaches the mass');
});

t.test('seeded sampling: reproducible, and frequencies follow the distribution', async (t) => {
  const a = await sample(toy, new Int32Array(0), 10, { temperature: 1 }, seededRandom(42));
  const b = await sample(toy, new Int32Array(0), 10, { temperature: 1 }, seededRandom(42));
  t.same(a, b, 'same seed, same sample');
  const p = Float64Array.from([0.5, 0.3, 0.15, 0.05]);
  const rnd = seededRandom(7);
  const hits = [0, 0, 0, 0];
  const n = 20000;
  for (let i = 0; i < n; i++) hits[draw(p, rnd)]!++;
  // Each frequency within 4 standard deviations of its expectation.
  for (let i = 0; i < 4; i++) t.ok(Math.abs(hits[i]! / n - p[i]!) < 4 * Math.sqrt((p[i]! * (1 - p[i]!)) / n), `token ${i}: ${hits[i]! / n}`);
});

t.test('lexflow sample on the ten-sentence Kneser-Ney model', async (t) => {
  const dir = tmpDir();
  await writeTokenShards(path.join(dir, 'tokenize'), { train: TEN_SENTENCES });
  await runStageDirect(ngrams, { inputs: { tokenize: path.join(dir, 'tokenize') }, outDir: path.join(dir, 'ngrams'), params: { order: 3 }, pool: testPool() });
  await runStageDirect(lmNgram, { inputs: { tokenize: path.join(dir, 'tokenize'), ngrams: path.join(dir, 'ngrams') }, outDir: path.join(dir, 'lm-ngram'), params: { model: 'kneser-ney' }, pool: testPool() });
  const base = { model: path.join(dir, 'lm-ngram'), prompt: 'the cat', 'max-tokens': 8, seed: 3, temperature: 1, k: 3, p: 0.9, beam: 3, count: 2 };
  const out: string[] = [];
  const g = await runSample({ ...base, strategy: 'greedy' }, (s) => out.push(s));
  t.equal(g.length, 1);
  t.match(out[0]!, /^-\d+\.\d{4}\tthe cat \S+/, 'log-probability, then the prompt and its continuation');
  const beam = await runSample({ ...base, strategy: 'beam' }, () => {});
  t.equal(beam.length, 3, 'k best');
  t.ok(beam[0]!.logProb >= beam[1]!.logProb && beam[1]!.logProb >= beam[2]!.logProb, 'best first');
  t.ok(beam[0]!.logProb >= g[0]!.logProb - 1e-9, 'the best beam is at least as probable as greedy');
  for (const strategy of ['temperature', 'top-k', 'top-p']) {
    const x = await runSample({ ...base, strategy }, () => {});
    const y = await runSample({ ...base, strategy }, () => {});
    t.same(x, y, `${strategy}: a seed reproduces the samples`);
    t.equal(x.length, 2);
  }
  await t.rejects(runSample({ ...base, strategy: 'nucleus' }, () => {}), UsageError);
});
