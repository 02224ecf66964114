// Benchmark: lexflow's retrieval bots on the ChatterBot corpus against
// ChatterBot's own default, BestMatch with the Levenshtein ratio of Python's
// difflib (bench/chatbot-bestmatch.py), on the same split: for each bot
// (encoder x context turns) Recall@1, Recall@5 and MRR of the true next turn
// among all replies of the held-out conversations, on all pairs and on the
// pairs with two turns or more before the reply; how many of the paraphrases
// (testkit/chat-paraphrases.ts) each encoder answers as their corpus question;
// and the median answer latency of the best bot over 1000 questions. The
// generative bot (the chatbot stage's --generative rnn with the stage's
// defaults, trained here for a fixed number of epochs, so that its figures are
// the same bytes on a loaded or a quiet machine; --gen-epochs 0 skips it): its
// loss curve, BLEU and distinct-1/2 of its greedy replies to the held-out
// contexts, single-turn and with the largest --turns, their perplexity, and,
// apart (they depend on the machine's load), its training wall time and median
// answer latency (one message at a time). Last line: JSON.
//
//   node dist/bench/chatbot.js [--corpus DIR] [--language english] [--vectors F1,F2]
//        [--turns 1,2,3] [--decay 0.5] [--held-out 0.2] [--threads 2] [--no-peers]
//        [--gen-epochs N] [--gen-steps N] [--gen-minutes M]
//        [--gen-hidden H] [--gen-embed E] [--gen-lr LR] [--gen-batch-tokens T]
//        [--gen-dropout D] [--gen-min-count C] [--gen-valid F] [--gen-decode greedy|beam|sample]
// The --gen-* defaults are the chatbot stage's. --gen-steps N trains N batches
// instead of epochs; --gen-minutes M adds a time budget (its figures then depend
// on the machine). DIR defaults to $LEXFLOW_DATA/dialog/chatterbot-corpus.
// Peer: python3 on PATH.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { arg, dataDir, findTool, flag, printJsonLine } from './common.js';
import { createPool } from '../pipeline/pool.js';
import { filesOfLanguage, isHeldOut, listDialog, readConversations } from '../datasets/dialog.js';
import { readEmbeddings } from '../lib/formats/vectors.js';
import { buildEncoder, buildIndex, type BuiltEncoder } from '../lib/chat/build.js';
import { candidatesOf, echoes, longContext, meanFigures, pairsOf, rankHeldOut, similarityMatrix, type EvalFigures } from '../lib/chat/evaluate.js';
import { RetrievalBot } from '../lib/chat/retrieval.js';
import { TASKS } from '../stages/chatbot/tasks.js';
import { PARAPHRASES } from '../testkit/chat-paraphrases.js';
import { createLogger } from '../pipeline/log.js';
import { createProgress } from '../pipeline/progress.js';
import { DEFAULT_DECODE, type DecoderKind } from '../lib/chat/decoding.js';
import type { GenerativeFigures } from '../lib/chat/generative-eval.js';
import chatbotStage from '../stages/chatbot/index.js';
import { isGenerativeValidation } from '../stages/chatbot/generative-split.js';

const data = dataDir();
const corpus = arg('corpus', data ? path.join(data, 'dialog', 'chatterbot-corpus') : '');
if (!corpus || !fs.existsSync(corpus)) {
  console.log('chatbot bench: no corpus (give --corpus DIR or set $LEXFLOW_DATA); skipped');
  process.exit(0);
}
const language = arg('language', 'english');
const vectorFiles = arg('vectors', '').split(',').filter((s) => s !== '');
const turnsList = arg('turns', '1,2,3').split(',').map(Number);
const decay = Number(arg('decay', '0.5'));
const heldOut = Number(arg('held-out', '0.2'));
const threads = Number(arg('threads', '2'));
const evalK = Number(arg('eval-k', '5'));
const queryWeight = Number(arg('query-weight', '0.5'));
const peers = !flag('no-peers');
const stageDefault = (name: keyof typeof chatbotStage.params): string => String(chatbotStage.params[name].default);
const gen = (name: keyof typeof chatbotStage.params, flagName: string = name): number => Number(arg(flagName, stageDefault(name)));
const genEpochs = gen('epochs', 'gen-epochs');
const genSteps = Number(arg('gen-steps', '0'));
const genMinutes = Number(arg('gen-minutes', '0'));

const { conversations, warnings } = readConversations(filesOfLanguage(listDialog('chatterbot', corpus).files, language));
for (const w of warnings) console.log(`corpus: ${w}`);
const train = conversations.filter((c) => !isHeldOut(c, heldOut));
const held = conversations.filter((c) => isHeldOut(c, heldOut));
const trainPairs = pairsOf(train);
const heldPairs = pairsOf(held);
const cands = candidatesOf(heldPairs);
const long = longContext(heldPairs);
const all = heldPairs.map((_, i) => i);
console.log(`${language}: ${conversations.length} conversations, ${train.length} train (${trainPairs.length} pairs), ${held.length} held out (${heldPairs.length} pairs, ${long.length} with 2+ turns before the reply, ${cands.texts.length} candidate replies)`);
console.log(`load: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (1, 5, 15 min) on ${os.cpus().length} cores; pool ${threads} threads`);

interface Row {
  bot: string;
  turns: number;
  all: EvalFigures;
  long: EvalFigures;
}
const rows: Row[] = [];
const encoders: { name: string; built: BuiltEncoder }[] = [];
const trainTurns = train.flatMap((c) => c.turns);
const bm25 = { k1: 1.2, b: 0.75 };
encoders.push({ name: 'tfidf', built: buildEncoder(trainTurns, { kind: 'tfidf', bm25 }) });
encoders.push({ name: 'bm25', built: buildEncoder(trainTurns, { kind: 'bm25', bm25 }) });
for (const f of vectorFiles) {
  const vectors = await readEmbeddings(f);
  encoders.push({ name: `sif:${path.basename(path.dirname(f))}/${path.basename(f)}`, built: buildEncoder(trainTurns, { kind: 'sif', bm25, sif: { vectors, a: 1e-3, keep: 20000 } }) });
}

const pool = createPool(threads);
const fmt = (f: EvalFigures): string => `${f.recall1.toFixed(3)}  ${f.recall5.toFixed(3)}  ${f.mrr.toFixed(3)}`;
console.log('\nbot                                  turns   all: R@1    R@5    MRR   | 2+ turns: R@1  R@5    MRR');
for (const { name, built } of encoders) {
  const enc = built.encoder;
  const candidates = similarityMatrix(enc, cands.texts, true);
  for (const turns of turnsList) {
    const ix = buildIndex(enc, trainPairs, { turns, decay }, 0, true);
    const replyVecs = similarityMatrix(enc, ix.replies, true);
    const stats = await rankHeldOut(ix, replyVecs, heldPairs, cands, candidates, { k: evalK, queryWeight }, { pool, task: TASKS.rank });
    const row = { bot: `retrieval-${name}`, turns, all: meanFigures(stats, all), long: meanFigures(stats, long) };
    rows.push(row);
    console.log(`${row.bot.padEnd(36)} ${String(turns).padStart(5)}   ${fmt(row.all)} | ${fmt(row.long)}`);
  }
}
await pool.destroy();

// Paraphrases: answerable when the corpus question has a training row.
const norm = (s: string): string => s.toLowerCase().replace(/\s+/g, ' ').trim();
const paraphrase: Record<string, { hits: number; answerable: number }> = {};
for (const { name, built } of encoders) {
  const bot = new RetrievalBot(buildIndex(built.encoder, trainPairs, { turns: 1, decay }, 0));
  let hits = 0;
  let answerable = 0;
  for (const [p, q] of PARAPHRASES) {
    if (!trainPairs.some((x) => norm(x.context[x.context.length - 1]!) === norm(q))) continue;
    answerable++;
    const r = bot.answer([p], 1);
    const top = r.candidates[0];
    if (top && norm(top.context[top.context.length - 1]!) === norm(q)) hits++;
  }
  paraphrase[name] = { hits, answerable };
}
console.log('\nparaphrases answered as their corpus question (single-turn):');
for (const [name, p] of Object.entries(paraphrase)) console.log(`  ${name.padEnd(36)} ${p.hits} / ${p.answerable}`);

// BestMatch, in Python with the standard library's difflib.
let bestMatch: { queries: number; recall1: number; recall5: number; mrr: number; long: EvalFigures } | null = null;
const python = findTool('python3');
if (peers && python) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lexflow-chatbench-'));
  const file = path.join(work, 'split.json');
  const exclusions = echoes(heldPairs, cands);
  fs.writeFileSync(file, JSON.stringify({ train: train.map((c) => c.turns), candidates: cands.texts, pairs: heldPairs.map((p, i) => ({ context: p.context, target: cands.target[i], exclude: Array.from(exclusions[i]!) })) }));
  const script = new URL('../../bench/chatbot-bestmatch.py', import.meta.url).pathname;
  const t0 = performance.now();
  const r = spawnSync(python, [script, file], { encoding: 'utf8', maxBuffer: 1 << 26 });
  fs.rmSync(work, { recursive: true, force: true });
  if (r.status === 0) {
    bestMatch = JSON.parse(r.stdout.trim().split('\n').pop()!);
    console.log(`\nBestMatch (ChatterBot default, difflib ratio), ${((performance.now() - t0) / 1000).toFixed(1)} s: all ${fmt(bestMatch!)} | 2+ turns ${fmt(bestMatch!.long)}`);
  } else console.log(`BestMatch: python failed: ${r.stderr.split('\n').slice(-3).join(' ')}`);
} else console.log(peers ? 'BestMatch: no python3 on PATH; skipped' : 'BestMatch: --no-peers; skipped');

// Latency of the best bot: one answer at a time, as `lexflow chat` does.
const best = [...rows].sort((a, b) => b.all.recall1 - a.all.recall1)[0]!;
const bestEnc = encoders.find((e) => `retrieval-${e.name}` === best.bot)!;
const multi = rows.filter((r) => r.bot === best.bot && r.turns > 1).sort((a, b) => b.long.recall1 - a.long.recall1)[0];
const bot = new RetrievalBot(buildIndex(bestEnc.built.encoder, trainPairs, { turns: best.turns, decay }, 0));
const questions = [...heldPairs.map((p) => p.context[p.context.length - 1]!), ...PARAPHRASES.map((p) => p[0])];
const times: number[] = [];
for (let i = 0; i < 1000; i++) {
  const t0 = performance.now();
  bot.answer([questions[i % questions.length]!], 5);
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
const median = (times[499]! + times[500]!) / 2;
console.log(`\nlatency (${best.bot}, ${best.turns} turns, k 5, 1000 questions): median ${median.toFixed(3)} ms, p95 ${times[949]!.toFixed(3)} ms, max ${times[999]!.toFixed(3)} ms`);
// The generative bot, trained as the chatbot stage trains it (its defaults), in a scratch folder.
let generative: Record<string, unknown> | null = null;
if (genEpochs > 0) {
  const { trainGenerative, epochCurve } = await import('../stages/chatbot/generative.js');
  const { loadSeq2Seq } = await import('../lib/seq2seq/artifacts.js');
  const { GenerativeBot } = await import('../lib/chat/generative.js');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lexflow-chatbench-gen-'));
  const turns = Math.max(...turnsList);
  const validShare = gen('gen-valid');
  const genTrain = train.filter((c) => !isGenerativeValidation(c, validShare));
  const genValid = train.filter((c) => isGenerativeValidation(c, validShare));
  const decodeKind = arg('gen-decode', stageDefault('decode')) as DecoderKind;
  const recipe = {
    arch: 'rnn' as const,
    turns,
    maxVocab: gen('gen-max-vocab'),
    minCount: gen('gen-min-count'),
    maxLen: gen('max-len'),
    embed: gen('gen-embed'),
    hidden: gen('gen-hidden'),
    attention: stageDefault('gen-attention') as 'general',
    dropout: gen('gen-dropout'),
    lr: gen('gen-lr'),
    epochs: genEpochs,
    patience: gen('gen-patience'),
    maxMinutes: genMinutes > 0 ? genMinutes : 1e9,
    maxSteps: genSteps,
    batchTokens: gen('gen-batch-tokens'),
    seed: gen('gen-seed'),
    backend: 'auto' as const,
    decode: { ...DEFAULT_DECODE, kind: decodeKind },
  };
  console.log(`\ngenerative-rnn: ${genTrain.length} training conversations, ${genValid.length} for validation; recipe ${JSON.stringify({ ...recipe, decode: decodeKind })}`);
  const t0 = performance.now();
  const g = await trainGenerative(work, path.join(work, 'checkpoints'), pairsOf(genTrain), pairsOf(genValid), heldPairs, recipe, createLogger('normal'), createProgress({ mode: 'plain', plainEvery: 60 }));
  const wallS = (performance.now() - t0) / 1000;
  const s = loadSeq2Seq(path.join(work, g.meta.dir));
  const gbot = new GenerativeBot({ model: s.model, src: s.src, tgt: s.tgt, shape: g.meta.shape }, recipe.decode);
  const gtimes: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t1 = performance.now();
    gbot.answer([questions[i % questions.length]!], 0);
    gtimes.push(performance.now() - t1);
  }
  gtimes.sort((a, b) => a - b);
  fs.rmSync(work, { recursive: true, force: true });
  const curve = epochCurve(g.history);
  console.log(`  ${g.train.pairs} training pairs (${g.train.dropped} left out), ${g.train.validPairs} validation pairs; vocabularies ${g.train.srcVocab} / ${g.train.tgtVocab}; ${g.train.steps} steps, ${g.train.epochs} epochs: ${g.train.stopReason}`);
  console.log(`  curve (epoch, step, mean train loss of the epoch with dropout, valid ppl after it); the weights kept: train loss ${g.train.trainLoss.toFixed(3)} nats without dropout, valid ppl ${g.train.validPpl.toFixed(1)}`);
  for (const c of curve) console.log(`    ${String(c.epoch).padStart(3)} ${String(c.step).padStart(6)}  ${c.trainLoss.toFixed(3)}  ${Number.isFinite(c.validPpl) ? c.validPpl.toFixed(1) : '-'}`);
  console.log(`  held-out (${decodeKind}):  turns   BLEU    distinct-1  distinct-2  ppl`);
  for (const f of g.figures) console.log(`                   ${String(f.turns).padStart(5)}   ${f.bleu.toFixed(2).padStart(5)}   ${f.distinct1.toFixed(3).padStart(10)}  ${f.distinct2.toFixed(3).padStart(10)}  ${f.ppl.toFixed(1)}`);
  const shown = g.figures.at(-1)!;
  const distinctReplies = new Set(shown.replies).size;
  console.log(`  ${distinctReplies} distinct replies to ${shown.pairs} held-out contexts; the first ones:`);
  for (let i = 0; i < Math.min(8, heldPairs.length); i++) console.log(`    ${JSON.stringify(heldPairs[i]!.context.at(-1))} -> ${JSON.stringify(shown.replies[i])} (true: ${JSON.stringify(heldPairs[i]!.reply.slice(0, 80))})`);
  const gmedian = (gtimes[99]! + gtimes[100]!) / 2;
  console.log(`  time (depends on the machine's load, ${os.loadavg()[0]!.toFixed(2)} now): training ${wallS.toFixed(0)} s (${g.train.tokensPerS.toFixed(0)} target tok/s, ${g.train.backend}); answer latency (1 turn, 200 questions) median ${gmedian.toFixed(1)} ms, p95 ${gtimes[189]!.toFixed(1)} ms`);
  generative = {
    recipe: { ...recipe, decode: decodeKind, maxMinutes: genMinutes },
    trainPairs: g.train.pairs,
    validPairs: g.train.validPairs,
    vocab: { src: g.train.srcVocab, tgt: g.train.tgtVocab },
    trainSteps: g.train.steps,
    trainEpochs: g.train.epochs,
    stopReason: g.train.stopReason,
    trainLoss: g.train.trainLoss,
    validPpl: g.train.validPpl,
    curve,
    figures: g.figures.map(({ replies: _r, msPerReply: _m, ...f }) => f),
    distinctReplies,
    timing: { trainWallS: wallS, trainTokensPerS: g.train.tokensPerS, latencyMedianMs: gmedian, msPerReply: g.figures.map((f) => f.msPerReply), load: os.loadavg()[0], backend: g.train.backend },
  };
} else console.log('\ngenerative: --gen-epochs 0; skipped');

if (bestMatch) console.log(`Recall@1: best lexflow (${best.bot}, ${best.turns} turns) ${best.all.recall1.toFixed(3)} vs BestMatch ${bestMatch.recall1.toFixed(3)}: ${((best.all.recall1 - bestMatch.recall1) * 100).toFixed(1)} points`);
if (multi) {
  const single = rows.find((r) => r.bot === best.bot && r.turns === 1)!;
  console.log(`2+ turns before the reply, ${best.bot}: ${multi.turns} turns R@1 ${multi.long.recall1.toFixed(3)} vs single-turn ${single.long.recall1.toFixed(3)}`);
}
printJsonLine({
  bench: 'chatbot',
  language,
  conversations: conversations.length,
  heldOutPairs: heldPairs.length,
  longPairs: long.length,
  candidates: cands.texts.length,
  load: os.loadavg()[0],
  bots: rows.map((r) => ({ bot: r.bot, turns: r.turns, recall1: r.all.recall1, recall5: r.all.recall5, mrr: r.all.mrr, long: { recall1: r.long.recall1, recall5: r.long.recall5, mrr: r.long.mrr } })),
  bestMatch,
  best: { bot: best.bot, turns: best.turns },
  bestMinusBestMatchRecall1: bestMatch ? best.all.recall1 - bestMatch.recall1 : null,
  paraphrases: paraphrase,
  latencyMedianMs: median,
  generative,
});
