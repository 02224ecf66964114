// The cooccur stage against an independent brute-force count, a hand-worked
// example, and invariance to thread count and memory budget (spilled runs).
import t from 'tap';

/** Documents of sentences of words. */
type Corpus = string[][][];
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readTableSync } from '../pipeline/arrow.js';
import { createPool } from '../pipeline/pool.js';
import cooccur, { planUnits } from '../stages/cooccur/index.js';
import { DenseRegion } from '../stages/cooccur/dense-region.js';
import { runStageDirect } from '../testkit/stage-harness.js';
import { writeDocuments } from '../testkit/token-shards.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lexflow-cooccur-'));
const pool1 = createPool(1);
const pool3 = createPool(3);
t.teardown(async () => {
  fs.rmSync(root, { recursive: true, force: true });
  await Promise.all([pool1.destroy(), pool3.destroy()]);
});

interface Matrix {
  rows: Int32Array;
  cols: Int32Array;
  weights: Float32Array;
}
function readMatrix(dir: string): Matrix {
  const tb = readTableSync(path.join(dir, 'cooccur.arrow'));
  return {
    rows: Int32Array.from(tb.getChild('row')!.toArray() as Int32Array),
    cols: Int32Array.from(tb.getChild('col')!.toArray() as Int32Array),
    weights: Float32Array.from(tb.getChild('weight')!.toArray() as Float32Array),
  };
}
function asMap(m: Matrix, tokens: string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i < m.rows.length; i++) out.set(`${tokens[m.rows[i]!]} ${tokens[m.cols[i]!]}`, m.weights[i]!);
  return out;
}

/** Independent reference: words below minCount removed first, then pairs within each sentence (or document). */
function bruteForce(corpus: Corpus, o: { window: number; symmetric: boolean; weighting: string; minCount: number; cross: boolean }): Map<string, number> {
  const counts = new Map<string, number>();
  for (const d of corpus) for (const s of d) for (const w of s) counts.set(w, (counts.get(w) ?? 0) + 1);
  const m = new Map<string, number>();
  const add = (a: string, b: string, w: number): void => void m.set(`${a} ${b}`, (m.get(`${a} ${b}`) ?? 0) + w);
  const weight = (d: number): number => (o.weighting === 'harmonic' ? 1 / d : o.weighting === 'uniform' ? 1 : (o.window - d + 1) / o.window);
  for (const doc of corpus) {
    const seqs = o.cross ? [doc.flat()] : doc;
    for (const s0 of seqs) {
      const s = s0.filter((w) => counts.get(w)! >= o.minCount);
      for (let i = 0; i < s.length; i++)
        for (let d = 1; d <= o.window && i - d >= 0; d++) {
          add(s[i]!, s[i - d]!, weight(d));
          if (o.symmetric) add(s[i - d]!, s[i]!, weight(d));
        }
    }
  }
  return m;
}

function randomCorpus(seed: number, docs: number, types: number): Corpus {
  let x = seed;
  const rand = (): number => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const corpus: Corpus = [];
  for (let d = 0; d < docs; d++) {
    const doc: string[][] = [];
    const n = 1 + Math.floor(rand() * 30);
    for (let s = 0; s < n; s++) doc.push(Array.from({ length: Math.floor(rand() * 25) }, () => `w${Math.floor(types * rand() ** 2)}`));
    corpus.push(doc);
  }
  return corpus;
}

t.test('hand-worked: "a b c a", window 2, harmonic, symmetric', async (t) => {
  const tok = path.join(root, 'hand-tok');
  const { tokens } = await writeDocuments(tok, [[['a', 'b', 'c', 'a']]]);
  const r = await runStageDirect(cooccur, { inputs: { tokenize: tok }, outDir: path.join(root, 'hand'), params: { window: 2, 'min-count': 1 }, pool: pool1 });
  const m = asMap(readMatrix(r.outDir), tokens);
  // pairs (left,right,d): (a,b,1) (b,c,1) (a,c,2) (c,a,1) (b,a,2)

  t.equal(m.get('a b'), 1.5);
  t.equal(m.get('b a'), 1.5);
  t.equal(m.get('a c'), 1.5);
  t.equal(m.get('b c'), 1);
  t.equal(m.get('a a'), undefined, 'the two a are 3 apart');
  t.equal(m.size, 6);
  const marg = readTableSync(path.join(r.outDir, 'marginals.arrow'));
  t.same(marg.getChild('token')!.toArray(), ['a', 'b', 'c']);
  t.same(Array.from(marg.getChild('row_sum')!.toArray() as Float64Array), [3, 2.5, 2.5]);
  t.same(Array.from(marg.getChild('col_sum')!.toArray() as Float64Array), [3, 2.5, 2.5]);
  t.equal(r.result.metrics!.totalWeight, 8);
});

t.test('matches brute force for every weighting, direction and boundary mode', async (t) => {
  const corpus = randomCorpus(11, 20, 60);
  const tok = path.join(root, 'rand-tok');
  const { tokens } = await writeDocuments(tok, corpus, 97);
  let k = 0;
  for (const weighting of ['harmonic', 'uniform', 'dynamic'])
    for (const symmetric of [true, false])
      for (const cross of [false, true]) {
        const o = { window: 4, symmetric, weighting, minCount: 3, cross };
        const r = await runStageDirect(cooccur, {
          inputs: { tokenize: tok },
          outDir: path.join(root, `bf-${k++}`),
          params: { window: 4, symmetric, weighting, 'min-count': 3, 'cross-sentences': cross, 'dense-words': k % 2 ? 0 : 8 },
          pool: pool3,
        });
        const got = asMap(readMatrix(r.outDir), tokens);
        const want = bruteForce(corpus, o);
        let bad = 0;
        for (const [key, w] of want) if (got.get(key) !== Math.fround(w)) bad++;
        t.equal(got.size, want.size, `${weighting} symmetric=${symmetric} cross=${cross}: entries`);
        t.equal(bad, 0, `${weighting} symmetric=${symmetric} cross=${cross}: weights equal brute force (float32)`);
      }
});

t.test('same matrix for any thread count, memory budget and dense block', async (t) => {
  const corpus = randomCorpus(5, 60, 400);
  const tok = path.join(root, 'inv-tok');
  await writeDocuments(tok, corpus, 50);
  const a = await runStageDirect(cooccur, { inputs: { tokenize: tok }, outDir: path.join(root, 'inv-1'), params: { 'min-count': 1 }, pool: pool1 });
  const b = await runStageDirect(cooccur, { inputs: { tokenize: tok }, outDir: path.join(root, 'inv-3'), params: { 'min-count': 1, memory: '64k', 'dense-words': 16 }, pool: pool3 });
  t.equal(a.result.metrics!.spilledRuns, 1);
  t.ok((b.result.metrics!.spilledRuns as number) > 6, `spilled ${b.result.metrics!.spilledRuns} runs`);
  const ma = readMatrix(a.outDir);
  const mb = readMatrix(b.outDir);
  t.ok(ma.rows.length > 10000, `${ma.rows.length} entries`);
  t.same(Buffer.from(mb.rows.buffer), Buffer.from(ma.rows.buffer));
  t.same(Buffer.from(mb.cols.buffer), Buffer.from(ma.cols.buffer));
  t.same(Buffer.from(mb.weights.buffer), Buffer.from(ma.weights.buffer));
  t.same(fs.readFileSync(path.join(b.outDir, 'marginals.arrow')), fs.readFileSync(path.join(a.outDir, 'marginals.arrow')));
  // the file itself, record batches included: its row ranges depend on the vocabulary alone
  t.same(fs.readFileSync(path.join(b.outDir, 'cooccur.arrow')), fs.readFileSync(path.join(a.outDir, 'cooccur.arrow')));
  // sorted by row then col
  let sorted = true;
  for (let i = 1; i < ma.rows.length; i++) if (ma.rows[i]! < ma.rows[i - 1]! || (ma.rows[i] === ma.rows[i - 1] && ma.cols[i]! <= ma.cols[i - 1]!)) sorted = false;
  t.ok(sorted);
});

t.test('dense region: the cells of (r+1)(c+1) <= product, and the largest product that fits', async (t) => {
  // V 4, product 4, symmetric (c >= r): row 0 has c 0..3, row 1 has c 1 (2*2 <= 4), rows 2 and 3 none
  const d = new DenseRegion(4, true, 4);
  t.same(Array.from(d.lim), [4, 2, 1, 1]);
  t.equal(d.cells.length, 5);
  t.equal(DenseRegion.cells(4, true, 4), 5);
  // every dense (r, c) has its own cell
  const seen = new Set<number>();
  for (let r = 0; r < 4; r++) for (let c = r; c < d.lim[r]!; c++) seen.add(d.off[r]! + c);
  t.same([...seen].sort(), [0, 1, 2, 3, 4]);
  // both directions: 4 + 2 + 1 + 1
  t.equal(DenseRegion.cells(4, false, 4), 8);
  // the square of side D lies inside the region of product D^2
  const sq = new DenseRegion(100, false, 16 * 16);
  for (let r = 0; r < 16; r++) t.ok(sq.lim[r]! >= 16, `row ${r}`);
  // 40 bytes hold the 5 cells of product 4; 39 do not, and product 2 (2 cells) is taken
  t.equal(DenseRegion.productFor(4, true, 4, 40), 4);
  t.equal(DenseRegion.productFor(4, true, 4, 39), 2);
  t.equal(DenseRegion.productFor(4, true, 4, 0), 0);
});

t.test('counting tasks are balanced by shard size, splitting a shard at a cut', async (t) => {
  // shards of 10, 10, 10 and 1 bytes for 2 threads: the cut at 15.5 falls 55% into the second
  const g = planUnits(['a', 'b', 'c', 'd'], [10, 10, 10, 1], 2, true);
  t.same(g, [
    [{ file: 'a', from: 0, to: 1 }, { file: 'b', from: 0, to: 0.55 }],
    [{ file: 'b', from: 0.55, to: 1 }, { file: 'c', from: 0, to: 1 }, { file: 'd', from: 0, to: 1 }],
  ]);
  // whole shards (windows across sentences): each to the task holding its middle
  t.same(planUnits(['a', 'b', 'c', 'd'], [10, 10, 10, 1], 2, false).map((x) => x.map((u) => u.file)), [['a', 'b'], ['c', 'd']]);
  // one shard, three threads: thirds
  t.same(planUnits(['a'], [9], 3, true).map((x) => x.map((u) => [u.from, u.to])), [[[0, 1 / 3]], [[1 / 3, 2 / 3]], [[2 / 3, 1]]]);
});

t.test('bad params are usage errors before any work', async (t) => {
  const tok = path.join(root, 'hand-tok');
  await t.rejects(runStageDirect(cooccur, { inputs: { tokenize: tok }, outDir: path.join(root, 'bad'), params: { window: 0 }, pool: pool1 }), { name: 'UsageError', message: /--window 0 is below its minimum 1/ });
  await t.rejects(runStageDirect(cooccur, { inputs: { tokenize: tok }, outDir: path.join(root, 'bad2'), params: { 'min-count': 99 }, pool: pool1 }), { message: /no word occurs 99 times/ });
});

t.test('weights: exact integer units, and a float fallback for very wide windows', async (t) => {
  const { contextWeights, sumsAreExact } = await import('../stages/cooccur/weights.js');
  const h = contextWeights(10, 'harmonic');
  t.equal(h.scale, 2520);
  t.same(Array.from(h.units.subarray(1)), [2520, 1260, 840, 630, 504, 420, 360, 315, 280, 252]);
  t.same(Array.from(contextWeights(4, 'dynamic').units.subarray(1)), [4, 3, 2, 1]);
  t.ok(sumsAreExact(h, 1e9));
  const wide = contextWeights(100, 'harmonic');
  t.equal(wide.scale, 1);
  t.equal(wide.units[4], 0.25);
  t.notOk(sumsAreExact(wide, 10));
});
