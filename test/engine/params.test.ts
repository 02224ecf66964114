// Param validation happens before any work: every bad value is a UsageError.
import t from 'tap';
import os from 'node:os';
import { parseSize, resolveParams, type ParamSchema } from '../../pipeline/params.js';
import { canonicalJson, stageFingerprint } from '../../pipeline/fingerprint.js';

const schema = {
  order: { type: 'int', default: 5, min: 1, max: 8, describe: 'n-gram order' },
  k: { type: 'float', default: 1, min: 0, exclusiveMin: true, describe: 'add-k' },
  lower: { type: 'bool', default: false, describe: 'lowercase' },
  mode: { type: 'enum', default: 'words', choices: ['words', 'whitespace'], describe: 'mode' },
  memory: { type: 'size', default: '1G', describe: 'budget', fingerprint: false },
  split: { type: 'numbers', default: [0.9, 0.05, 0.05], min: 0, max: 1, describe: 'split' },
} satisfies ParamSchema;

t.test('defaults and coercion of flag strings', async (t) => {
  const p = resolveParams(schema, {}, 'stage x');
  t.same(p, { order: 5, k: 1, lower: false, mode: 'words', memory: 1024 ** 3, split: [0.9, 0.05, 0.05] });
  const q = resolveParams(schema, { order: '3', k: '0.5', lower: 'true', mode: 'whitespace', memory: '512M', split: '0.8,0.1,0.1' }, 'stage x');
  t.same(q, { order: 3, k: 0.5, lower: true, mode: 'whitespace', memory: 512 * 1024 ** 2, split: [0.8, 0.1, 0.1] });
});

t.test('bad values are one clear UsageError naming the flag', async (t) => {
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ order: 0 }, /--order 0 is below its minimum 1/],
    [{ order: 9 }, /--order 9 is above its maximum 8/],
    [{ order: '2.5' }, /--order "2.5" is not an integer/],
    [{ k: 0 }, /--k 0 must be greater than 0/],
    [{ lower: 'yes' }, /--lower "yes" is not true or false/],
    [{ mode: 'chars' }, /one of words, whitespace/],
    [{ memory: 'lots' }, /--memory "lots" is not a size/],
    [{ split: '0.9,x' }, /not a comma-separated list/],
    [{ wat: 1 }, /unknown parameter --wat; known: --order/],
  ];
  for (const [given, re] of bad) t.throws(() => resolveParams(schema, given, 'stage x'), { exitCode: 2, message: re }, JSON.stringify(given));
});

t.test('sizes', async (t) => {
  t.equal(parseSize('2G'), 2 * 1024 ** 3);
  t.equal(parseSize('100k'), 102400);
  t.equal(parseSize('123'), 123);
  t.equal(parseSize('50%'), Math.floor(os.totalmem() / 2));
});

t.test('fingerprints: canonical, and sensitive to every part', async (t) => {
  t.equal(canonicalJson({ b: 1, a: [1, { d: 2, c: 3 }] }), '{"a":[1,{"c":3,"d":2}],"b":1}');
  const base = { stage: 's', version: 1, params: { a: 1, b: 2 }, inputs: { up: 'f1' }, dataset: 'd1' };
  const fp = stageFingerprint(base);
  t.equal(stageFingerprint({ ...base, params: { b: 2, a: 1 } }), fp, 'key order does not matter');
  t.not(stageFingerprint({ ...base, params: { a: 1, b: 3 } }), fp, 'params');
  t.not(stageFingerprint({ ...base, version: 2 }), fp, 'code version');
  t.not(stageFingerprint({ ...base, inputs: { up: 'f2' } }), fp, 'input fingerprint');
  t.not(stageFingerprint({ ...base, dataset: 'd2' }), fp, 'dataset');
});
