// The glove stage on hand-made co-occurrence tables: the bounded-memory shuffle
// is a permutation, training drives w_i.w~_j + b_i + b~_j towards log X_ij
// (the GloVe objective) with a falling cost, one thread is reproducible, a
// resumed run equals an uninterrupted one, and --model 1/2 write W or W + W~.

import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import * as A from 'apache-arrow';
import { runStageDirect } from '../testkit/stage-harness.js';
import { ArrowFileWriter, field, primitiveData, utf8Data } from '../pipeline/arrow.js';
import { createPool } from '../pipeline/pool.js';
import { readEmbeddingsArrow } from '../lib/formats/vectors.js';
import glove from '../stages/glove/index.js';
import { RECORD_BYTES, shuffleCooccurrences } from '../stages/glove/shuffle.js';
import { tmpDir } from '../testkit/tmp.js';

const pool = createPool(1);
t.teardown(() => pool.destroy());

/** cooccur.arrow + marginals.arrow for a V x V matrix given as a function of (i, j); token ids are 4 + index. */
async function cooccurFolder(dir: string, V: number, x: (i: number, j: number) => number): Promise<string> {
  const rows: number[] = [];
  const cols: number[] = [];
  const ws: number[] = [];
  for (let i = 0; i < V; i++)
    for (let j = 0; j < V; j++) {
      const w = x(i, j);
      if (w > 0) {
        rows.push(4 + i);
        cols.push(4 + j);
        ws.push(w);
      }
    }
  const out = path.join(dir, 'cooccur');
  fs.mkdirSync(out, { recursive: true });
  const co = new ArrowFileWriter(path.join(out, 'cooccur.arrow'), new A.Schema([field('row', new A.Int32()), field('col', new A.Int32()), field('weight', new A.Float32())]));
  // two batches, to cross a batch boundary
  const half = Math.floor(rows.length / 2);
  for (const [a, b] of [[0, half], [half, rows.length]] as const)
    await co.writeColumns([primitiveData(new A.Int32(), Int32Array.from(rows.slice(a, b))), primitiveData(new A.Int32(), Int32Array.from(cols.slice(a, b))), primitiveData(new A.Float32(), Float32Array.from(ws.slice(a, b)))]);
  await co.close();
  const m = new ArrowFileWriter(path.join(out, 'marginals.arrow'), new A.Schema([field('id', new A.Int32()), field('token', new A.Utf8())]));
  await m.writeColumns([primitiveData(new A.Int32(), Int32Array.from({ length: V }, (_, i) => 4 + i)), utf8Data(Array.from({ length: V }, (_, i) => `w${i}`))]);
  await m.close();
  return out;
}

// A matrix with structure: words 0..5 and 6..11 co-occur mostly within their group.
const V = 12;
const X = (i: number, j: number): number => (i === j ? 0 : (Math.floor(i / 6) === Math.floor(j / 6) ? 20 : 2) + ((i * 7 + j * 3) % 5));

t.test('the bounded-memory shuffle is a permutation across several chunk files', async (t) => {
  const dir = tmpDir(t);
  const co = await cooccurFolder(dir, V, X);
  const indexOf = new Map(Array.from({ length: V }, (_, i) => [4 + i, i] as [number, number]));
  const out = path.join(dir, 'shuffled.bin');
  const n = await shuffleCooccurrences(path.join(co, 'cooccur.arrow'), indexOf, out, dir, 40, 1);
  t.equal(n, V * (V - 1));
  const buf = fs.readFileSync(out);
  t.equal(buf.length, n * RECORD_BYTES);
  const rec = new Int32Array(buf.buffer, buf.byteOffset, n * 3);
  const val = new Float32Array(buf.buffer, buf.byteOffset, n * 3);
  const seen = new Set<string>();
  let inOrder = 0;
  for (let k = 0; k < n; k++) {
    const i = rec[3 * k]!;
    const j = rec[3 * k + 1]!;
    if (val[3 * k + 2] !== X(i, j)) t.fail(`entry ${k}: weight ${val[3 * k + 2]} for (${i}, ${j})`);
    seen.add(`${i},${j}`);
    if (k > 0 && rec[3 * k]! * V + j > rec[3 * k - 3]! * V + rec[3 * k - 2]!) inOrder++;
  }
  t.equal(seen.size, n, 'every entry exactly once');
  t.ok(inOrder < n * 0.7, `order is shuffled (${inOrder} of ${n} ascending steps)`);
  t.equal(fs.readdirSync(dir).filter((f) => f.startsWith('shuffle-')).length, 0, 'temporary chunk files removed');
});

async function train(t: Parameters<typeof tmpDir>[0], co: string, params: Record<string, unknown>, ck = path.join(tmpDir(t), 'ck')) {
  const out = path.join(tmpDir(t), 'out');
  const r = await runStageDirect(glove, { inputs: { cooccur: co }, outDir: out, checkpointDir: ck, pool, params });
  return { ...r, out };
}

t.test('GloVe fits log X with a falling cost; reproducible; resumable', async (t) => {
  const co = await cooccurFolder(tmpDir(t), V, X);
  const params = { dim: 8, epochs: 60, 'x-max': 10, eta: 0.05, model: 1 };
  const a = await train(t, co, params);
  const costs = a.result.metrics!.costPerEpoch as number[];
  t.equal(costs.length, 60);
  t.ok(costs[59]! < costs[0]! / 5, `cost falls: ${costs[0]} -> ${costs[59]}`);
  for (let e = 10; e < 60; e++) if (!(costs[e]! <= costs[e - 1]! * 1.05)) t.fail(`cost rose at epoch ${e}`);

  // Model 1 vectors are W; group structure shows in their cosines.
  const emb = await readEmbeddingsArrow(path.join(a.out, 'embeddings.arrow'));
  t.same(emb.tokens, Array.from({ length: V }, (_, i) => `w${i}`));
  const cos = (i: number, j: number): number => {
    let d = 0, x = 0, y = 0;
    for (let k = 0; k < 8; k++) {
      d += emb.vectors[i * 8 + k]! * emb.vectors[j * 8 + k]!;
      x += emb.vectors[i * 8 + k]! ** 2;
      y += emb.vectors[j * 8 + k]! ** 2;
    }
    return d / Math.sqrt(x * y);
  };
  let within = 0, across = 0;
  for (let i = 0; i < V; i++) for (let j = 0; j < V; j++) if (i !== j) (Math.floor(i / 6) === Math.floor(j / 6) ? (within += cos(i, j)) : (across += cos(i, j)));
  t.ok(within / 60 > across / 72 + 0.3, `within-group cosine ${(within / 60).toFixed(2)} > across ${(across / 72).toFixed(2)}`);

  const b = await train(t, co, params);
  t.ok(fs.readFileSync(path.join(a.out, 'vectors.bin')).equals(fs.readFileSync(path.join(b.out, 'vectors.bin'))), 'one thread, same seed: identical bytes');

  // Interrupted after 25 epochs (its checkpoint is left behind), then rerun to 60.
  const ck = path.join(tmpDir(t), 'ck');
  await train(t, co, { ...params, epochs: 25 }, ck);
  t.ok(fs.existsSync(path.join(ck, 'epoch.json')));
  const resumed = await train(t, co, params, ck);
  t.same(resumed.result.metrics!.costPerEpoch, costs, 'same costs per epoch');
  t.ok(fs.readFileSync(path.join(resumed.out, 'vectors.bin')).equals(fs.readFileSync(path.join(a.out, 'vectors.bin'))), 'resumed run equals the uninterrupted one');
});

t.test('--model 2 writes W + W~', async (t) => {
  const co = await cooccurFolder(tmpDir(t), V, X);
  const ck1 = path.join(tmpDir(t), 'ck');
  const m1 = await train(t, co, { dim: 4, epochs: 2, model: 1 }, ck1);
  const ck2 = path.join(tmpDir(t), 'ck');
  const m2 = await train(t, co, { dim: 4, epochs: 2, model: 2 }, ck2);
  // Same seed and data, one thread: the same W; model 2 adds the context rows W~ (from the checkpointed weights).
  const w = (await readEmbeddingsArrow(path.join(m1.out, 'embeddings.arrow'))).vectors;
  const ww = (await readEmbeddingsArrow(path.join(m2.out, 'embeddings.arrow'))).vectors;
  const saved = new Float64Array(new Uint8Array(fs.readFileSync(path.join(ck2, 'weights.bin'))).buffer, 0, 2 * V * 5);
  for (let a = 0; a < V; a++)
    for (let b = 0; b < 4; b++) {
      if (w[a * 4 + b] !== Math.fround(saved[a * 5 + b]!)) t.fail(`W row ${a} col ${b}`);
      if (ww[a * 4 + b] !== Math.fround(saved[a * 5 + b]! + saved[(V + a) * 5 + b]!)) t.fail(`W + W~ row ${a} col ${b}`);
    }
  t.pass('W + W~ checked against the checkpointed W~');
});

t.test('bad input: no marginals, no entries', async (t) => {
  const dir = tmpDir(t);
  const co = await cooccurFolder(dir, V, X);
  fs.rmSync(path.join(co, 'marginals.arrow'));
  await t.rejects(train(t, co, {}), /marginals\.arrow: missing/);
  const empty = await cooccurFolder(tmpDir(t), 3, () => 0);
  await t.rejects(train(t, empty, {}), /has no entries/);
  await t.rejects(train(t, empty, { dim: 0 }), /--dim 0 is below its minimum 1/);
});
