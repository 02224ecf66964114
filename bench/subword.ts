// Benchmark: lexflow BPE against sentencepiece BPE on one whitespace-tokenized text.
//
//   node dist/bench/subword.js TEXT [--vocab-size 8000] [--holdout-every 20]
//
// Every 20th line is held out. Both tools train BPE with the same vocabulary size on
// the other lines (sentencepiece defaults: character_coverage 0.9995, no byte
// fallback; lexflow the same), then encode the training text to ids (throughput) and
// the held-out text to pieces (compression: pieces per word). Each tool runs as its
// own process: wall time and peak RSS include reading the text and counting words.
// spm_train/spm_encode are found on PATH (Debian package `sentencepiece`); without
// them only lexflow's figures are printed. Last line: one JSON object.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { saveSpec, readSpec } from '../stages/subword/spec.js';
import { tokenizerFromSpec } from '../stages/subword/tokenizer.js';
import { trainSubword } from '../stages/subword/train.js';
import { findTool, printJsonLine, timedOk } from './common.js';

const self = fileURLToPath(import.meta.url);

/** The text of a file in large chunks that end at line ends. */
function* textChunks(file: string, size = 1 << 24): Generator<string> {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(size);
  let carry = Buffer.alloc(0);
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, size, null);
      if (n === 0) {
        if (carry.length) yield carry.toString('utf8');
        return;
      }
      const data = carry.length ? Buffer.concat([carry, buf.subarray(0, n)]) : buf.subarray(0, n);
      const last = data.lastIndexOf(10);
      if (last < 0) {
        carry = Buffer.from(data);
        continue;
      }
      yield data.toString('utf8', 0, last + 1);
      carry = Buffer.from(data.subarray(last + 1));
    }
  } finally {
    fs.closeSync(fd);
  }
}

function maxRssMB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Child: count words, train, save. */
function childTrain(text: string, model: string, vocabSize: number): void {
  const t0 = performance.now();
  const counts = new Map<string, number>();
  let tokens = 0;
  for (const chunk of textChunks(text))
    for (const line of chunk.split('\n'))
      for (const w of line.split(' ')) {
        if (w.length === 0) continue;
        counts.set(w, (counts.get(w) ?? 0) + 1);
        tokens++;
      }
  const t1 = performance.now();
  const spec = trainSubword([...counts.keys()], Float64Array.from(counts.values()), {
    kind: 'bpe',
    vocabSize,
    byteFallback: false,
    characterCoverage: 0.9995,
    maxChars: 100,
  });
  saveSpec(model, spec);
  const t2 = performance.now();
  console.log(JSON.stringify({ tokens, types: counts.size, countSeconds: (t1 - t0) / 1000, trainSeconds: (t2 - t1) / 1000, maxRssMB: maxRssMB() }));
}

/** Write a non-negative int as ASCII digits at pos; returns the new end. */
function writeDecimal(buf: Buffer, pos: number, v: number): number {
  if (v === 0) {
    buf[pos] = 48;
    return pos + 1;
  }
  const start = pos;
  for (; v > 0; v = (v / 10) | 0) buf[pos++] = 48 + (v % 10);
  for (let i = start, j = pos - 1; i < j; i++, j--) {
    const t = buf[i]!;
    buf[i] = buf[j]!;
    buf[j] = t;
  }
  return pos;
}

/** Child: encode text to ids, one line per line, each word type encoded once. */
function childEncode(model: string, text: string, out: string): void {
  const tok = tokenizerFromSpec(readSpec(model));
  const cache = new Map<string, Int32Array>();
  const tmp: number[] = [];
  const fd = fs.openSync(out, 'w');
  const buf = Buffer.alloc(1 << 22);
  let pos = 0;
  let words = 0;
  let pieces = 0;
  const flush = () => {
    fs.writeSync(fd, buf, 0, pos);
    pos = 0;
  };
  for (const chunk of textChunks(text)) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', start);
      if (nl < 0) break;
      const line = chunk.slice(start, nl);
      start = nl + 1;
      let first = true;
      for (const w of line.split(' ')) {
        if (w.length === 0) continue;
        let ids = cache.get(w);
        if (ids === undefined) {
          tmp.length = 0;
          tok.encodeWord(w, tmp);
          ids = Int32Array.from(tmp);
          cache.set(w, ids);
        }
        words++;
        pieces += ids.length;
        if (pos + ids.length * 12 + 2 > buf.length) flush();
        for (let k = 0; k < ids.length; k++) {
          if (!first) buf[pos++] = 32;
          first = false;
          pos = writeDecimal(buf, pos, ids[k]!);
        }
      }
      buf[pos++] = 10;
    }
  }
  flush();
  fs.closeSync(fd);
  console.log(JSON.stringify({ words, pieces, types: cache.size, maxRssMB: maxRssMB() }));
}

interface Timed {
  seconds: number;
  maxRssMB: number;
  stdout: string;
}


function countTokens(file: string): { lines: number; tokens: number } {
  let lines = 0;
  let tokens = 0;
  for (const chunk of textChunks(file))
    for (const line of chunk.split('\n')) {
      if (line.length === 0) continue;
      lines++;
      for (const w of line.split(' ')) if (w) tokens++;
    }
  return { lines, tokens };
}

function main(): void {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child-train') return childTrain(argv[1]!, argv[2]!, Number(argv[3]));
  if (argv[0] === '--child-encode') return childEncode(argv[1]!, argv[2]!, argv[3]!);
  const text = argv[0];
  if (!text || !fs.existsSync(text)) {
    console.error('usage: node dist/bench/subword.js TEXT [--vocab-size 8000] [--holdout-every 20]');
    process.exit(2);
  }
  const opt = (name: string, def: number) => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : def;
  };
  const vocabSize = opt('--vocab-size', 8000);
  const every = opt('--holdout-every', 20);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lexflow-bench-subword-'));
  try {
    // Split: every `every`-th line held out.
    const train = path.join(dir, 'train.txt');
    const held = path.join(dir, 'heldout.txt');
    const tw = fs.openSync(train, 'w');
    const hw = fs.openSync(held, 'w');
    let n = 0;
    for (const chunk of textChunks(text)) {
      const trainLines: string[] = [];
      const heldLines: string[] = [];
      for (const line of chunk.split('\n')) {
        if (line.length === 0) continue;
        (++n % every === 0 ? heldLines : trainLines).push(line);
      }
      fs.writeSync(tw, trainLines.join('\n') + '\n');
      if (heldLines.length) fs.writeSync(hw, heldLines.join('\n') + '\n');
    }
    fs.closeSync(tw);
    fs.closeSync(hw);
    const trainSize = countTokens(train);
    const heldSize = countTokens(held);
    console.log(`text ${text}: train ${trainSize.lines} lines / ${trainSize.tokens} tokens, held out ${heldSize.lines} lines / ${heldSize.tokens} tokens; BPE ${vocabSize}`);
    console.log('(2 shared cores under contention from other jobs: compare the ratios, measured in one run)');

    // lexflow
    const lfModel = path.join(dir, 'lexflow.json');
    const lfTrain = timedOk(process.execPath, [self, '--child-train', train, lfModel, String(vocabSize)]);
    const lfTrainInfo = JSON.parse(lfTrain.stdout.trim().split('\n').pop()!);
    const lfEnc = timedOk(process.execPath, [self, '--child-encode', lfModel, train, path.join(dir, 'lexflow.ids')]);
    const lfEncInfo = JSON.parse(lfEnc.stdout.trim().split('\n').pop()!);
    const lfHeld = timedOk(process.execPath, [self, '--child-encode', lfModel, held, path.join(dir, 'lexflow.held.ids')]);
    const lfHeldInfo = JSON.parse(lfHeld.stdout.trim().split('\n').pop()!);
    const lexflow = {
      train_seconds: lfTrain.wall,
      train_count_seconds: lfTrainInfo.countSeconds,
      train_merge_seconds: lfTrainInfo.trainSeconds,
      train_peak_rss_mb: lfTrain.rssMB,
      encode_seconds: lfEnc.wall,
      encode_tokens_per_second: trainSize.tokens / lfEnc.wall,
      encode_peak_rss_mb: lfEnc.rssMB,
      tokens_per_word: lfHeldInfo.pieces / lfHeldInfo.words,
    };
    const row = (name: string, r: typeof lexflow) =>
      console.log(
        `${name.padEnd(14)} train ${r.train_seconds.toFixed(2)} s, peak ${r.train_peak_rss_mb.toFixed(0)} MB | encode ${r.encode_seconds.toFixed(2)} s = ${(r.encode_tokens_per_second / 1e6).toFixed(2)}M tokens/s, peak ${r.encode_peak_rss_mb.toFixed(0)} MB | held-out pieces/word ${r.tokens_per_word.toFixed(4)}`,
      );
    row('lexflow', lexflow);
    console.log(`               (lexflow train: counting words ${lexflow.train_count_seconds.toFixed(2)} s, merges ${lexflow.train_merge_seconds.toFixed(2)} s)`);

    let spm: typeof lexflow | undefined;
    if (findTool('spm_train') && findTool('spm_encode')) {
      const prefix = path.join(dir, 'spm');
      const st = timedOk('spm_train', [`--input=${train}`, `--model_prefix=${prefix}`, `--vocab_size=${vocabSize}`, '--model_type=bpe', '--minloglevel=1']);
      const se = timedOk('spm_encode', [`--model=${prefix}.model`, '--output_format=id'], { stdout: path.join(dir, 'spm.ids'), stdin: train });
      const sh = timedOk('spm_encode', [`--model=${prefix}.model`, '--output_format=piece'], { stdout: path.join(dir, 'spm.held.pieces'), stdin: held });
      const heldPieces = countTokens(path.join(dir, 'spm.held.pieces')).tokens;
      spm = {
        train_seconds: st.wall,
        train_count_seconds: NaN,
        train_merge_seconds: NaN,
        train_peak_rss_mb: st.rssMB,
        encode_seconds: se.wall,
        encode_tokens_per_second: trainSize.tokens / se.wall,
        encode_peak_rss_mb: se.rssMB,
        tokens_per_word: heldPieces / heldSize.tokens,
      };
      row('sentencepiece', spm);
    } else console.log('sentencepiece: spm_train/spm_encode not on PATH, skipped (apt-get install sentencepiece)');

    const result: Record<string, unknown> = {
      text,
      vocab_size: vocabSize,
      train_tokens: trainSize.tokens,
      heldout_tokens: heldSize.tokens,
      lexflow,
      ...(spm ? { sentencepiece: spm } : {}),
      train_time_ratio: spm ? lexflow.train_seconds / spm.train_seconds : null,
      encode_speed_ratio: spm ? lexflow.encode_tokens_per_second / spm.encode_tokens_per_second : null,
      tokens_per_word: { lexflow: lexflow.tokens_per_word, sentencepiece: spm?.tokens_per_word ?? null },
      compression_ratio: spm ? lexflow.tokens_per_word / spm.tokens_per_word : null,
    };
    printJsonLine(result);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
