// Numbers written digit by digit (lib/formats/decimal.ts) against JavaScript's own
// formatting: word2vec text rows (writeFloat32) must hold the same bytes as
// formatFloat32's toPrecision strings, for every kind of float32.
import t from 'tap';
import { seededRandom } from '../lib/random/seeded.js';
import { Digits, writeDigits } from '../lib/formats/decimal.js';
import { formatFloat32, writeFloat32 } from '../lib/formats/vectors.js';

const text = (buf: Uint8Array, end: number): string => new TextDecoder().decode(buf.subarray(0, end));

t.test('writeFloat32 spells what formatFloat32 spells', async (t) => {
  const buf = new Uint8Array(64);
  const rnd = seededRandom(23);
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  const xs: number[] = [0, -0, NaN, Infinity, -Infinity, 1, -1, 0.5, 1e-6, -1e-6, 1e6, 999999.94, 3e-7, 1e10, 3.4028234663852886e38, 1.4e-45];
  // Random bit patterns over every exponent, and more over those word vectors hold (|x| from 1e-8 to 100).
  for (let i = 0; i < 200_000; i++) {
    const exponent = rnd() < 0.2 ? Math.floor(rnd() * 255) : 100 + Math.floor(rnd() * 34);
    u32[0] = ((rnd() < 0.5 ? 0x80000000 : 0) | (exponent << 23) | Math.floor(rnd() * 0x800000)) >>> 0;
    xs.push(f32[0]!);
  }
  // Values as training leaves them, and the decades' edges.
  for (let i = 0; i < 100_000; i++) xs.push(Math.fround((rnd() - 0.5) * (rnd() < 0.5 ? 1 : 0.01)));
  for (let e = -7; e <= 7; e++) for (const m of [1, 0.99999999, 1.0000001, 9.9999999, 0.5, 0.9999995]) xs.push(Math.fround(m * 10 ** e), Math.fround(-m * 10 ** e));
  // Exact ties at 6 and 8 digits (k / 2^7 has 7 significant digits ending in 5; 12345.5, 1234567.5 likewise).
  for (let k = 13; k < 128; k += 2) xs.push(k / 128, -k / 128);
  xs.push(12345.5, 123456.5, 1234567.5, 0.00048828125);
  const differ: string[] = [];
  for (const x of xs) {
    const got = text(buf, writeFloat32(buf, 0, x));
    const want = formatFloat32(x);
    if (got !== want && differ.length < 5) differ.push(`${x}: ${got} vs ${want}`);
  }
  t.same(differ, [], `${xs.length} values`);
});

t.test('digits: toPrecision rounding, a near-tie left to the exact path', async (t) => {
  const d = new Digits();
  t.ok(d.of(0.0123456789, 6));
  t.equal(d.value, 123457);
  t.equal(d.exponent, -2);
  t.ok(d.of(9.9999999e-3, 6), 'rounding up carries into a new digit');
  t.equal(d.value, 100000);
  t.equal(d.exponent, -2);
  t.notOk(d.of(0.1015625, 6), 'an exact tie at the 7th digit is not trusted to the double product');
  t.notOk(d.of(1e-7, 6), 'below 1e-6 JavaScript writes an exponent');
  t.notOk(d.of(2e6, 6), 'from 1e6 on: not plain digits here');
  const buf = new Uint8Array(32);
  t.equal(text(buf, writeDigits(buf, 0, false, 120000, 6, 3)), '1200');
  t.equal(text(buf, writeDigits(buf, 0, true, 123450, 6, 1)), '-12.345');
  t.equal(text(buf, writeDigits(buf, 0, false, 500000, 6, -4)), '0.0005');
  t.equal(text(buf, writeDigits(buf, 0, false, 100000, 6, 0)), '1');
});
