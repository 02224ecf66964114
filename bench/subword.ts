// Benchmark: BPE, lexflow against sentencepiece, as whole processes from the same
// whitespace-tokenized text:
//   training: `lexflow run --to subword` (tokenize, learn the merges, and re-spell the
//     token shards in pieces: the stage always does all three) against `spm_train`
//     (which only trains), with the same vocabulary size (sentencepiece defaults:
//     character_coverage 0.9995, no byte fallback; lexflow the same) and threads;
//   encoding: `lexflow tokenize --tokenizer tokenizer.json` (each line of stdin, pieces
//     and ids printed) against `spm_encode --output_format=id`, both on the training
//     text, every occurrence encoded (one process each, one thread each; spm_encode has
//     no threads), and lexflow again with --threads for its speedup.
// Every 20th line is held out; pieces per word on it compare the models. spm_train and
// spm_encode are found on PATH (Debian package `sentencepiece`); without them only
// lexflow is timed. Last line: one JSON object (bpe_train_rss_ratio, bpe_encode_rss_ratio).
//
//   node dist/bench/subword.js TEXT [--runs 3] [--vocab-size 8000] [--threads 2] [--work DIR]

import fs from 'node:fs';
import path from 'node:path';
import { arg, countTokens, findTool, isMain, lexflow, lexflowRun, machineLine, measurePair, PRETOKENIZED, timedOk, writeLines, type Side, workDir, finishPairs, type PairsResult } from './common.js';

export interface SubwordOptions {
  work: string;
  runs: number;
  vocabSize: number;
  threads: number;
}

export async function subwordPairs(text: string, o: SubwordOptions): Promise<PairsResult> {
  fs.mkdirSync(o.work, { recursive: true });
  const train = path.join(o.work, 'train.txt');
  const held = path.join(o.work, 'heldout.txt');
  writeLines(text, train, (i) => i % 20 !== 19);
  writeLines(text, held, (i) => i % 20 === 19);
  const trainSize = countTokens(train);
  const heldSize = countTokens(held);
  console.log(`text ${text}: train ${trainSize.lines} lines / ${trainSize.tokens} tokens, held out ${heldSize.lines} lines / ${heldSize.tokens} tokens; BPE ${o.vocabSize}`);

  const lexOut = path.join(o.work, 'lexflow');
  const tokenizer = path.join(lexOut, 'subword', 'tokenizer.json');
  const lexTrain: Side = {
    name: 'lexflow',
    threads: o.threads,
    run: () =>
      lexflowRun(lexOut, ['--dataset', train, '--to', 'subword', '--threads', String(o.threads), ...PRETOKENIZED, '--subword.model', 'bpe', '--subword.vocab-size', String(o.vocabSize), '--subword.byte-fallback', 'false', '--subword.character-coverage', '0.9995']),
  };
  const lexEncodeWith = (threads: number): Side => ({
    name: 'lexflow tokenize',
    threads,
    run: () => lexflow(['tokenize', '--tokenizer', tokenizer, '--threads', String(threads)], { stdin: train, stdout: path.join(o.work, 'lexflow.encoded') }),
  });
  const lexEncode = lexEncodeWith(1);
  const spmTrain = findTool('spm_train');
  const spmEncode = findTool('spm_encode');
  const prefix = path.join(o.work, 'spm');
  const peerTrain: Side | undefined = spmTrain
    ? { name: 'spm_train', threads: o.threads, run: () => timedOk(spmTrain, [`--input=${train}`, `--model_prefix=${prefix}`, `--vocab_size=${o.vocabSize}`, '--model_type=bpe', `--num_threads=${o.threads}`, '--minloglevel=1']) }
    : undefined;
  const peerEncode: Side | undefined = spmEncode && spmTrain
    ? { name: 'spm_encode', threads: 1, run: () => timedOk(spmEncode, [`--model=${prefix}.model`, '--output_format=id'], { stdin: train, stdout: path.join(o.work, 'spm.ids') }) }
    : undefined;
  if (!peerTrain) console.log('sentencepiece: spm_train/spm_encode not on PATH, lexflow timed alone (apt-get install sentencepiece)');

  const trainRow = measurePair(`BPE ${o.vocabSize} training (lexflow also re-spells the shards)`, lexTrain, peerTrain, o.runs);
  // Encoding needs both models: the last training run of each left them.
  const encodeRow = measurePair('BPE encoding the training text', lexEncode, peerEncode, o.runs);
  // spm_encode has one thread; lexflow's encoding with --threads shows its own speedup.
  const encodeRowThreads = o.threads > 1 ? measurePair(`same, lexflow ${o.threads} threads`, lexEncodeWith(o.threads), peerEncode, o.runs) : undefined;

  // Pieces per word on the held-out lines.
  fs.writeFileSync(path.join(o.work, 'heldout.json'), '');
  lexflow(['tokenize', '--tokenizer', tokenizer, '--json'], { stdin: held, stdout: path.join(o.work, 'heldout.json') });
  let lexPieces = 0;
  for (const line of fs.readFileSync(path.join(o.work, 'heldout.json'), 'utf8').split('\n')) if (line) lexPieces += (JSON.parse(line) as { pieces: string[] }).pieces.length;
  const json: Record<string, unknown> = { vocab_size: o.vocabSize, train_tokens: trainSize.tokens, lexflow_pieces_per_word: lexPieces / heldSize.tokens, encode_tokens_per_s: trainSize.tokens / encodeRow.a.wall };
  trainRow.output = `lexflow ${(lexPieces / heldSize.tokens).toFixed(4)} pieces/word`;
  encodeRow.output = `lexflow ${(trainSize.tokens / encodeRow.a.wall / 1e6).toFixed(2)}M words/s`;
  if (encodeRowThreads) {
    const speedup = encodeRow.a.wall / encodeRowThreads.a.wall;
    encodeRowThreads.output = `lexflow ${(trainSize.tokens / encodeRowThreads.a.wall / 1e6).toFixed(2)}M words/s; 1 → ${o.threads} threads: ${speedup.toFixed(2)}x`;
    json.bpe_encode_speedup = speedup;
  }
  if (peerTrain && spmEncode) {
    timedOk(spmEncode, [`--model=${prefix}.model`, '--output_format=piece'], { stdin: held, stdout: path.join(o.work, 'spm.held.pieces') });
    const spmPieces = countTokens(path.join(o.work, 'spm.held.pieces')).tokens;
    trainRow.output += ` vs sentencepiece ${(spmPieces / heldSize.tokens).toFixed(4)} (held out)`;
    encodeRow.output += ` vs ${(trainSize.tokens / encodeRow.b!.wall / 1e6).toFixed(2)}M`;
    Object.assign(json, {
      spm_pieces_per_word: spmPieces / heldSize.tokens,
      bpe_train_wall_ratio: trainRow.ratio!.wall,
      bpe_train_rss_ratio: trainRow.ratio!.rssMB,
      bpe_encode_wall_ratio: encodeRow.ratio!.wall,
      bpe_encode_rss_ratio: encodeRow.ratio!.rssMB,
    });
  }
  return { rows: [trainRow, encodeRow, ...(encodeRowThreads ? [encodeRowThreads] : [])], json };
}

async function main(): Promise<void> {
  const text = process.argv[2];
  if (!text || !fs.existsSync(text)) {
    console.error('usage: node dist/bench/subword.js TEXT [--runs 3] [--vocab-size 8000] [--threads 2] [--work DIR]');
    process.exit(2);
  }
  console.log(machineLine());
  const wd = workDir('subword');
  const o: SubwordOptions = {
    work: wd.dir,
    runs: Number(arg('runs', '3')),
    vocabSize: Number(arg('vocab-size', '8000')),
    threads: Number(arg('threads', '2')),
  };
  finishPairs(text, await subwordPairs(text, o), wd);
}

if (isMain(import.meta.url)) await main();
