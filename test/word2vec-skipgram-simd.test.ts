// The whole-sentence WebAssembly skip-gram kernel (stages/word2vec/skipgram-simd.ts)
// against a plain scalar reference written here from word2vec.c's TrainModelThread
// (skip-gram, negative sampling): a BigInt LCG, float64 sums, the same sigmoid
// table. On random matrices, for dims that do and do not fill the kernel's 4-vector
// unrolled loop, with a noise table holding </s> (the uniform fallback) and the
// centre word (skipped draws), dots past +-6 (clipped gradients), and a sentence
// trained in two calls (split at position 1, as train.ts does when alpha refreshes),
// a noise word drawn twice in a row (the kernel fuses one update with the next dot):
// same LCG state exactly, same weights to 1e-5 (relative above 1).

import t from 'tap';
import { sharedMemory } from '../lib/wasm/asm.js';
import { EXP_SCALE, MAX_EXP, expTable } from '../stages/word2vec/kernels.js';
import { skipgramKernel } from '../stages/word2vec/skipgram-simd.js';

const M = 25214903917n;
const MASK = (1n << 64n) - 1n;

interface Case {
  V: number;
  dim: number;
  sentence: number[];
  window: number;
  negative: number;
  alpha: number;
  table: number[];
  seed: bigint;
  /** scale of syn1neg (large: dots beyond +-MAX_EXP) */
  outScale: number;
  split?: number;
}

/** Deterministic pseudo-random floats in [-0.5, 0.5). */
function fill(a: Float32Array, seed: number, scale: number): void {
  let s = seed >>> 0;
  for (let i = 0; i < a.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 4294967296 - 0.5) * scale;
  }
}

/** word2vec.c's skip-gram negative-sampling loop for one sentence, scalar. */
function reference(c: Case, syn0: Float32Array, syn1: Float32Array): bigint {
  const { dim, sentence: sen, window, negative, alpha, table } = c;
  const expT = expTable();
  let next = c.seed;
  const step = (): bigint => (next = (next * M + 11n) & MASK);
  const err = new Float64Array(dim);
  for (let pos = 0; pos < sen.length; pos++) {
    const word = sen[pos]!;
    const b = Number(step() % BigInt(window));
    for (let a = b; a < window * 2 + 1 - b; a++) {
      if (a === window) continue;
      const c0 = pos - window + a;
      if (c0 < 0 || c0 >= sen.length) continue;
      const l1 = sen[c0]! * dim;
      err.fill(0);
      for (let d = 0; d <= negative; d++) {
        let target = word;
        let label = 1;
        if (d > 0) {
          step();
          target = table[Number(((next >> 32n) * BigInt(table.length)) >> 32n)]!;
          if (target === 0) target = Number(next % BigInt(c.V - 1)) + 1;
          if (target === word) continue;
          label = 0;
        }
        const l2 = target * dim;
        let f = 0;
        for (let i = 0; i < dim; i++) f += syn0[l1 + i]! * syn1[l2 + i]!;
        const g = Math.fround(f > MAX_EXP ? (label - 1) * alpha : f < -MAX_EXP ? label * alpha : (label - expT[Math.trunc((f + MAX_EXP) * EXP_SCALE)]!) * alpha);
        for (let i = 0; i < dim; i++) {
          err[i] += g * syn1[l2 + i]!;
          syn1[l2 + i] = syn1[l2 + i]! + g * syn0[l1 + i]!;
        }
      }
      for (let i = 0; i < dim; i++) syn0[l1 + i] = syn0[l1 + i]! + err[i]!;
    }
  }
  return next;
}

function runKernel(c: Case, syn0In: Float32Array, syn1In: Float32Array): { syn0: Float32Array; syn1: Float32Array; rng: bigint } {
  const { V, dim } = c;
  const bytes = dim * 4;
  const o = { syn0: 0, syn1: V * bytes, err: 2 * V * bytes, sen: 2 * V * bytes + bytes, rng: 0, targets: 0, expT: 0, table: 0 };
  o.rng = Math.ceil((o.sen + 4 * c.sentence.length) / 16) * 16;
  o.targets = o.rng + 16;
  o.expT = o.targets + Math.ceil(((c.negative + 1) * 4) / 16) * 16;
  o.table = o.expT + Math.ceil((expTable().length * 4) / 16) * 16;
  const mem = sharedMemory(o.table + c.table.length * 4);
  const syn0 = new Float32Array(mem.buffer, o.syn0, V * dim);
  const syn1 = new Float32Array(mem.buffer, o.syn1, V * dim);
  syn0.set(syn0In);
  syn1.set(syn1In);
  new Int32Array(mem.buffer, o.sen, c.sentence.length).set(c.sentence);
  new Float32Array(mem.buffer, o.expT, expTable().length).set(expTable());
  new Int32Array(mem.buffer, o.table, c.table.length).set(c.table);
  const rng = new BigUint64Array(mem.buffer, o.rng, 1);
  rng[0] = c.seed;
  const k = skipgramKernel(mem)!;
  const len = c.sentence.length;
  const split = c.split ?? len;
  const call = (from: number, to: number) => k.sgNeg(o.sen, from, to, len, c.window, c.negative, c.alpha, o.syn0, o.syn1, o.err, bytes, o.table, c.table.length, V - 1, o.expT, o.rng, o.targets);
  call(0, split);
  if (split < len) call(split, len);
  return { syn0: new Float32Array(syn0), syn1: new Float32Array(syn1), rng: rng[0]! };
}

/** Largest difference, relative for values above 1 (the clipped case's weights reach 30). */
function maxDiff(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return worst;
}

/** The kernel's and the reference's results for a case: the LCG states, the weight differences, and how far training moved the weights. */
function compare(c: Case): { rng: bigint; want: bigint; d0: number; d1: number; moved: number } {
  const syn0 = new Float32Array(c.V * c.dim);
  const syn1 = new Float32Array(c.V * c.dim);
  fill(syn0, 7, 1);
  fill(syn1, 11, c.outScale);
  const got = runKernel(c, syn0, syn1);
  const want0 = new Float32Array(syn0);
  const want1 = new Float32Array(syn1);
  const want = reference(c, want0, want1);
  return { rng: got.rng, want, d0: maxDiff(got.syn0, want0), d1: maxDiff(got.syn1, want1), moved: Math.min(maxDiff(got.syn0, syn0), maxDiff(got.syn1, syn1)) };
}

const check = (name: string, c: Case) =>
  t.test(name, async (t) => {
    const r = compare(c);
    t.equal(r.rng, r.want, 'same LCG state after the sentence');
    t.ok(r.d0 < 1e-5, `syn0 equal to 1e-5 (max diff ${r.d0})`);
    t.ok(r.d1 < 1e-5, `syn1neg equal to 1e-5 (max diff ${r.d1})`);
    t.ok(r.moved > 1e-4, 'the sentence did train both matrices');
  });

if (!skipgramKernel(sharedMemory(1))) t.comment('WebAssembly SIMD unavailable: nothing to test');
else {
  // a noise table with </s> (0) and every other word; word 3 is common, so draws hit the centre word
  const table = Array.from({ length: 997 }, (_, i) => (i % 13 === 0 ? 0 : i % 3 === 0 ? 3 : 1 + (i % 29)));
  const sentence = [3, 5, 3, 7, 12, 3, 1, 29, 3, 3, 18, 4, 3, 22];
  const base = { V: 30, sentence, window: 3, negative: 5, alpha: 0.025, table, seed: 12345n, outScale: 1 };

  check('dim 100: four-vector loop and a remainder', { ...base, dim: 100 });
  check('dim 8: remainder loop only', { ...base, dim: 8 });
  check('dim 20, window 5, negative 2', { ...base, dim: 20, window: 5, negative: 2 });
  check('dots beyond +-6 take the clipped gradient', { ...base, dim: 64, outScale: 60, alpha: 0.5 });
  check('a sentence in two calls (split at 1) equals one pass', { ...base, dim: 100, split: 1, seed: 99n });
  // Most draws are word 7: the same noise word twice in a row, whose second dot must see the first update.
  const sticky = Array.from({ length: 997 }, (_, i) => (i % 10 === 0 ? 1 + (i % 29) : 7));
  check('a noise word drawn twice in a row', { ...base, dim: 100, table: sticky, negative: 8, sentence: [7, 2, 9, 7, 11, 5, 7, 7, 3] });
  check('negative 1: one noise word, or none when it is the centre', { ...base, dim: 36, negative: 1 });
  t.test('one word: nothing to train, but the window draw advances the LCG', async (t) => {
    const c = { ...base, dim: 16, sentence: [4] };
    const syn0 = new Float32Array(c.V * c.dim);
    const syn1 = new Float32Array(c.V * c.dim);
    fill(syn0, 3, 1);
    const got = runKernel(c, syn0, syn1);
    t.equal(got.rng, (c.seed * M + 11n) & MASK);
    t.same(Array.from(got.syn0), Array.from(syn0));
  });
}
