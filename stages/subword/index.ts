// The subword stage: learn a BPE or WordPiece model on the tokenize stage's word
// types (weighted by their train counts), then re-spell every token shard in
// subword pieces. Its outputs have the tokenize stage's layout (vocab.arrow with
// the specials at 0..3, tokens/<split>-NNNNN.arrow), so any downstream stage can
// read pieces instead of words; tokenizer.json is the trained model for
// `lexflow tokenize --tokenizer`.

import { loadTokenizer } from '../../lib/subword/tokenizer.js';
import path from 'node:path';
import fs from 'node:fs';
import * as A from 'apache-arrow';
import { ArrowFileWriter, primitiveData, utf8Data } from '../../pipeline/arrow.js';
import { InputError } from '../../pipeline/errors.js';
import { defineStage } from '../../pipeline/stage.js';
import { listTokenShards, readVocab, SPECIALS, TOKENS_DIR, vocabSchema } from '../../lib/formats/tokens.js';
import { SPLITS } from '../../datasets/source.js';
import type { ShardSummary } from './encode-shard.js';
import { countPieces, joinRanges, packWords, renumberTable, sortPiecesByCount, type PieceTable } from './piece-table.js';
import { saveSpec, type SubwordKind, type TokenizerSpec } from '../../lib/subword/spec.js';
import type { Pool } from '../../pipeline/pool.js';
import { trainSubword } from '../../lib/subword/train.js';
import { TASKS } from './tasks.js';
import tokenizeCommand from './tokenize-command.js';

export const TOKENIZER_FILE = 'tokenizer.json';

export default defineStage({
  name: 'subword',
  describe: 'BPE or WordPiece subword pieces learned on the word types, and the token shards re-spelled in them',
  version: 1,
  tasks: TASKS,
  commands: [tokenizeCommand],
  tokenizer: { stage: 'subword', file: 'tokenizer.json', load: loadTokenizer },
  inputs: ['tokenize'],
  params: {
    model: { type: 'enum', choices: ['bpe', 'wordpiece'] as const, default: 'bpe', describe: 'bpe (Sennrich et al. 2016, "▁" marks a word start) or wordpiece (BERT, "##" marks a continuation)' },
    'vocab-size': { type: 'int', default: 8000, min: 5, describe: 'Pieces in all: 4 specials + byte pieces + alphabet + learned merges' },
    'byte-fallback': { type: 'bool', default: true, describe: 'bpe: spell characters outside the alphabet as <0xNN> byte pieces (256 pieces) instead of <unk>' },
    'character-coverage': { type: 'float', default: 0.9995, min: 0, exclusiveMin: true, max: 1, describe: 'Share of character occurrences the alphabet must cover (as sentencepiece); rarer characters are bytes or <unk>' },
    'min-pair-count': { type: 'int', default: 2, min: 1, describe: 'Never merge a pair seen fewer times than this in train (rare pairs make poor pieces, above all for wordpiece)' },
    'max-chars': { type: 'int', default: 100, min: 1, describe: 'wordpiece: a word longer than this many characters is one <unk>' },
  },
  async run(ctx) {
    const p = ctx.params;
    const inDir = ctx.input('tokenize').dir;

    const vocabStep = ctx.progress.step('reading the word vocabulary');
    const vocab = await readVocab(inDir);
    SPECIALS.forEach((s, i) => {
      if (vocab.tokens[i] !== s) throw new InputError(path.join(inDir, 'vocab.arrow'), `id ${i} is ${JSON.stringify(vocab.tokens[i])}, not the special "${s}"`, 'Rerun the tokenize stage');
    });
    // Train on word types with their train counts; the specials are not words.
    const trainCounts = vocab.counts.slice();
    trainCounts.fill(0, 0, SPECIALS.length);
    const trainTypes = trainCounts.reduce((n, c) => n + (c > 0 ? 1 : 0), 0);
    vocabStep.done(`${vocab.tokens.length} words, ${trainTypes} seen in train`);
    if (trainTypes === 0) throw new InputError(path.join(inDir, 'vocab.arrow'), 'no word has a train count', 'The train split is empty; check the dataset and the tokenize stage');

    const trainStep = ctx.progress.step(`training ${p.model}`, p['vocab-size'], 'pieces');
    const trained = trainSubword(vocab.tokens, trainCounts, {
      kind: p.model as SubwordKind,
      vocabSize: p['vocab-size'],
      byteFallback: p['byte-fallback'],
      characterCoverage: p['character-coverage'],
      maxChars: p['max-chars'],
      minPairCount: p['min-pair-count'],
      onProgress: (n) => trainStep.set(n),
    });
    trainStep.done(`${trained.pieces.length} pieces`);
    if (trained.pieces.length < p['vocab-size'])
      ctx.warn(`only ${trained.pieces.length} of --vocab-size ${p['vocab-size']} pieces: no pair left that occurs --min-pair-count ${p['min-pair-count']} times or more`);

    // Each word type is encoded once; pieces are then numbered by train count, as words are.
    const typeStep = ctx.progress.step('encoding word types', vocab.tokens.length, 'types');
    const table = await encodeTypesInPool(ctx.pool, trained, vocab.tokens, (n) => typeStep.tick(n));
    const { spec, newId, counts } = sortPiecesByCount(trained, countPieces(table, vocab.counts, trained.pieces.length));
    renumberTable(table, newId);
    typeStep.done();
    saveSpec(path.join(ctx.outDir, TOKENIZER_FILE), { ...spec, words: { stage: 'tokenize', params: ctx.input('tokenize').manifest.params } });
    await writePieceVocab(path.join(ctx.outDir, 'vocab.arrow'), spec.pieces, counts);

    const shardStep = ctx.progress.step('encoding shards', SPLITS.reduce((n, split) => n + listTokenShards(inDir, split).length, 0), 'shards');
    fs.mkdirSync(path.join(ctx.outDir, TOKENS_DIR), { recursive: true });
    const rows: Record<string, number> = { 'vocab.arrow': spec.pieces.length };
    const metrics: Record<string, unknown> = {
      model: p.model,
      pieces: spec.pieces.length,
      merges: spec.merges?.length ?? spec.pieces.length - SPECIALS.length,
      trainWordTypes: trainTypes,
    };
    for (const split of SPLITS) {
      const inputs = listTokenShards(inDir, split);
      if (inputs.length === 0) continue;
      const results = await Promise.all(
        inputs.map(async (input) => {
          const rel = path.join(TOKENS_DIR, path.basename(input));
          const r = await ctx.pool.run<ShardSummary>(TASKS.encode, { input, output: path.join(ctx.outDir, rel), offsets: table.offsets, pieces: table.pieces });
          shardStep.tick();
          rows[rel] = r.rows;
          return r;
        }),
      );
      const words = results.reduce((s, r) => s + r.words, 0);
      const pieces = results.reduce((s, r) => s + r.pieces, 0);
      metrics[split] = { sentences: results.reduce((s, r) => s + r.rows, 0), words, pieces, piecesPerWord: words ? pieces / words : 0, unknown: results.reduce((s, r) => s + r.unknown, 0) };
    }
    shardStep.done();
    return { rows, metrics };
  },
});

const TYPES_PER_TASK = 20_000;

/** Encode every word type once, in ranges across the pool; the table lands in SharedArrayBuffers for the shard tasks. */
async function encodeTypesInPool(pool: Pool, spec: TokenizerSpec, words: readonly string[], tick: (types: number) => void): Promise<PieceTable> {
  const packed = packWords(words);
  const json = JSON.stringify(spec);
  const ranges: Array<{ from: number; to: number }> = [];
  for (let from = 0; from < words.length; from += TYPES_PER_TASK) ranges.push({ from, to: Math.min(words.length, from + TYPES_PER_TASK) });
  const done = await Promise.all(
    ranges.map(async (r) => {
      const data = await pool.run<Int32Array>(TASKS.types, { spec: json, bytes: packed.bytes, offsets: packed.offsets, ...r });
      tick(r.to - r.from);
      return { ...r, data };
    }),
  );
  return joinRanges(done);
}

/** vocab.arrow in the tokenize layout: id, piece, train count. */
async function writePieceVocab(file: string, pieces: readonly string[], counts: Float64Array): Promise<void> {
  const ids = Int32Array.from(pieces, (_, i) => i);
  const c = BigInt64Array.from(counts, (x) => BigInt(x));
  const w = new ArrowFileWriter(file, vocabSchema);
  await w.writeColumns([primitiveData(new A.Int32(), ids), utf8Data(pieces), primitiveData(new A.Int64(), c)]);
  await w.close();
}
