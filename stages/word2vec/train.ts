// One Hogwild training thread of word2vec (Mikolov et al. 2013), as word2vec.c's
// TrainModelThread: skip-gram or CBOW (mean of the context), negative sampling
// from the unigram^0.75 table and/or hierarchical softmax, subsampling of frequent
// words, the dynamic window b = rand % window, and a learning rate that decays
// linearly to alpha * 1e-4 with the words done by all threads (a shared Atomics
// counter). The weights live in SharedArrayBuffers (or one shared
// WebAssembly.Memory, for the SIMD kernels) that every thread updates without
// locks. The thread reads its own rows of the token shards as Int32Arrays;
// nothing in the loop allocates. Same LCG and formulas as the C tool, except the
// noise-table index (top 32 bits times the table size, not (next >> 16) % size)
// and float64 sums in the JS kernels, so results are close to, not equal to, C's.

import { readTokenShard } from '../../lib/formats/tokens.js';
import { type ThreadState, dropWeightsBefore, saveThreadState, saveWeights } from './checkpoint.js';
import { MAX_CODE_LENGTH } from './huffman.js';
import { expTable, hsStep, hsStepSimd, nsStep, nsStepSimd } from './kernels.js';
import { Lcg, lcgModBig } from '../../lib/random/lcg.js';
import type { WasmMemory } from '../../lib/wasm/asm.js';
import { MAX_NEGATIVE } from './params.js';
import { simdKernels } from './simd.js';
import { skipgramKernel } from './skipgram-simd.js';

export const MAX_SENTENCE_LENGTH = 1000;

export const align16 = (n: number): number => Math.ceil(n / 16) * 16;
/** Bytes of one thread's scratch in the shared memory: neu1, neu1e, the sentence (int32), the LCG state, the targets of one context (int32). */
export const threadScratchBytes = (dim: number): number => 2 * dim * 4 + align16((MAX_SENTENCE_LENGTH + 1) * 4) + 16 + align16((MAX_NEGATIVE + 1) * 4);
/** Progress and the learning rate are refreshed every this many words, as in word2vec.c. */
const REFRESH_WORDS = 10000;

/** Rows [rowStart, rowEnd) of one token shard. */
export interface RowRange {
  file: string;
  rowStart: number;
  rowEnd: number;
}

export interface Word2VecShared {
  dim: number;
  vocabSize: number;
  /** syn0 (input vectors), syn1neg (negative sampling outputs), syn1 (HS inner nodes): vocabSize * dim each; empty when unused. */
  syn0: Float32Array;
  syn1neg: Float32Array;
  syn1: Float32Array;
  /** Lexflow token id -> training index or -1. */
  indexOfId: Int32Array;
  /** Subsampling: a word is dropped when keep[w] < (rand & 0xFFFF). */
  keep: Float64Array;
  table: Int32Array;
  codes: Uint8Array;
  points: Int32Array;
  codelen: Uint8Array;
  /** [0]: words done by all threads (word2vec.c word_count_actual). */
  counter: BigInt64Array;
  /**
   * When set, syn0/syn1neg/syn1 are views into this shared WebAssembly.Memory at these
   * byte offsets, and the SIMD kernels train them; from `scratch` on, each thread has
   * `perThread` bytes (threadScratchBytes); `expT` and `table` are the sigmoid and noise tables
   * (`table` is also the view shared.table).
   */
  wasm?: { memory: WasmMemory; syn0: number; syn1neg: number; syn1: number; scratch: number; perThread: number; expT: number; table: number };
}

export interface Word2VecSettings {
  cbow: boolean;
  hs: boolean;
  negative: number;
  window: number;
  epochs: number;
  alpha: number;
  /** epochs * words per epoch (sentence ends included), the denominator of the decay. */
  totalWords: number;
  seed: number;
}

export interface Word2VecThreadTask {
  thread: number;
  shared: Word2VecShared;
  settings: Word2VecSettings;
  ranges: RowRange[];
  resume?: ThreadState;
  checkpoint?: { dir: string; everyWords: number; firstSeq: number };
}

export interface Word2VecThreadResult {
  /** Centre words trained (after subsampling). */
  wordsTrained: number;
  lastAlpha: number;
}

export function trainThread(task: Word2VecThreadTask): Word2VecThreadResult {
  const { thread, shared, settings, ranges } = task;
  const { dim, vocabSize, syn0, syn1neg, syn1, indexOfId, keep, table, codes, points, codelen, counter } = shared;
  const { cbow, hs, negative, window, epochs, totalWords } = settings;
  const startingAlpha = settings.alpha;
  const minAlpha = startingAlpha * 0.0001;
  // Noise index from the top 32 bits by one multiply (word2vec.c takes (next >> 16) % table_size; a division costs more).
  const tableScale = table.length / 4294967296;
  const expT = expTable();
  const wasm = shared.wasm;
  const k = wasm ? simdKernels(wasm.memory) : null;
  // byte offsets for the SIMD kernels: rows of syn0 / syn1neg / syn1, this thread's neu1 and neu1e
  const bytes = dim * 4;
  const B0 = wasm ? wasm.syn0 : 0;
  const BN = wasm ? wasm.syn1neg : 0;
  const BH = wasm ? wasm.syn1 : 0;
  const BU = wasm ? wasm.scratch + thread * wasm.perThread : 0;
  const BE = BU + bytes;
  const BS = BE + bytes;
  const BR = BS + align16((MAX_SENTENCE_LENGTH + 1) * 4);
  const BT = BR + 16;
  const sen = wasm ? new Int32Array(wasm.memory.buffer, BS, MAX_SENTENCE_LENGTH + 1) : new Int32Array(MAX_SENTENCE_LENGTH + 1);
  // Skip-gram with negative sampling only: a whole sentence per call (skipgram-simd.ts).
  const sg = wasm && !cbow && !hs && negative > 0 ? skipgramKernel(wasm.memory) : null;
  const rngWords = wasm ? new Uint32Array(wasm.memory.buffer, BR, 2) : new Uint32Array(2);
  const neu1 = wasm ? new Float32Array(wasm.memory.buffer, BU, dim) : new Float32Array(dim);
  const neu1e = wasm ? new Float32Array(wasm.memory.buffer, BE, dim) : new Float32Array(dim);
  const vm1 = vocabSize - 1;
  const bigVocab = vm1 >= 1 << 21;

  const rng = new Lcg(0);
  /** A noise word from the unigram^0.75 table; a draw of 0 (</s>) is replaced by a uniform word, as word2vec.c does. */
  const drawNoise = (): number => {
    rng.next();
    const target = table[(rng.hi * tableScale) | 0]!;
    return target !== 0 ? target : (bigVocab ? lcgModBig(rng, vm1) : rng.mod(vm1)) + 1;
  };
  let epoch = 0;
  let rangeIdx = 0;
  let row = ranges.length ? ranges[0]!.rowStart : 0;
  let wordCount = 0;
  let lastWordCount = 0;
  let contributed = 0;
  let alpha = startingAlpha;
  /** Publish the words read since the last refresh to the shared counter; decay alpha linearly by the total (word2vec.c). */
  const refreshAlpha = (): void => {
    const delta = wordCount - lastWordCount;
    const actual = Number(Atomics.add(counter, 0, BigInt(delta))) + delta;
    contributed += delta;
    lastWordCount = wordCount;
    alpha = Math.max(startingAlpha * (1 - actual / (totalWords + 1)), minAlpha);
  };
  if (task.resume) {
    const r = task.resume;
    if (r.done) return { wordsTrained: 0, lastAlpha: r.alpha };
    epoch = r.epoch;
    rangeIdx = r.range;
    row = r.row;
    rng.hi = r.rngHi;
    rng.lo = r.rngLo;
    wordCount = r.wordCount;
    lastWordCount = r.lastWordCount;
    contributed = r.contributed;
    alpha = r.alpha;
  } else {
    const s = new Lcg(BigInt(settings.seed) + BigInt(thread));
    rng.hi = s.hi;
    rng.lo = s.lo;
  }

  const ck = task.checkpoint;
  let seq = ck ? ck.firstSeq : 0;
  // Words this thread had processed at its last checkpoint (monotonic across epochs).
  let checkpointedWords = contributed + wordCount - lastWordCount;
  const state = (done: boolean, nextRow: number): ThreadState => ({
    epoch,
    range: rangeIdx,
    row: nextRow,
    rngHi: rng.hi,
    rngLo: rng.lo,
    wordCount,
    lastWordCount,
    contributed,
    alpha,
    done,
  });
  const checkpoint = (done: boolean, nextRow: number): void => {
    if (!ck) return;
    const s = state(done, nextRow);
    if (thread === 0) {
      seq++;
      saveWeights(ck.dir, seq, [syn0, syn1neg, syn1]);
      s.weightsSeq = seq;
    }
    saveThreadState(ck.dir, thread, s);
    if (thread === 0) dropWeightsBefore(ck.dir, seq);
    checkpointedWords = contributed + wordCount - lastWordCount;
  };

  let trained = 0;
  let loadedFile = '';
  let ids: Int32Array = new Int32Array(0);
  let offsets: Int32Array = new Int32Array(1);

  while (epoch < epochs) {
    while (rangeIdx < ranges.length) {
      const range = ranges[rangeIdx]!;
      if (loadedFile !== range.file) {
        const shard = readTokenShard(range.file);
        ids = shard.ids;
        offsets = shard.offsets;
        loadedFile = range.file;
      }
      for (; row < range.rowEnd; row++) {
        let p = offsets[row]!;
        const end = offsets[row + 1]!;
        // A sentence longer than MAX_SENTENCE_LENGTH kept words trains in pieces, as in word2vec.c.
        while (true) {
          if (wordCount - lastWordCount > REFRESH_WORDS) refreshAlpha();
          let len = 0;
          while (p < end) {
            const w = indexOfId[ids[p++]!]!;
            if (w < 0) continue;
            wordCount++;
            rng.next();
            if (keep[w]! < (rng.lo & 0xffff)) continue;
            sen[len++] = w;
            if (len >= MAX_SENTENCE_LENGTH) break;
          }
          if (p >= end) wordCount++; // the sentence end </s> counts as a word
          if (sg && wasm) {
            if (len > 0) {
              // As the loop below: alpha is refreshed before position 1 when the words read passed the mark.
              const split = len > 1 && wordCount - lastWordCount > REFRESH_WORDS ? 1 : len;
              rngWords[0] = rng.lo;
              rngWords[1] = rng.hi;
              sg.sgNeg(BS, 0, split, len, window, negative, alpha, B0, BN, BE, bytes, wasm.table, table.length, vm1, wasm.expT, BR, BT);
              if (split < len) {
                refreshAlpha();
                sg.sgNeg(BS, split, len, len, window, negative, alpha, B0, BN, BE, bytes, wasm.table, table.length, vm1, wasm.expT, BR, BT);
              }
              rng.lo = rngWords[0]!;
              rng.hi = rngWords[1]!;
              trained += len;
            }
            if (p >= end) break;
            continue;
          }
          for (let pos = 0; pos < len; pos++) {
            if (pos > 0 && wordCount - lastWordCount > REFRESH_WORDS) refreshAlpha();
            const word = sen[pos]!;
            rng.next();
            const b = rng.mod(window);
            if (cbow) {
              // in -> hidden: the mean of the context vectors (word2vec.c, "cbow")
              for (let c = 0; c < dim; c++) neu1[c] = 0;
              for (let c = 0; c < dim; c++) neu1e[c] = 0;
              let cw = 0;
              for (let a = b; a < window * 2 + 1 - b; a++) {
                if (a === window) continue;
                const c0 = pos - window + a;
                if (c0 < 0 || c0 >= len) continue;
                const l1 = sen[c0]! * dim;
                for (let c = 0; c < dim; c++) neu1[c] += syn0[l1 + c]!;
                cw++;
              }
              if (cw === 0) continue;
              const inv = 1 / cw;
              for (let c = 0; c < dim; c++) neu1[c] *= inv;
              if (hs) {
                const base = word * MAX_CODE_LENGTH;
                const n = codelen[word]!;
                for (let d = 0; d < n; d++) {
                  if (k) hsStepSimd(k, BU, BH + points[base + d]! * bytes, BE, bytes, codes[base + d]!, alpha, expT);
                  else hsStep(neu1, 0, syn1, points[base + d]! * dim, neu1e, dim, codes[base + d]!, alpha, expT);
                }
              }
              for (let d = 0; negative > 0 && d <= negative; d++) {
                const target = d === 0 ? word : drawNoise();
                if (d > 0 && target === word) continue;
                const label = d === 0 ? 1 : 0;
                if (k) nsStepSimd(k, BU, BN + target * bytes, BE, bytes, label, alpha, expT);
                else nsStep(neu1, 0, syn1neg, target * dim, neu1e, dim, label, alpha, expT);
              }
              // hidden -> in: every context word gets the whole error (word2vec.c does not divide it)
              for (let a = b; a < window * 2 + 1 - b; a++) {
                if (a === window) continue;
                const c0 = pos - window + a;
                if (c0 < 0 || c0 >= len) continue;
                const l1 = sen[c0]! * dim;
                if (k) k.addTo(B0 + l1 * 4, BE, bytes);
                else for (let c = 0; c < dim; c++) syn0[l1 + c] += neu1e[c]!;
              }
            } else {
              // skip-gram: each context word's input vector predicts the centre word
              for (let a = b; a < window * 2 + 1 - b; a++) {
                if (a === window) continue;
                const c0 = pos - window + a;
                if (c0 < 0 || c0 >= len) continue;
                const l1 = sen[c0]! * dim;
                for (let c = 0; c < dim; c++) neu1e[c] = 0;
                if (hs) {
                  const base = word * MAX_CODE_LENGTH;
                  const n = codelen[word]!;
                  for (let d = 0; d < n; d++) {
                    if (k) hsStepSimd(k, B0 + l1 * 4, BH + points[base + d]! * bytes, BE, bytes, codes[base + d]!, alpha, expT);
                    else hsStep(syn0, l1, syn1, points[base + d]! * dim, neu1e, dim, codes[base + d]!, alpha, expT);
                  }
                }
                for (let d = 0; negative > 0 && d <= negative; d++) {
                  const target = d === 0 ? word : drawNoise();
                  if (d > 0 && target === word) continue;
                  const label = d === 0 ? 1 : 0;
                  if (k) nsStepSimd(k, B0 + l1 * 4, BN + target * bytes, BE, bytes, label, alpha, expT);
                  else nsStep(syn0, l1, syn1neg, target * dim, neu1e, dim, label, alpha, expT);
                }
                if (k) k.addTo(B0 + l1 * 4, BE, bytes);
                else for (let c = 0; c < dim; c++) syn0[l1 + c] += neu1e[c]!;
              }
            }
            trained++;
          }
          if (p >= end) break;
        }
        if (ck && contributed + wordCount - lastWordCount - checkpointedWords >= ck.everyWords) checkpoint(false, row + 1);
      }
      rangeIdx++;
      if (rangeIdx < ranges.length) row = ranges[rangeIdx]!.rowStart;
    }
    // End of this thread's epoch (word2vec.c: word_count_actual += word_count - last_word_count; local_iter--).
    const delta = wordCount - lastWordCount;
    Atomics.add(counter, 0, BigInt(delta));
    contributed += delta;
    epoch++;
    wordCount = 0;
    lastWordCount = 0;
    rangeIdx = 0;
    row = ranges.length ? ranges[0]!.rowStart : 0;
    checkpoint(epoch >= epochs, row);
  }
  return { wordsTrained: trained, lastAlpha: alpha };
}
