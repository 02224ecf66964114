// The ngrams stage: counts with <s>/</s> as KenLM counts them (checked by hand
// on the ten-sentence corpus and against a naive counter), identical tables
// whether or not the counting spills past --memory, pruning, and bad input.

import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import ngrams from '../stages/ngrams/index.js';
import { readCounts, type OrderCounts } from '../stages/lm-ngram/counts.js';
import { UsageError } from '../pipeline/errors.js';
import { tmpDir, closeTestPool, TEN_SENTENCES } from '../testkit/ngram-fixture.js';
import { randomCorpus } from '../testkit/random-corpus.js';
import { writeTokenShards } from '../testkit/token-shards.js';
import { runStageDirect } from '../testkit/stage-harness.js';
import { testPool } from '../testkit/ngram-fixture.js';

t.teardown(closeTestPool);

/** Naive reference: every n-gram of `<s> w1 .. wk </s>` (at most one <s>, at the start) as a string key. */
function naiveCounts(lines: string[], order: number, index: Map<string, number>): Map<string, number>[] {
  const out = [...Array(order)].map(() => new Map<string, number>());
  for (const line of lines) {
    const ids = [1, ...line.split(' ').filter(Boolean).map((w) => index.get(w) ?? 0), 2];
    for (let n = 1; n <= order; n++)
      for (let i = 0; i + n <= ids.length; i++) {
        const key = ids.slice(i, i + n).join(' ');
        out[n - 1]!.set(key, (out[n - 1]!.get(key) ?? 0) + 1);
      }
  }
  return out;
}

function asMap(o: OrderCounts): Map<string, number> {
  const m = new Map<string, number>();
  for (let r = 0; r < o.rows; r++) m.set(Array.from(o.words.subarray(r * o.n, r * o.n + o.n)).join(' '), o.counts[r]!);
  return m;
}

function isSorted(o: OrderCounts): boolean {
  for (let r = 1; r < o.rows; r++) {
    for (let k = 0; k < o.n; k++) {
      const d = o.words[r * o.n + k]! - o.words[(r - 1) * o.n + k]!;
      if (d < 0) return false;
      if (d > 0) break;
      if (k === o.n - 1) return false; // duplicate row
    }
  }
  return true;
}

t.test('ten sentences: counts by hand', async (t) => {
  const dir = tmpDir();
  const { index } = await writeTokenShards(path.join(dir, 'tok'), { train: TEN_SENTENCES });
  const { result } = await runStageDirect(ngrams, { inputs: { tokenize: path.join(dir, 'tok') }, outDir: path.join(dir, 'ng'), params: { order: 3 }, pool: testPool() });
  const counts = await readCounts(path.join(dir, 'ng'), 3);
  const id = (s: string): string => s.split(' ').map((w) => (w === '<s>' ? 1 : w === '</s>' ? 2 : index.get(w))).join(' ');
  const [c1, c2, c3] = counts.map(asMap) as [Map<string, number>, Map<string, number>, Map<string, number>];
  // "the": 2 (s1) + 2 (s2) + 2 (s3) + 1 (s5) + 1 (s7) + 1 (s8) + 2 (s9) = 11
  t.equal(c1.get(id('the')), 11);
  t.equal(c1.get(id('<s>')), 10, 'one <s> per sentence');
  t.equal(c1.get(id('</s>')), 10, 'one </s> per sentence');
  // 10 sentences of 6+6+5+5+4+3+3+6+6+7 = 51 words, + 10 </s> + 10 <s>
  t.equal([...c1.values()].reduce((a, b) => a + b, 0), 71);
  t.equal(c2.get(id('<s> the')), 6, 'sentences 1, 2, 3, 5, 7, 9 start with "the"');
  t.equal(c2.get(id('on the')), 4, 'sentences 1, 2, 8, 9');
  t.equal(c2.get(id('mat </s>')), 3, 'sentences 1, 8, 10');
  t.equal(c3.get(id('sat on the')), 2, 'sentences 1, 2');
  t.equal(c3.get(id('<s> a cat')), 1, 'sentence 6 only ("a dog saw a cat" does not start with it)');
  t.equal(c3.get(id('<s> <s> the')), undefined, 'never two <s>');
  t.equal(counts[0]!.rows, 14, '12 words, <s>, </s> (lmplz adds <unk> for 15)');
  t.equal(counts[1]!.rows, 35, 'distinct bigrams (lmplz: ngram 2=35)');
  t.equal(counts[2]!.rows, 42, 'distinct trigrams (lmplz: ngram 3=42)');
  t.same(result.rows, { 'ngrams/order-1.arrow': 14, 'ngrams/order-2.arrow': 35, 'ngrams/order-3.arrow': 42 });
  t.ok(counts.every(isSorted), 'every table sorted by w1..wN without duplicates');
});

t.test('spilling past --memory gives the same tables as counting in memory', async (t) => {
  const dir = tmpDir();
  const lines = randomCorpus(2000, 7);
  const { index } = await writeTokenShards(path.join(dir, 'tok'), { train: lines }, { rowsPerShard: 400 });
  const big = await runStageDirect(ngrams, { inputs: { tokenize: path.join(dir, 'tok') }, outDir: path.join(dir, 'a'), params: { order: 5, memory: '1G' }, pool: testPool() });
  const small = await runStageDirect(ngrams, { inputs: { tokenize: path.join(dir, 'tok') }, outDir: path.join(dir, 'b'), params: { order: 5, memory: '64K' }, pool: testPool() });
  t.equal((big.result.metrics as { spills: number }).spills, 0, 'no spill with 1G');
  t.ok((small.result.metrics as { spills: number }).spills >= 4, `spilled ${(small.result.metrics as { spills: number }).spills} times with 128K`);
  for (let n = 1; n <= 5; n++) {
    const a = fs.readFileSync(path.join(dir, 'a', 'ngrams', `order-${n}.arrow`));
    const b = fs.readFileSync(path.join(dir, 'b', 'ngrams', `order-${n}.arrow`));
    t.ok(a.equals(b), `order-${n}.arrow identical`);
  }
  t.notOk(fs.existsSync(path.join(dir, 'b', '.runs')), 'spill files removed');
  // And both equal a naive count.
  const counts = await readCounts(path.join(dir, 'b'), 5);
  const ref = naiveCounts(lines, 5, index);
  for (let n = 1; n <= 5; n++) t.same(asMap(counts[n - 1]!), ref[n - 1], `order ${n} equals the naive count`);
  t.ok(counts.every(isSorted));
});

t.test('--prune drops n-grams at or below the threshold, per order', async (t) => {
  const dir = tmpDir();
  const lines = randomCorpus(500, 3);
  const { index } = await writeTokenShards(path.join(dir, 'tok'), { train: lines });
  await runStageDirect(ngrams, { inputs: { tokenize: path.join(dir, 'tok') }, outDir: path.join(dir, 'ng'), params: { order: 3, prune: [0, 1] }, pool: testPool() });
  const counts = await readCounts(path.join(dir, 'ng'), 3);
  const ref = naiveCounts(lines, 3, index);
  t.same(asMap(counts[0]!), ref[0], 'unigrams untouched');
  for (const n of [2, 3]) {
    const kept = new Map([...ref[n - 1]!].filter(([, c]) => c > 1));
    t.same(asMap(counts[n - 1]!), kept, `order ${n}: singletons pruned (the last threshold repeats)`);
  }
});

t.test('bad input', async (t) => {
  const dir = tmpDir();
  await writeTokenShards(path.join(dir, 'tok'), { train: TEN_SENTENCES });
  const inputs = { tokenize: path.join(dir, 'tok') };
  await t.rejects(runStageDirect(ngrams, { inputs: inputs, outDir: path.join(dir, 'x0'), params: { order: 0 }, pool: testPool() }), UsageError, 'order 0');
  await t.rejects(runStageDirect(ngrams, { inputs: inputs, outDir: path.join(dir, 'x9'), params: { order: 9 }, pool: testPool() }), UsageError, 'order 9');
  await t.rejects(runStageDirect(ngrams, { inputs: inputs, outDir: path.join(dir, 'xp'), params: { order: 3, prune: [0, 2, 1] }, pool: testPool() }), /non-decreasing/);
  await t.rejects(runStageDirect(ngrams, { inputs: inputs, outDir: path.join(dir, 'xq'), params: { order: 3, prune: [1] }, pool: testPool() }), /unigrams cannot be pruned/);
  const empty = tmpDir();
  await writeTokenShards(path.join(empty, 'tok'), { train: [] });
  const err = await runStageDirect(ngrams, { inputs: { tokenize: path.join(empty, 'tok') }, outDir: path.join(empty, 'ng'), params: {}, pool: testPool() }).catch((e: unknown) => e);
  t.ok(err instanceof UsageError, 'a split without sentences is a usage error (exit 2)');
  t.match((err as Error).message, /no sentences/);
  t.equal((err as UsageError).exitCode, 2);
});

// Issue 15: the merge is one pool task with no total; its TTY line names it while it runs and its summary gives the rows.
t.test('progress: counting ticks to its shards; the merge says what it wrote', async (t) => {
  const dir = tmpDir();
  await writeTokenShards(path.join(dir, 'tok'), { train: TEN_SENTENCES });
  const out: string[] = [];
  const { result } = await runStageDirect(ngrams, { inputs: { tokenize: path.join(dir, 'tok') }, outDir: path.join(dir, 'ng'), params: { order: 3 }, pool: testPool(), progress: 'tty', onProgress: (s) => out.push(s) });
  const rows = [1, 2, 3].map((n) => result.rows![`ngrams/order-${n}.arrow`]);
  t.ok(out.some((s) => /^\r\x1b\[2K2\/2 merging runs, deriving lower orders \.\.\. \d/.test(s)), 'shown as it starts, with no bar');
  t.ok(out.some((s) => s.startsWith(`\r\x1b[2K2/2 merging runs, deriving lower orders: ${rows.join('/')} n-grams of orders 1-3 (`)), 'the rows per order as the manifest counts them');
  t.notOk(out.some((s) => /orders, - orders\/s/.test(s)), 'no "0/3 orders" that never moves');
});
