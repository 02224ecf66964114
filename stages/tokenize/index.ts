// The tokenize stage: the dataset's text -> vocab.arrow + tokens/<split>-NNNNN.arrow.
//
//   1/3 tokenizing   the main thread reads blocks of whole lines and sends
//                    them to the pool in groups of consecutive blocks;
//                    workers decode, normalize, split and encode with ids
//                    local to the group; results merge in order into the
//                    global type table (train counts). The merge is the one
//                    serial part of the pass, so a group is made large enough
//                    that a type recurring in its blocks is merged once.
//   2/3 vocabulary   count cut, tie order, specials (vocab.ts).
//   3/3 writing      local -> final ids, sentences into bounded shards.
//
// Blocks and shards are cut by content only, so the output is byte-identical
// for any --threads.

import path from 'node:path';
import { defineStage, type StageContext } from '../../pipeline/stage.js';
import { InputError, UsageError } from '../../pipeline/errors.js';
import { SPECIALS } from '../../lib/formats/tokens.js';
import { readBlocks } from '../../datasets/read.js';
import { parseSplitFractions, splitOfFile, type SplitIndex } from '../../datasets/split.js';
import { SPLITS, type DatasetHints, type SourceFile } from '../../datasets/source.js';
import type { BlockBytes, GroupTask, TokenizerOptions } from './block.js';
import type { EncodedBlock } from './encode.js';
import { tokenizeParams } from './params.js';
import { ShardWriter } from './shards.js';
import { BlockStore } from './store.js';
import { SpillingTypes } from './type-spill.js';
import { writeVocab } from './vocab-file.js';
import { TASKS } from './tasks.js';

type Ctx = StageContext<typeof tokenizeParams>;

/** Resolve the `auto` settings from the dataset's hints. */
export function tokenizerOptions(p: Ctx['params'], hints: DatasetHints): TokenizerOptions {
  return {
    normalize: p.normalize,
    lowercase: p.lowercase,
    tokenizer: p.tokenizer === 'auto' ? (hints.tokenizer ?? 'words') : p.tokenizer,
    sentences: p.sentences === 'auto' ? (hints.sentences ?? 'punct') : p.sentences,
    onInvalid: p['on-invalid'],
  };
}

/**
 * Bytes of text per pool task: about six tasks per thread for the file, so the
 * last ones finish close together; at least one block, at most 8 MiB, and the
 * tasks in flight (two per thread) within a quarter of --memory.
 */
export function groupBytes(fileBytes: number, blockBytes: number, threads: number, memory: number): number {
  return Math.max(blockBytes, Math.min(fileBytes / (6 * threads), 8 << 20, memory / (8 * threads)));
}

interface SplitStats {
  documents: number;
  tokens: number;
  types: number;
  oov: number;
}

/** One entry of the in-order merge queue: a file starting, or a block being tokenized. */
type Pending = { kind: 'file'; file: SourceFile; split: SplitIndex | -1 } | { kind: 'block'; result: Promise<EncodedBlock> };

export default defineStage({
  name: 'tokenize',
  describe: 'Normalize, split into sentences and words, build the vocabulary, write token shards',
  version: 1,
  tasks: TASKS,
  inputs: [],
  source: true,
  params: tokenizeParams,
  async run(ctx) {
    const p = ctx.params;
    const dataset = ctx.dataset!;
    const options = tokenizerOptions(p, dataset.hints);
    const fractions = parseSplitFractions(p.split);
    if (p['max-size'] > 0 && p['max-size'] <= SPECIALS.length)
      throw new UsageError(`stage tokenize: --max-size ${p['max-size']} leaves no room for words next to the ${SPECIALS.length} specials; use 0 (unlimited) or more than ${SPECIALS.length}`);
    const files = await dataset.files();
    ctx.log.info(`tokenize: ${files.length} files, tokenizer ${options.tokenizer}, sentences ${options.sentences}, ${options.normalize}${options.lowercase ? ', lowercase' : ''}`);

    // ---- 1/3 tokenizing
    // A quarter of --memory for the type table, the rest for the encoded blocks; both spill into one folder.
    const types = new SpillingTypes(`${ctx.outDir}-spill`, Math.floor(p.memory / 4));
    const store = new BlockStore(`${ctx.outDir}-spill`, p.memory - Math.floor(p.memory / 4));
    const blockGen: number[] = [];
    const stats: SplitStats[] = SPLITS.map(() => ({ documents: 0, tokens: 0, types: 0, oov: 0 }));
    const sentencesBySplit = [0, 0, 0];
    let docs = 0;
    let fileDoc = 0;
    let replaced = 0;
    const queue: Pending[] = [];
    const maxInFlight = ctx.pool.threads * 2;
    let inFlight = 0;

    const mergeHead = async (): Promise<void> => {
      const item = queue.shift()!;
      if (item.kind === 'file') {
        if (item.split >= 0 && item.file.format !== 'jsonl') {
          fileDoc = docs++;
          stats[item.split]!.documents++;
        }
        return;
      }
      const r = await item.result;
      inFlight--;
      const remap = types.merge(r);
      // Global document ids: the file's (txt), or this block's records numbered after those before it (jsonl).
      const sentDoc = new Uint32Array(r.sentDoc.length);
      if (r.docSplit.length > 0) for (let i = 0; i < sentDoc.length; i++) sentDoc[i] = docs + r.sentDoc[i]!;
      else sentDoc.fill(fileDoc);
      for (let i = 0; i < r.docSplit.length; i++) stats[r.docSplit[i]!]!.documents++;
      const sentSplit = r.sentSplit;
      for (let i = 0; i < sentSplit.length; i++) sentencesBySplit[sentSplit[i]!]!++;
      docs += r.docSplit.length;
      replaced += r.replaced;
      store.put({ ids: r.ids, remap, sentEnds: r.sentEnds, sentDoc, sentSplit: r.sentSplit });
      blockGen.push(types.generation);
      types.checkBudget();
    };

    // Fewer documents than non-empty splits: whole-document splitting would leave
    // a split empty, or not, on the luck of a hash. Split by lines instead, and say so.
    const splitsWanted = [fractions.train, fractions.valid, fractions.test].filter((x) => x > 0).length;
    const byLines = files.length < splitsWanted && files.every((f) => f.format !== 'jsonl' && !f.split);
    if (byLines)
      ctx.warn(`the corpus has ${files.length} document${files.length === 1 ? '' : 's'}, fewer than the ${splitsWanted} splits of --split ${p.split.join(',')}: split by lines instead (each line to train, valid or test by a hash of its position)`);

    const totalBytes = files.reduce((s, f) => s + f.bytes, 0);
    const reading = ctx.progress.step('1/3 tokenizing', totalBytes, 'B');
    let bytesBefore = 0;
    try {
      for (const file of files) {
        const split: SplitIndex | -1 = (file.format === 'jsonl' && !file.split) || byLines ? -1 : splitOfFile(file, fractions);
        queue.push({ kind: 'file', file, split });
        const target = groupBytes(file.bytes, p['block-bytes'], ctx.pool.threads, p.memory);
        let group: BlockBytes[] = [];
        let bytesInGroup = 0;
        const send = async (): Promise<void> => {
          const task: GroupTask = { blocks: group, path: file.path, fileId: file.id, format: file.format, split, fractions, textField: dataset.textField, options };
          const result = ctx.pool.run<EncodedBlock>(
            TASKS.block,
            task,
            group.map((b) => b.bytes.buffer as ArrayBuffer),
          );
          result.catch(() => {}); // awaited in order by mergeHead; this only keeps an early failure from being "unhandled"
          queue.push({ kind: 'block', result });
          inFlight++;
          group = [];
          bytesInGroup = 0;
          while (inFlight >= maxInFlight) await mergeHead();
        };
        for await (const block of readBlocks(file, { blockBytes: p['block-bytes'], maxLineBytes: p['max-line-bytes'] })) {
          group.push({ bytes: block.data, offset: block.offset, firstLine: block.firstLine });
          bytesInGroup += block.data.length;
          reading.set(bytesBefore + block.sourceBytesRead);
          if (bytesInGroup >= target) await send();
        }
        if (group.length > 0) await send();
        bytesBefore += file.bytes;
      }
      while (queue.length) await mergeHead();
      reading.done();

      // ---- 2/3 vocabulary
      const trainTokens = types.trainTokens;
      if (trainTokens === 0) {
        if (!sentencesBySplit.some((n) => n > 0)) throw new InputError(dataset.name, `has no text to tokenize (${files.length} file${files.length === 1 ? '' : 's'}, no tokens)`, 'Point --dataset at a corpus with text in it');
        throw new InputError(
          dataset.name,
          `the train split is empty: all ${docs} document${docs === 1 ? '' : 's'} fell into valid/test`,
          'Give the corpus more documents (files or jsonl records), or change --split (e.g. --split 1,0,0)',
        );
      }
      const vocabStep = ctx.progress.step('2/3 vocabulary');
      const { vocab, finalIds, splits: figures } = types.finish(sentencesBySplit[0]!, { minCount: p['min-count'], maxSize: p['max-size'] });
      const rows: Record<string, number> = { 'vocab.arrow': await writeVocab(path.join(ctx.outDir, 'vocab.arrow'), vocab.tokens, vocab.counts) };
      vocabStep.done(`${vocab.tokens.length} types (${vocab.trainTypes} in train before the cut)`);

      // ---- 3/3 writing
      const writing = ctx.progress.step('3/3 writing shards', store.length, 'blocks');
      const writers = SPLITS.map((s) => new ShardWriter(ctx.outDir, s, p['shard-tokens']));
      let gen = -1;
      let finalId: Int32Array = new Int32Array(0);
      for (let b = 0; b < store.length; b++) {
        const { ids, remap, sentEnds, sentDoc, sentSplit } = store.get(b);
        if (blockGen[b] !== gen) finalId = finalIds((gen = blockGen[b]!));
        // Local -> final ids for this block: one lookup per type, then one per token.
        const toFinal = new Int32Array(remap.length);
        for (let i = 0; i < remap.length; i++) toFinal[i] = finalId[remap[i]!]!;
        for (let s = 0; s < sentDoc.length; s++) {
          const from = sentEnds[s]!;
          const to = sentEnds[s + 1]!;
          const w = writers[sentSplit[s]!]!;
          if (w.full(to - from)) await w.flush();
          w.add(sentDoc[s]!, ids, from, to, toFinal);
        }
        store.release(b);
        writing.tick();
      }
      for (const w of writers) {
        await w.flush();
        Object.assign(rows, w.files);
      }
      writing.done();

      // Per-split figures from the per-type counts: tokens, types seen, tokens mapped to <unk>.
      figures.forEach((f, s) => Object.assign(stats[s]!, f));
      if (replaced > 0) ctx.warn(`replaced ${replaced} invalid UTF-8 sequence${replaced === 1 ? '' : 's'} with U+FFFD (--on-invalid replace)`);
      const splits: Record<string, unknown> = {};
      SPLITS.forEach((name, s) => {
        const st = stats[s]!;
        splits[name] = {
          documents: st.documents,
          sentences: sentencesBySplit[s],
          tokens: st.tokens,
          types: st.types,
          oovRate: st.tokens ? st.oov / st.tokens : 0,
        };
      });
      return {
        rows,
        metrics: {
          documents: docs,
          sentences: sentencesBySplit.reduce((a, b) => a + b, 0),
          tokens: stats.reduce((s, x) => s + x.tokens, 0),
          types: vocab.tokens.length,
          trainTypes: vocab.trainTypes,
          replacedInvalidUtf8: replaced,
          spilledBlocks: store.spilledBlocks,
          typeRuns: types.spilledRuns,
          tokenizer: options.tokenizer,
          sentenceMode: options.sentences,
          splits,
        },
      };
    } finally {
      store.removeSpill();
    }
  },
});
