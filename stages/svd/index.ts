// The svd stage: word vectors from a truncated SVD of the pmi stage's sparse
// matrix (Levy, Goldberg & Dagan 2015: W = U S^eig, rows normalized).
//   1. read pmi.arrow into compressed sparse rows (shared with the pool); past
//      --memory, into CSR files in the temp folder, read a block of rows at a
//      time by each product (disk-csr.ts), with the same vectors as a result
//   2. randomized SVD (rsvd.ts), products on the pool
//   3. weight by singular values^eig, normalize rows, write embeddings.arrow
//      and vectors.txt (word2vec text format)

import fs from 'node:fs';
import path from 'node:path';
import { columnValues, readBatches } from '../../pipeline/arrow.js';
import { UsageError } from '../../pipeline/errors.js';
import { defineStage } from '../../pipeline/stage.js';
import { inputRows } from '../../pipeline/input-rows.js';
import { readMarginals } from '../../lib/formats/marginals.js';
import { WORD2VEC_SEPARATORS, writeEmbeddingsArrow, writeWord2vecText } from '../../lib/formats/vectors.js';
import { transposeCsr, type Csr } from '../../lib/linalg/dense.js';
import { countingKernels, rsvdProducts } from './counting-kernels.js';
import { poolKernels, sharedFloat64 } from './pool-kernels.js';
import { randomizedSvd } from './rsvd.js';
import { TASKS } from './tasks.js';
import { NONZERO_BYTES, rowBlocks, transposeOnDisk, writeSparse, type SparseRows } from './disk-csr.js';

/** Read a (row, col, value) table of vocabulary ids into CSR over matrix indices, in shared buffers. */
async function readSparse(file: string, index: Map<number, number>, V: number, nnz: number, onCells: (n: number) => void): Promise<Csr> {
  const rowPtr = sharedFloat64(V + 1);
  const colIdx = new Int32Array(new SharedArrayBuffer(4 * nnz));
  const vals = new Float32Array(new SharedArrayBuffer(4 * nnz));
  let k = 0;
  for await (const b of readBatches(file)) {
    const rc = b.getChild('row')!.data;
    for (let d = 0; d < rc.length; d++) {
      const rows = columnValues<Int32Array>(rc[d]!);
      const cols = columnValues<Int32Array>(b.getChild('col')!.data[d]!);
      const vs = columnValues<Float32Array>(b.getChild('pmi')!.data[d]!);
      for (let i = 0; i < rows.length; i++, k++) {
        rowPtr[index.get(rows[i]!)! + 1]!++;
        colIdx[k] = index.get(cols[i]!)!;
        vals[k] = vs[i]!;
      }
    }
    onCells(b.numRows);
  }
  for (let r = 0; r < V; r++) rowPtr[r + 1]! += rowPtr[r]!;
  return { rows: V, cols: V, rowPtr, colIdx, vals };
}

function toShared(A: Csr): Csr {
  const rowPtr = sharedFloat64(A.rowPtr.length);
  rowPtr.set(A.rowPtr);
  const colIdx = new Int32Array(new SharedArrayBuffer(A.colIdx.byteLength));
  colIdx.set(A.colIdx);
  const vals = new Float32Array(new SharedArrayBuffer(A.vals.byteLength));
  vals.set(A.vals);
  return { ...A, rowPtr, colIdx, vals };
}

export default defineStage({
  name: 'svd',
  describe: 'word vectors by truncated randomized SVD of the PMI matrix',
  version: 1,
  tasks: TASKS,
  inputs: ['cooccur', 'pmi'],
  params: {
    dim: { type: 'int', default: 300, min: 1, describe: 'dimensions (singular vectors kept)' },
    eig: { type: 'enum', choices: ['0', '0.5', '1'] as const, default: '0.5', describe: 'weight singular vectors by singular values to this power (Levy et al. 2015: 0 or 0.5 beat 1)' },
    'power-iterations': { type: 'int', default: 1, min: 0, max: 20, describe: 'subspace iterations of the range finder (Halko et al. 2011, alg. 4.4)' },
    oversample: { type: 'int', default: 10, min: 0, describe: 'extra random directions beyond --dim' },
    normalize: { type: 'bool', default: true, describe: 'scale every vector to unit length' },
    seed: { type: 'int', default: 1, describe: 'random seed of the test matrix' },
    memory: { type: 'size', default: '1G', fingerprint: false, describe: 'budget for the sparse PMI matrix and its transpose; past it they are read from the temp folder in blocks of rows' },
  },
  async run(ctx) {
    const p = ctx.params;
    const co = ctx.input('cooccur').dir;
    const m = await readMarginals(co);
    const V = m.tokens.length;
    if (p.dim > V) throw new UsageError(`svd: --dim ${p.dim} is larger than the vocabulary (${V} words); lower --dim or --min-count of cooccur`);

    const pmiFile = path.join(ctx.input('pmi').dir, 'pmi.arrow');
    const nnz = await inputRows(ctx.input('pmi'), 'pmi.arrow');
    const reading = ctx.progress.step('reading the PMI matrix', nnz, 'cells');
    let A: SparseRows;
    let At: SparseRows;
    let blocks = 1;
    const spillDir = path.join(ctx.outDir, '.spill');
    if (2 * nnz * NONZERO_BYTES <= p.memory) {
      A = await readSparse(pmiFile, m.index, V, nnz, (n) => reading.tick(n));
      At = toShared(transposeCsr(A));
    } else {
      fs.mkdirSync(spillDir, { recursive: true });
      A = await writeSparse(pmiFile, m.index, V, spillDir, Math.max(1 << 12, Math.floor(p.memory / 2)), (n) => reading.tick(n));
      At = transposeOnDisk(A, spillDir);
      blocks = Math.max(rowBlocks(A).length, rowBlocks(At).length);
      ctx.log.info(`svd: the PMI matrix (${2 * nnz * NONZERO_BYTES} bytes with its transpose) is past --memory ${p.memory}: spilled to the temp folder, read in up to ${blocks} blocks of rows per product`);
    }
    reading.done(`${V} x ${V}, ${nnz} nonzeros`);

    // Ticks once per matrix product done (sparse, Gram, dense), so the total is exact.
    const svdStep = ctx.progress.step(`randomized SVD (dim ${p.dim})`, rsvdProducts(p['power-iterations']), 'products');
    const { U, S } = await randomizedSvd(A, At, countingKernels(poolKernels(ctx.pool), () => svdStep.tick()), {
      rank: p.dim,
      oversample: p.oversample,
      powerIterations: p['power-iterations'],
      seed: p.seed,
    });
    svdStep.done(`top singular values ${Array.from(S.subarray(0, 3), (s) => s.toFixed(2)).join(', ')}`);

    const k = S.length;
    const eig = Number(p.eig);
    const weights = S.map((s) => (eig === 0 ? 1 : Math.pow(s, eig)));
    const vectors = new Float32Array(V * k);
    let zeroRows = 0;
    for (let r = 0; r < V; r++) {
      let norm = 0;
      for (let j = 0; j < k; j++) {
        const x = U[r * k + j]! * weights[j]!;
        vectors[r * k + j] = x;
        norm += x * x;
      }
      if (norm === 0) zeroRows++;
      else if (p.normalize) {
        const inv = 1 / Math.sqrt(norm);
        for (let j = 0; j < k; j++) vectors[r * k + j]! *= inv;
      }
    }
    if (zeroRows) ctx.warn(`${zeroRows} words have no positive PMI with any context: their vectors are zero`);
    // Two files of V rows each: embeddings.arrow, then vectors.txt.
    const writing = ctx.progress.step('writing vectors', 2 * V, 'rows');
    const emb = { tokens: m.tokens, dim: k, vectors };
    await writeEmbeddingsArrow(path.join(ctx.outDir, 'embeddings.arrow'), emb, (n) => writing.tick(n));
    // word2vec text cannot hold a token with a space or tab in it: such tokens are written with "_".
    const w2vTokens = m.tokens.map((t) => (t === '' ? '_' : t.replace(new RegExp(WORD2VEC_SEPARATORS, 'g'), '_')));
    const renamed = w2vTokens.filter((t, i) => t !== m.tokens[i]).length;
    if (renamed) ctx.warn(`${renamed} tokens contain spaces or tabs: written to vectors.txt with "_" in their place`);
    writeWord2vecText(path.join(ctx.outDir, 'vectors.txt'), { ...emb, tokens: w2vTokens }, (n) => writing.tick(n));
    writing.done();
    fs.rmSync(spillDir, { recursive: true, force: true });
    return {
      rows: { 'embeddings.arrow': V },
      metrics: { vocabulary: V, dim: k, nonzeros: nnz, matrixBlocks: blocks, singularValues: Array.from(S.subarray(0, Math.min(10, k))) },
    };
  },
});
