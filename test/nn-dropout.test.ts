// Dropout (lib/nn/params.ts): the mask is mulberry32's stream for the seed (the
// draws of fillMulberry32 equal the generator's, one by one), an entry is kept iff
// its uniform draw u ≥ rate and then scaled by 1/(1 − rate), the gradient is the
// same mask, and rate 0 is the identity.

import t from 'tap';
import { selectBackend, tf } from '../lib/nn/backend/index.js';
import { dropout } from '../lib/nn/params.js';
import { fillMulberry32, mulberry32, mulberry32Uint } from '../lib/random/mulberry32.js';

t.before(async () => {
  await selectBackend('wasm');
});

t.test('fillMulberry32 gives the generator\'s draws', async (t) => {
  const next = mulberry32Uint(12345);
  const want = Uint32Array.from({ length: 1000 }, () => next());
  t.same(fillMulberry32(12345, new Uint32Array(1000)), want);
});

t.test('the mask: kept iff u ≥ rate, scaled by 1/(1 − rate); its gradient is the mask; seeded', async (t) => {
  const [rows, cols, rate, seed] = [37, 29, 0.3, 99];
  const xv = Float32Array.from({ length: rows * cols }, (_, i) => 1 + (i % 7));
  const x = tf.variable(tf.tensor2d(xv, [rows, cols]));
  const u = mulberry32(seed);
  const scale = Math.fround(1 / (1 - rate));
  const want = Float32Array.from(xv, (v) => (u() >= rate ? Math.fround(v * scale) : 0));
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(dropout(x, rate, seed), 2)) as tf.Scalar, [x]);
  const y = tf.tidy(() => dropout(x, rate, seed).dataSync().slice());
  t.same(y, want, 'the values');
  const g = grads[x.name]!.dataSync();
  t.ok(g.every((gi, i) => gi === (want[i] === 0 ? 0 : Math.fround(2 * scale))), 'the gradient is 2·mask');
  const kept = want.filter((v) => v !== 0).length / want.length;
  t.ok(Math.abs(kept - (1 - rate)) < 0.05, `kept ${kept.toFixed(3)} of the entries`);
  const other = tf.tidy(() => dropout(x, rate, seed + 1).dataSync().slice());
  t.not(other.join(), y.join(), 'another seed, another mask');
  t.equal(dropout(x, 0, seed), x, 'rate 0 is the identity');
  tf.dispose([value, grads[x.name]!, x]);
});
