// Randomized SVD against an exact dense SVD (one-sided Jacobi, written here
// independently), and the svd stage end to end on a small PPMI matrix.
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readTableSync } from '../pipeline/arrow.js';
import { createPool } from '../pipeline/pool.js';
import cooccur from '../stages/cooccur/index.js';
import pmi from '../stages/pmi/index.js';
import svd from '../stages/svd/index.js';
import evalEmbeddings from '../stages/eval-embeddings/index.js';
import { readEmbeddingsArrow, readWord2vecText } from '../lib/formats/vectors.js';
import { inlineKernels, randomizedSvd } from '../stages/svd/rsvd.js';
import { countingKernels, rsvdProducts } from '../stages/svd/counting-kernels.js';
import { runStageDirect } from '../testkit/stage-harness.js';
import { symmetricEigen, transposeCsr, type Csr } from '../lib/linalg/dense.js';
import { writeDocuments } from '../testkit/token-shards.js';

function rng(seed: number): () => number {
  let x = seed;
  return () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
}

/** Singular values of a dense m x n matrix by one-sided Jacobi (Hestenes), descending. */
function denseSingularValues(D: Float64Array, m: number, n: number): number[] {
  const a = Float64Array.from(D);
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < m; i++) {
          alpha += a[i * n + p]! ** 2;
          beta += a[i * n + q]! ** 2;
          gamma += a[i * n + p]! * a[i * n + q]!;
        }
        if (Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta) || gamma === 0) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const tt = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + tt * tt);
        const s = c * tt;
        for (let i = 0; i < m; i++) {
          const ap = a[i * n + p]!;
          const aq = a[i * n + q]!;
          a[i * n + p] = c * ap - s * aq;
          a[i * n + q] = s * ap + c * aq;
        }
      }
    if (!rotated) break;
  }
  const sv: number[] = [];
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += a[i * n + j]! ** 2;
    sv.push(Math.sqrt(s));
  }
  return sv.sort((x, y) => y - x);
}

function sparseFromDense(D: Float64Array, m: number, n: number): Csr {
  const rowPtr = new Float64Array(m + 1);
  const cols: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++)
      if (D[i * n + j] !== 0) {
        cols.push(j);
        vals.push(D[i * n + j]!);
      }
    rowPtr[i + 1] = cols.length;
  }
  return { rows: m, cols: n, rowPtr, colIdx: Int32Array.from(cols), vals: Float32Array.from(vals) };
}

/** A sparse random matrix with float32 entries (as pmi.arrow stores them). */
function sparseRandom(m: number, n: number, density: number, seed: number): Float64Array {
  const r = rng(seed);
  return new Float64Array(m * n).map(() => (r() < density ? Math.fround(r() * 4) : 0));
}

t.test('Jacobi eigen of a known symmetric matrix', async (t) => {
  // [[2,1],[1,2]] has eigenvalues 3 and 1
  const { values, vectors } = symmetricEigen(Float64Array.of(2, 1, 1, 2), 2);
  t.ok(Math.abs(values[0]! - 3) < 1e-12 && Math.abs(values[1]! - 1) < 1e-12);
  t.ok(Math.abs(Math.abs(vectors[0]!) - Math.SQRT1_2) < 1e-12);
});

t.test('randomized SVD = exact SVD when l covers the rank (full range)', async (t) => {
  const m = 50;
  const n = 40;
  const D = sparseRandom(m, n, 0.3, 3);
  const A = sparseFromDense(D, m, n);
  const exact = denseSingularValues(D, m, n);
  const { S, U } = await randomizedSvd(A, transposeCsr(A), await inlineKernels(), { rank: 12, oversample: 28, powerIterations: 1, seed: 1 });
  for (let j = 0; j < 12; j++) t.ok(Math.abs(S[j]! - exact[j]!) <= 1e-4 * exact[j]!, `sigma ${j}: ${S[j]} vs ${exact[j]}`);
  // U has orthonormal columns
  let worst = 0;
  for (let a = 0; a < 12; a++)
    for (let b = 0; b < 12; b++) {
      let s = 0;
      for (let i = 0; i < m; i++) s += U[i * 12 + a]! * U[i * 12 + b]!;
      worst = Math.max(worst, Math.abs(s - (a === b ? 1 : 0)));
    }
  t.ok(worst < 1e-8, `U^T U = I within ${worst}`);
});

t.test('randomized SVD with power iterations on a decaying spectrum (l << n)', async (t) => {
  // A = sum_k 2^-k u_k v_k^T with sparse-ish random factors, plus nothing else: rank 8.
  const m = 120;
  const n = 90;
  const r = rng(9);
  const D = new Float64Array(m * n);
  for (let k = 0; k < 8; k++) {
    const u = Array.from({ length: m }, () => (r() < 0.5 ? r() - 0.5 : 0));
    const v = Array.from({ length: n }, () => (r() < 0.5 ? r() - 0.5 : 0));
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) D[i * n + j]! += 2 ** -k * u[i]! * v[j]!;
  }
  for (let i = 0; i < D.length; i++) D[i] = Math.fround(D[i]!);
  const A = sparseFromDense(D, m, n);
  const exact = denseSingularValues(D, m, n);
  const { S } = await randomizedSvd(A, transposeCsr(A), await inlineKernels(), { rank: 5, oversample: 5, powerIterations: 2, seed: 7 });
  for (let j = 0; j < 5; j++) t.ok(Math.abs(S[j]! - exact[j]!) <= 1e-4 * exact[j]!, `sigma ${j}: ${S[j]} vs ${exact[j]}`);
});

t.test('the progress total of the randomized SVD is the number of kernel calls it makes', async (t) => {
  const r = rng(9);
  const n = 40;
  const rowPtr = new Float64Array(n + 1);
  const colIdx: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) if (r() < 0.2) (colIdx.push(j), vals.push(r()));
    rowPtr[i + 1] = colIdx.length;
  }
  const A: Csr = { rows: n, cols: n, rowPtr, colIdx: Int32Array.from(colIdx), vals: Float32Array.from(vals) };
  const At = transposeCsr(A);
  for (const q of [0, 1, 3]) {
    let calls = 0;
    await randomizedSvd(A, At, countingKernels(await inlineKernels(), () => calls++), { rank: 5, oversample: 5, powerIterations: q, seed: 1 });
    t.equal(calls, rsvdProducts(q), `q = ${q}: ${calls} products`);
  }
});

t.test('cooccur -> pmi -> svd -> eval-embeddings on a small corpus', async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lexflow-svd-'));
  const pool = createPool(2);
  t.teardown(async () => {
    fs.rmSync(root, { recursive: true, force: true });
    await pool.destroy();
  });
  const r = rng(4);
  const words = Array.from({ length: 30 }, (_, i) => `w${i}`);
  const corpus = [Array.from({ length: 300 }, () => Array.from({ length: 12 }, () => words[Math.floor(30 * r() ** 1.5)]!))];
  const tok = path.join(root, 'tokenize');
  await writeDocuments(tok, corpus);
  const co = path.join(root, 'cooccur');
  const pm = path.join(root, 'pmi');
  const sv = path.join(root, 'svd');
  await runStageDirect(cooccur, { inputs: { tokenize: tok }, outDir: co, params: { window: 3, 'min-count': 1 }, pool });
  await runStageDirect(pmi, { inputs: { cooccur: co }, outDir: pm, pool });
  // dense PPMI matrix from pmi.arrow, in marginals order
  const marg = readTableSync(path.join(co, 'marginals.arrow'));
  const ids = Array.from(marg.getChild('id')!.toArray() as Int32Array);
  const V = ids.length;
  const at = new Map(ids.map((id, i) => [id, i]));
  const D = new Float64Array(V * V);
  const pt = readTableSync(path.join(pm, 'pmi.arrow'));
  const pr = pt.getChild('row')!.toArray() as Int32Array;
  const pc = pt.getChild('col')!.toArray() as Int32Array;
  const pv = pt.getChild('pmi')!.toArray() as Float32Array;
  for (let i = 0; i < pr.length; i++) {
    t.ok(pv[i]! > 0, 'PPMI keeps positive cells only') || i;
    D[at.get(pr[i]!)! * V + at.get(pc[i]!)!] = pv[i]!;
  }
  const exact = denseSingularValues(D, V, V);
  const progress: string[] = [];
  const res = await runStageDirect(svd, {
    inputs: { cooccur: co, pmi: pm },
    outDir: sv,
    params: { dim: 6, oversample: V - 6, eig: '1' },
    pool,
    progress: 'plain',
    plainEvery: 0,
    onProgress: (l) => progress.push(l),
  });
  // Issue 15: each step's plain lines count up to its total, with the total right.
  const last = (step: string): string | undefined => progress.filter((l) => l.startsWith(step + ' [')).at(-1);
  t.match(last('randomized SVD (dim 6)'), / 100\.0% 14\/14 products, /, 'svd: 6q + 8 products with q = 1 power iteration');
  t.match(last('writing vectors'), new RegExp(` 100\\.0% ${2 * V}/${2 * V} rows, `), 'writing: V rows of embeddings.arrow, V of vectors.txt');
  t.notOk(progress.some((l) => /\b0 \w+\/s|0 items in/.test(l)), 'no "0 products/s", no "0 items in"');
  const S = res.result.metrics!.singularValues as number[];
  for (let j = 0; j < 6; j++) t.ok(Math.abs(S[j]! - exact[j]!) <= 1e-4 * exact[j]!, `stage sigma ${j}: ${S[j]} vs ${exact[j]}`);
  const emb = await readEmbeddingsArrow(path.join(sv, 'embeddings.arrow'));
  t.equal(emb.tokens.length, V);
  t.equal(emb.dim, 6);
  let worst = 0;
  for (let i = 0; i < V; i++) {
    let n = 0;
    for (let j = 0; j < 6; j++) n += emb.vectors[i * 6 + j]! ** 2;
    worst = Math.max(worst, Math.abs(Math.sqrt(n) - 1));
  }
  t.ok(worst < 1e-6, 'rows normalized');
  t.same(readWord2vecText(path.join(sv, 'vectors.txt')).vectors, emb.vectors, 'word2vec text holds the same vectors');
  await t.rejects(runStageDirect(svd, { inputs: { cooccur: co, pmi: pm }, outDir: path.join(root, 'svd-big'), params: { dim: V + 1 }, pool }), { name: 'UsageError', message: /--dim 31 is larger than the vocabulary \(30 words\)/ });

  // eval-embeddings without data: still runs, says so, writes vocabulary and dim
  // (the same svd vectors stand in for word2vec's and glove's here)
  const all = { svd: sv, word2vec: sv, glove: sv };
  const none = await runStageDirect(evalEmbeddings, { inputs: all, outDir: path.join(root, 'eval-none'), params: { wordsim: 'none', analogies: 'none' }, pool });
  t.equal(none.warnings.length, 2);
  t.match(none.warnings[0]!, /no word-similarity sets found/);
  const nm = readTableSync(path.join(root, 'eval-none', 'metrics.arrow'));
  t.same(nm.getChild('metric')!.toArray(), ['vocabulary', 'dim', 'vocabulary', 'dim', 'vocabulary', 'dim']);
  t.same(nm.getChild('vectors')!.toArray(), ['svd', 'svd', 'word2vec', 'word2vec', 'glove', 'glove']);
  // with a similarity folder (CRLF, no final newline) and an analogy file
  const ws = path.join(root, 'ws');
  fs.mkdirSync(ws);
  fs.writeFileSync(path.join(ws, 'set-a.txt'), 'W0\tw1\t3\r\nw0\tw2\t2\r\nw1\tw2\t1\r\nw0\tnope\t5');
  fs.writeFileSync(path.join(ws, 'SOURCE.md'), '# not a set');
  const qa = path.join(root, 'q.txt');
  fs.writeFileSync(qa, ': s1\nw0 w1 w2 w3\nw0 w1 w2 zz\n: gram-s2\nw3 w4 w5 w6\n');
  const ev = await runStageDirect(evalEmbeddings, { inputs: all, outDir: path.join(root, 'eval'), params: { wordsim: ws, analogies: qa }, pool });
  t.same(ev.warnings, []);
  const m = readTableSync(path.join(root, 'eval', 'metrics.arrow'));
  const metric = m.getChild('metric')!.toArray() as string[];
  const set = m.getChild('set')!.toArray() as string[];
  const found = m.getChild('found')!.toArray() as Int32Array;
  const total = m.getChild('total')!.toArray() as Int32Array;
  const i = metric.indexOf('spearman');
  t.equal(set[i], 'set-a');
  t.equal(found[i], 3);
  t.equal(total[i], 4);
  const k = set.findIndex((s, j) => s === 'total' && metric[j] === '3cosadd');
  t.equal(found[k], 2, 'two analogy questions seen');
  t.equal(total[k], 3);
});
