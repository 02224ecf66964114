// The word2vec stage: skip-gram or CBOW vectors from the tokenize stage's train
// split, trained Hogwild across the worker pool as word2vec.c does, with
// checkpoints that let a killed run continue. Writes embeddings.arrow and the
// word2vec text and binary formats (vectors.txt, vectors.bin).

import fs from 'node:fs';
import path from 'node:path';
import { InputError, UsageError } from '../../pipeline/errors.js';
import { hogwild } from '../../pipeline/stage.js';
import { defineStage, type StageContext } from '../../pipeline/stage.js';
import { listTokenShards, readVocab } from '../../lib/formats/tokens.js';
import { loadCheckpoint, readWeightsInto, writeHeader } from './checkpoint.js';
import { planCorpus } from './corpus-plan.js';
import { huffmanTree } from './huffman.js';
import { Lcg } from '../../lib/random/lcg.js';
import { sharedMemory } from '../../lib/wasm/asm.js';
import { simdModule } from './simd.js';
import { unigramTableSize, word2vecParams } from './params.js';
import { align16, threadScratchBytes, type Word2VecShared, type Word2VecThreadResult, type Word2VecThreadTask } from './train.js';
import { EXP_TABLE_SIZE, expTable } from './kernels.js';
import { writeVectorFiles } from '../../lib/formats/vector-files.js';
import { SENTENCE_END, buildTrainingVocab, subsampleThresholds, unigramTable } from './vocab.js';
import { TASKS } from './tasks.js';

type Ctx = StageContext<typeof word2vecParams>;

const sharedFloats = (n: number): Float32Array => new Float32Array(new SharedArrayBuffer(n * 4));

/** word2vec.c InitNet: syn0 uniform in [-0.5, 0.5) / dim from the LCG; output weights zero. */
function initInputVectors(syn0: Float32Array, dim: number, seed: number): void {
  const rng = new Lcg(seed);
  for (let i = 0; i < syn0.length; i++) {
    rng.next();
    syn0[i] = ((rng.lo & 0xffff) / 65536 - 0.5) / dim;
  }
}

export default defineStage({
  name: 'word2vec',
  describe: 'word2vec skip-gram / CBOW vectors (negative sampling or hierarchical softmax), Hogwild across the pool',
  version: 2,
  tasks: TASKS,
  inputs: ['tokenize'],
  params: word2vecParams,
  async run(ctx: Ctx) {
    const p = ctx.params;
    const cbow = p.model === 'cbow';
    const alpha = p.alpha > 0 ? p.alpha : cbow ? 0.05 : 0.025;
    if (p.negative === 0 && !p.hs) throw new UsageError('word2vec: --negative 0 without --hs leaves nothing to train; set --negative 5 or --hs');
    if (p['save-context'] && p.negative === 0) throw new UsageError('word2vec: --save-context needs negative sampling (the output vectors of words are syn1neg); set --negative > 0');
    const tokDir = ctx.input('tokenize').dir;
    const vocabFile = path.join(tokDir, 'vocab.arrow');

    // 1. Vocabulary and corpus plan
    const lexVocab = await readVocab(tokDir);
    const shards = listTokenShards(tokDir, 'train');
    if (shards.length === 0) throw new InputError(path.join(tokDir, 'tokens'), 'no train shards', 'Rerun the tokenize stage');
    const rough = buildTrainingVocab(lexVocab.counts, 0, p['min-count']);
    const threads = ctx.pool.threads;
    const plan = planCorpus(shards, rough.indexOfId, threads);
    const vocab = buildTrainingVocab(lexVocab.counts, plan.sentences, p['min-count']);
    if (vocab.size - 1 < Math.max(p.negative, 2))
      throw new InputError(vocabFile, `only ${vocab.size - 1} words occur at least ${p['min-count']} times, fewer than --negative ${p.negative} (or 2)`, 'Lower --min-count or --negative, or use a larger corpus');
    if (plan.trainableSentences === 0)
      throw new InputError(path.join(tokDir, 'tokens'), `no train sentence has two words that occur at least ${p['min-count']} times`, 'Lower --min-count, or use a corpus with sentences of two words or more');
    ctx.log.info(`word2vec: ${vocab.size} words (min-count ${p['min-count']}), ${plan.wordsPerEpoch} words per epoch, ${threads} threads, ${p.dim % 4 === 0 && simdModule() ? 'WebAssembly SIMD' : 'JS'} kernels`);

    // 2. Shared model
    const V = vocab.size;
    const dim = p.dim;
    // With dim a multiple of 4 the matrices live in one shared WebAssembly.Memory and the
    // SIMD kernels train them (simd.ts); otherwise in plain SharedArrayBuffers.
    const matrixBytes = V * dim * 4;
    const useSimd = dim % 4 === 0 && simdModule() !== null;
    const layout = { syn0: 0, syn1neg: matrixBytes, syn1: matrixBytes * (p.negative > 0 ? 2 : 1) };
    const scratch = layout.syn1 + (p.hs ? matrixBytes : 0);
    // After the matrices: each thread's scratch (train.ts), the sigmoid table, the noise table.
    const perThread = threadScratchBytes(dim);
    const expOffset = scratch + threads * perThread;
    const tableOffset = expOffset + align16((EXP_TABLE_SIZE + 1) * 4);
    const tableLen = p.negative > 0 ? unigramTableSize(V) : 0;
    const memory = useSimd ? sharedMemory(tableOffset + tableLen * 4) : undefined;
    const view = (offset: number, n: number): Float32Array => (memory ? new Float32Array(memory.buffer, offset, n) : sharedFloats(n));
    const syn0 = view(layout.syn0, V * dim);
    const syn1neg = view(layout.syn1neg, p.negative > 0 ? V * dim : 0);
    const syn1 = view(layout.syn1, p.hs ? V * dim : 0);
    const table = memory ? new Int32Array(memory.buffer, tableOffset, tableLen) : new Int32Array(new SharedArrayBuffer(tableLen * 4));
    if (tableLen > 0) unigramTable(vocab.counts, tableLen, 0.75, table);
    if (memory) new Float32Array(memory.buffer, expOffset, EXP_TABLE_SIZE + 1).set(expTable());
    const tree = p.hs ? huffmanTree(vocab.counts) : { codes: new Uint8Array(0), points: new Int32Array(0), codelen: new Uint8Array(0) };
    const counter = new BigInt64Array(new SharedArrayBuffer(8));
    const shared: Word2VecShared = {
      dim,
      vocabSize: V,
      syn0,
      syn1neg,
      syn1,
      indexOfId: vocab.indexOfId,
      keep: subsampleThresholds(vocab.counts, plan.wordsPerEpoch, p.sample),
      table,
      ...tree,
      counter,
      ...(memory ? { wasm: { memory, ...layout, scratch, perThread, expT: expOffset, table: tableOffset } } : {}),
    };

    // 3. Resume from a checkpoint of a killed run, or start fresh
    const resumed = loadCheckpoint(ctx.checkpointDir, threads);
    if (resumed) {
      readWeightsInto(resumed.weightsFile, [syn0, syn1neg, syn1]);
      const done = resumed.states.reduce((s, st) => s + (st?.contributed ?? 0), 0);
      counter[0] = BigInt(done);
      ctx.log.info(`word2vec: resuming from a checkpoint (${done} of ${plan.wordsPerEpoch * p.epochs} words done)`);
    } else {
      fs.rmSync(ctx.checkpointDir, { recursive: true, force: true });
      writeHeader(ctx.checkpointDir, { threads });
      initInputVectors(syn0, dim, p.seed);
    }

    // 4. Train: one long task per thread
    const totalWords = plan.wordsPerEpoch * p.epochs;
    const step = ctx.progress.step('training word2vec', totalWords, 'words');
    const poll = setInterval(() => step.set(Number(counter[0])), 250);
    const t0 = performance.now();
    let results: Word2VecThreadResult[];
    try {
      results = await Promise.all(
        plan.ranges.map((ranges, thread) => {
          const task: Word2VecThreadTask = {
            thread,
            shared,
            settings: { cbow, hs: p.hs, negative: p.negative, window: p.window, epochs: p.epochs, alpha, totalWords, seed: p.seed },
            ranges,
            resume: resumed?.states[thread],
            checkpoint: { dir: ctx.checkpointDir, everyWords: Math.ceil(p['checkpoint-every'] / threads), firstSeq: resumed?.states[0]?.weightsSeq ?? 0 },
          };
          return ctx.pool.run<Word2VecThreadResult>(TASKS.train, task);
        }),
      );
    } finally {
      clearInterval(poll);
    }
    const seconds = (performance.now() - t0) / 1000;
    const wordsDone = Number(counter[0]);
    step.done(`${wordsDone} words in ${seconds.toFixed(1)}s`);

    // 5. Write the vectors
    const tokens = [SENTENCE_END];
    for (let i = 1; i < V; i++) tokens.push(lexVocab.tokens[vocab.idOfIndex[i]!]!);
    const vectors = new Float32Array(syn0);
    const warn = (m: string): void => ctx.warn(m);
    const rows = await writeVectorFiles(ctx.outDir, { arrow: 'embeddings', base: 'vectors' }, { tokens, dim, vectors }, warn);
    if (p['save-context']) {
      const context = { tokens, dim, vectors: new Float32Array(syn1neg) };
      Object.assign(rows, await writeVectorFiles(ctx.outDir, { arrow: 'context', base: 'context' }, context, warn));
    }
    const trained = results.reduce((s, r) => s + r.wordsTrained, 0);
    return {
      ...(threads > 1 ? { notReproducible: hogwild(threads) } : {}),
      rows,
      metrics: {
        vocabSize: V,
        wordsPerEpoch: plan.wordsPerEpoch,
        sentences: plan.sentences,
        epochs: p.epochs,
        alpha,
        trainSeconds: seconds,
        wordsPerSecondPerThread: wordsDone / seconds / threads,
        centreWordsTrained: trained,
        resumed: resumed !== undefined,
        kernels: useSimd ? 'wasm-simd' : 'js',
      },
    };
  },
});
