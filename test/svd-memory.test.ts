// svd within --memory: a PMI matrix past the budget is written as CSR files in
// the temp folder and each product reads it a block of rows at a time
// (stages/svd/disk-csr.ts); the vectors are the same bytes as with the matrix
// in memory, and the transpose on disk equals transposeCsr's.

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { createPool } from '../pipeline/pool.js';
import cooccur from '../stages/cooccur/index.js';
import pmi from '../stages/pmi/index.js';
import svd from '../stages/svd/index.js';
import { readMarginals } from '../lib/formats/marginals.js';
import { transposeCsr } from '../lib/linalg/dense.js';
import { loadBlock, transposeOnDisk, writeSparse } from '../stages/svd/disk-csr.js';
import { runStageDirect } from '../testkit/stage-harness.js';
import { writeDocuments } from '../testkit/token-shards.js';
import { randomCorpus } from '../testkit/random-corpus.js';

const sha = (f: string): string => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');

t.test('svd: matrix on disk in row blocks = matrix in memory, byte for byte', async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lexflow-svd-mem-'));
  const pool = createPool(2);
  t.teardown(async () => {
    fs.rmSync(root, { recursive: true, force: true });
    await pool.destroy();
  });
  const tok = path.join(root, 'tokenize');
  await writeDocuments(tok, [randomCorpus(1500, 21, 200).map((s) => s.split(' '))]);
  const co = path.join(root, 'cooccur');
  const pm = path.join(root, 'pmi');
  await runStageDirect(cooccur, { inputs: { tokenize: tok }, outDir: co, params: { window: 4, 'min-count': 1 }, pool });
  await runStageDirect(pmi, { inputs: { cooccur: co }, outDir: pm, pool });
  const params = { dim: 20, 'power-iterations': 2 };
  const logs: string[] = [];
  const small = await runStageDirect(svd, { inputs: { cooccur: co, pmi: pm }, outDir: path.join(root, 'small'), params: { ...params, memory: '8k' }, pool, logLevel: 'normal', onLog: (l) => logs.push(l) });
  const big = await runStageDirect(svd, { inputs: { cooccur: co, pmi: pm }, outDir: path.join(root, 'big'), params: { ...params, memory: '1G' }, pool });
  const blocks = (r: typeof small): number => r.result.metrics!.matrixBlocks as number;
  t.ok(blocks(small) > 2, `8k: ${blocks(small)} row blocks of ${small.result.metrics!.nonzeros} nonzeros`);
  t.equal(blocks(big), 1, '1G: in memory');
  t.match(logs.join('\n'), /svd: the PMI matrix \(\d+ bytes with its transpose\) is past --memory 8192: spilled/, 'the log says it spilled');
  for (const f of ['embeddings.arrow', 'vectors.txt']) t.equal(sha(path.join(root, 'small', f)), sha(path.join(root, 'big', f)), `${f}: same bytes`);
  t.same(small.result.metrics!.singularValues, big.result.metrics!.singularValues, 'same singular values');
  t.notOk(fs.existsSync(path.join(root, 'small', '.spill')), 'temp files removed');

  // The pieces: the transpose on disk, block by block, against transposeCsr of the whole matrix.
  const m = await readMarginals(co);
  const dir = path.join(root, 'pieces');
  fs.mkdirSync(dir);
  const A = await writeSparse(path.join(pm, 'pmi.arrow'), m.index, m.tokens.length, dir, 4096);
  const plain = { f64: (n: number) => new Float64Array(n), i32: (n: number) => new Int32Array(n), f32: (n: number) => new Float32Array(n) };
  const whole = loadBlock({ ...A, blockBytes: Infinity }, 0, A.rows, plain);
  const T = transposeCsr(whole);
  const Td = transposeOnDisk(A, dir);
  const Tw = loadBlock(Td, 0, Td.rows, plain);
  t.same(Array.from(Tw.rowPtr), Array.from(T.rowPtr), 'transpose row pointers');
  t.same(Array.from(Tw.colIdx), Array.from(T.colIdx), 'transpose columns');
  t.same(Array.from(Tw.vals), Array.from(T.vals), 'transpose values');
});
