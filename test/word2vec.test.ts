// The word2vec stage: its pieces against hand-worked values (the C tool's LCG,
// Huffman codes, noise table, subsampling), then training on a two-topic corpus:
// groups separate, one thread is bit-identical run to run, a killed run resumes
// to the same result, the output formats agree, bad input is exit 2.

import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { runStageDirect } from '../testkit/stage-harness.js';
import { isUsageError } from '../pipeline/errors.js';
import { createPool } from '../pipeline/pool.js';
import { readEmbeddingsArrow, readWord2vecBinary, readWord2vecText } from '../lib/formats/vectors.js';
import word2vec from '../stages/word2vec/index.js';
import { huffmanTree, MAX_CODE_LENGTH } from '../stages/word2vec/huffman.js';
import { Lcg } from '../lib/random/lcg.js';
import { expTable } from '../stages/word2vec/kernels.js';
import { buildTrainingVocab, subsampleThresholds, unigramTable } from '../stages/word2vec/vocab.js';
import { tokenFolder, topicSeparation, twoTopicText } from '../testkit/embedding-corpus.js';
import { distRoot, tmpDir } from '../testkit/tmp.js';

const pool = createPool(2);
const pool1 = createPool(1);
t.teardown(() => Promise.all([pool.destroy(), pool1.destroy()]));

t.test('LCG equals next = next * 25214903917 + 11 mod 2^64', async (t) => {
  const rng = new Lcg(1);
  let ref = 1n;
  for (let i = 0; i < 2000; i++) {
    rng.next();
    ref = BigInt.asUintN(64, ref * 25214903917n + 11n);
    if (rng.state !== ref) t.fail(`step ${i}: ${rng.state} != ${ref}`);
  }
  t.equal(rng.state, ref);
  t.equal(rng.low16(), Number(ref & 0xffffn));
  t.equal(rng.mod(5), Number(ref % 5n));
  t.equal(rng.mod(1234567), Number(ref % 1234567n));
  t.equal(rng.shr16mod(100_000_000), Number((ref >> 16n) % 100_000_000n));
});

t.test('Huffman codes for counts 4,3,2,1 (worked by hand from word2vec.c)', async (t) => {
  const h = huffmanTree(Float64Array.from([4, 3, 2, 1]), false);
  const code = (w: number) => Array.from(h.codes.subarray(w * MAX_CODE_LENGTH, w * MAX_CODE_LENGTH + h.codelen[w]!));
  const pts = (w: number) => Array.from(h.points.subarray(w * MAX_CODE_LENGTH, w * MAX_CODE_LENGTH + h.codelen[w]!));
  t.same([0, 1, 2, 3].map(code), [[0], [1, 1], [1, 0, 1], [1, 0, 0]]);
  t.same([0, 1, 2, 3].map(pts), [[2], [2, 1], [2, 1, 0], [2, 1, 0]], 'root is inner node V-2; paths share prefixes');
});

t.test('noise table follows count^0.75; subsampling follows word2vec.c', async (t) => {
  const table = unigramTable(Float64Array.from([1, 16, 81]), 36_000);
  const share = [0, 0, 0];
  for (const w of table) share[w]!++;
  // 1^.75 : 16^.75 : 81^.75 = 1 : 8 : 27 of 36
  t.ok(Math.abs(share[0]! - 1000) <= 2 && Math.abs(share[1]! - 8000) <= 2 && Math.abs(share[2]! - 27000) <= 2, `shares ${share}`);
  const keep = subsampleThresholds(Float64Array.from([100, 1e4]), 1e6, 1e-4);
  // ran = (sqrt(cn / 100) + 1) * 100 / cn: 2.0 for cn 100 (always kept), 0.11 for cn 1e4
  t.equal(keep[0], 2 * 65536);
  t.ok(Math.abs(keep[1]! / 65536 - 0.11) < 1e-6);
  const exp = expTable();
  t.ok(Math.abs(exp[500]! - 0.5) < 1e-3 && exp[0]! < 0.003 && exp[999]! > 0.997, 'sigmoid table over [-6, 6)');
});

t.test('training vocabulary: </s> first, min-count cut, count order', async (t) => {
  // ids: 0 <unk>, 1-3 specials, 4 "x" (9), 5 "y" (2), 6 "z" (7)
  const v = buildTrainingVocab(Float64Array.from([3, 0, 0, 0, 9, 2, 7]), 11, 3);
  t.same(Array.from(v.idOfIndex), [-1, 4, 6, 0]);
  t.same(Array.from(v.counts), [11, 9, 7, 3]);
  t.same(Array.from(v.indexOfId), [3, -1, -1, -1, 1, -1, 2]);
});

const small = { dim: 16, window: 3, negative: 3, epochs: 3, sample: 0, 'min-count': 1 };

async function train(t: Parameters<typeof tmpDir>[0], tokDir: string, params: Record<string, unknown>, threads = 1) {
  const dir = tmpDir(t);
  const r = await runStageDirect(word2vec, { inputs: { tokenize: tokDir }, outDir: path.join(dir, 'out'), checkpointDir: path.join(dir, 'ck'), pool: threads === 2 ? pool : pool1, params });
  return { ...r, out: path.join(dir, 'out') };
}

t.test('skip-gram and CBOW separate two topics; one thread is bit-identical run to run', async (t) => {
  const tok = await tokenFolder(tmpDir(t), twoTopicText(1500), 400);
  const a = await train(t, tok, small);
  const b = await train(t, tok, small);
  t.ok(fs.readFileSync(path.join(a.out, 'vectors.bin')).equals(fs.readFileSync(path.join(b.out, 'vectors.bin'))), 'same seed, one thread: identical bytes');
  const emb = await readEmbeddingsArrow(path.join(a.out, 'embeddings.arrow'));
  t.equal(emb.tokens[0], '</s>', 'row 0 is the sentence end, as word2vec.c writes it');
  t.equal(emb.tokens.length, 21);
  t.ok(topicSeparation(emb.tokens, emb.vectors, 16) > 0.3, 'skip-gram: words of a topic are closer to each other');

  const c = await train(t, tok, { ...small, model: 'cbow' }, 2);
  const ce = await readEmbeddingsArrow(path.join(c.out, 'embeddings.arrow'));
  t.ok(topicSeparation(ce.tokens, ce.vectors, 16) > 0.3, 'CBOW on two threads separates topics too');
  const h = await train(t, tok, { ...small, negative: 0, hs: true }, 2);
  const he = await readEmbeddingsArrow(path.join(h.out, 'embeddings.arrow'));
  t.ok(topicSeparation(he.tokens, he.vectors, 16) > 0.3, 'hierarchical softmax separates topics too');
  const d = await train(t, tok, { ...small, seed: 2 });
  t.notOk(fs.readFileSync(path.join(d.out, 'vectors.bin')).equals(fs.readFileSync(path.join(a.out, 'vectors.bin'))), 'another seed, other vectors');
  t.equal(a.result.metrics!.wordsPerEpoch, 1500 * 9, 'words per epoch = tokens + sentence ends');
});

t.test('output formats agree; --save-context writes the output vectors', async (t) => {
  const tok = await tokenFolder(tmpDir(t), twoTopicText(300), 400);
  const r = await train(t, tok, { ...small, epochs: 1, 'save-context': true }, 2);
  const arrow = await readEmbeddingsArrow(path.join(r.out, 'embeddings.arrow'));
  const bin = readWord2vecBinary(path.join(r.out, 'vectors.bin'));
  const txt = readWord2vecText(path.join(r.out, 'vectors.txt'));
  t.same(bin.tokens, arrow.tokens);
  t.same(Array.from(bin.vectors), Array.from(arrow.vectors), 'binary is exact');
  t.equal(fs.readFileSync(path.join(r.out, 'vectors.txt'), 'utf8').split('\n')[0], `${arrow.tokens.length} 16`);
  let maxErr = 0;
  for (let i = 0; i < txt.vectors.length; i++) maxErr = Math.max(maxErr, Math.abs(txt.vectors[i]! - arrow.vectors[i]!));
  t.ok(maxErr < 1e-6, 'text agrees to 6 decimals');
  const ctxv = await readEmbeddingsArrow(path.join(r.out, 'context.arrow'));
  t.equal(ctxv.tokens.length, arrow.tokens.length);
  t.notSame(Array.from(ctxv.vectors.subarray(16, 32)), Array.from(arrow.vectors.subarray(16, 32)));
});

t.test('a killed run resumes from its checkpoint and, with one thread, ends as an uninterrupted run', async (t) => {
  const tok = await tokenFolder(tmpDir(t), twoTopicText(2000), 500);
  const params = { ...small, epochs: 3, 'checkpoint-every': 10_000 };
  const full = await train(t, tok, params);
  const dir = tmpDir(t);
  const ck = path.join(dir, 'ck');
  const child = spawn(process.execPath, [path.join(distRoot, 'testkit/run-stage-child.js'), 'word2vec', JSON.stringify({ tokenize: tok }), path.join(dir, 'out1'), ck, JSON.stringify(params), '1'], { stdio: 'ignore' });
  // Kill it as soon as a checkpoint with weights exists.
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (fs.existsSync(path.join(ck, 'thread-0.json'))) {
        child.kill('SIGKILL');
        clearInterval(poll);
      }
    }, 5);
    child.on('exit', () => {
      clearInterval(poll);
      resolve();
    });
  });
  t.notOk(fs.existsSync(path.join(dir, 'out1', 'vectors.bin')), 'the killed run did not finish');
  const state = JSON.parse(fs.readFileSync(path.join(ck, 'thread-0.json'), 'utf8'));
  t.ok(state.contributed > 0 && !state.done, 'checkpoint taken mid-training');
  const r = await runStageDirect(word2vec, { inputs: { tokenize: tok }, outDir: path.join(dir, 'out2'), checkpointDir: ck, pool: pool1, params });
  t.equal(r.result.metrics!.resumed, true, 'rerun resumed');
  t.ok(fs.readFileSync(path.join(dir, 'out2', 'vectors.bin')).equals(fs.readFileSync(path.join(full.out, 'vectors.bin'))), 'resumed result is bit-identical to the uninterrupted run');
});

t.test('bad input is a usage error (exit 2) naming the fix', async (t) => {
  const tok = await tokenFolder(tmpDir(t), 'a b c\nb c a\n');
  await t.rejects(train(t, tok, { ...small, negative: 5 }), /fewer than --negative 5/);
  const e = await train(t, tok, { ...small, negative: 5 }).catch((x) => x);
  t.ok(isUsageError(e));
  const lonely = await tokenFolder(tmpDir(t), 'a\nb\nc\nd\ne\nf\ng\n');
  await t.rejects(train(t, lonely, { ...small, negative: 2 }), /no train sentence has two words/);
  await t.rejects(train(t, tok, { ...small, dim: 0 }), /--dim 0 is below its minimum 1/);
  await t.rejects(train(t, tok, { ...small, negative: 0 }), /nothing to train/);
});
