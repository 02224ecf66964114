// The generative chatbot's pieces, with values worked by hand: distinct-n
// (Li et al. 2016) on a small set of replies, the encoder's source, whose
// turns are joined by <sep> (the ids checked one by one) and cut to the last
// maxSource tokens, the decoder that never says <unk> (its probabilities
// against the model's own), and the validation conversations' hash (against
// md5 computed here).

import t from 'tap';
import { distinctN } from '../lib/metrics/distinct.js';
import { SPECIALS, UNK } from '../lib/formats/tokens.js';
import { buildChatVocabs, encodeSource, pairIds, SEP, SEP_ID, sourceTokens } from '../lib/chat/generative-data.js';
import type { ContextPair } from '../lib/chat/evaluate.js';

t.test('distinct-n: distinct n-grams over total n-grams of all replies', async (t) => {
  // Tokens: "a b a b" | "a c ." -> unigrams a b a b a c . = 7, distinct {a, b, c, .} = 4;
  // bigrams (a b) (b a) (a b) | (a c) (c .) = 5, distinct 4; no bigram spans two replies.
  const replies = ['a b a b', 'a c.'];
  t.same(distinctN(replies, 1), { score: 4 / 7, distinct: 4, total: 7 });
  t.same(distinctN(replies, 2), { score: 4 / 5, distinct: 4, total: 5 });
  // A bot that says the same thing every time: 3 distinct unigrams of 9.
  t.equal(distinctN(['I do not', 'I do not', 'I do not'], 1).score, 3 / 9);
  t.same(distinctN(['', 'hi'], 2), { score: 0, distinct: 0, total: 0 }, 'no bigram at all: 0, not NaN');
  t.throws(() => distinctN(['a'], 0));
});

const pairs: ContextPair[] = [
  { id: 'c:1', context: ['Hello there'], reply: 'Hi!' },
  { id: 'c:2', context: ['Hello there', 'Hi!'], reply: 'How are you?' },
  { id: 'c:3', context: ['Hello there', 'Hi!', 'How are you?'], reply: 'Fine.' },
];

t.test('a multi-turn source holds the last N turns, lowercased, with <sep> between them', async (t) => {
  const shape = { turns: 2, maxSource: 40 };
  const v = buildChatVocabs(pairs, shape, 100, 1);
  t.equal(v.src.tokens[SEP_ID], SEP, '<sep> right after the specials');
  t.same(v.src.tokens.slice(0, SPECIALS.length), [...SPECIALS]);
  const id = (tok: string): number => v.src.index.get(tok)!;
  // Context of c:3 with N = 2: "Hi!" <sep> "How are you?" ("Hello there" is too far back).
  const ids = Array.from(encodeSource(v.src, pairs[2]!.context, shape));
  t.same(ids, [id('▁hi'), id('!'), SEP_ID, id('▁how'), id('▁are'), id('▁you'), id('?')]);
  t.ok(ids.every((x) => x !== UNK), 'every token of the training turns has an id');
  t.same(sourceTokens(pairs[2]!.context, { turns: 1, maxSource: 40 }), ['▁how', '▁are', '▁you', '?'], 'single-turn: the last message only, no <sep>');
  t.same(sourceTokens(pairs[2]!.context, { turns: 3, maxSource: 5 }), ['!', SEP, '▁how', '▁are', '▁you', '?'].slice(1), 'cut to the last maxSource tokens');
  t.same(Array.from(encodeSource(v.src, ['HOW ARE YOU?'], shape)), [id('▁how'), id('▁are'), id('▁you'), id('?')], 'case does not matter on the source side');
  // The target keeps the reply's case and has no <sep>.
  t.notOk(v.tgt.index.has(SEP));
  t.ok(v.tgt.index.has('▁How'));
});

t.test('training pairs: replies longer than maxTarget (or empty) are left out and counted', async (t) => {
  const shape = { turns: 3, maxSource: 40 };
  const v = buildChatVocabs(pairs, shape, 100, 1);
  const all = pairIds(pairs, v, shape);
  t.equal(all.data.src.length, 3);
  const cut = pairIds([...pairs, { id: 'c:4', context: ['x'], reply: '' }], v, shape, 2); // "How are you?" is 4 tokens
  t.equal(cut.dropped, 2);
  t.same(cut.data.tgt.map((x) => x.length), [2, 2], '"Hi!" and "Fine." are kept');
});

t.test('decoding never says <unk>: its probability goes to the other tokens, in proportion', async (t) => {
  const { tf, selectBackend } = await import('../lib/nn/backend/index.js');
  const { createSeq2Seq } = await import('../lib/seq2seq/artifacts.js');
  const { withoutUnk } = await import('../lib/chat/generative-ban-unk.js');
  const { greedyTranslate } = await import('../lib/seq2seq/decode.js');
  await selectBackend('wasm');
  const model = createSeq2Seq({ arch: 'rnn', srcVocab: 9, tgtVocab: 8, embed: 4, hidden: 5, attention: 'general', dropout: 0, seed: 3, softmax: 'full' });
  // Make <unk> the most probable reply token by far: its output bias.
  const bias = model.params[model.paramNames.indexOf('output_b')]!;
  bias.assign(tf.tensor1d([6, 0, 0, 0, 0, 0, 0, 0]));
  const banned = withoutUnk(model);
  const src = Int32Array.from([5, 6, 7]);
  const { enc, state } = model.encode(src, Int32Array.from([3]), 1, 3);
  const prev = Int32Array.from([1]); // <s>
  const a = model.step(enc, state, prev);
  const b = banned.step(enc, state, prev);
  const p = Array.from(a.logProbs.dataSync(), Math.exp);
  const q = Array.from(b.logProbs.dataSync(), Math.exp);
  t.ok(p[UNK]! > 0.9, `the model itself: p(<unk>) = ${p[UNK]}`);
  t.ok(q[UNK]! < 1e-30, 'banned: p(<unk>) = 0');
  t.ok(Math.abs(q.reduce((s, x) => s + x, 0) - 1) < 1e-5, 'the rest sums to 1');
  for (let w = 1; w < 8; w++) t.ok(Math.abs(q[w]! - p[w]! / (1 - p[UNK]!)) < 1e-5 * q[w]! + 1e-7, `p'(${w}) = p(${w}) / (1 − p(<unk>))`);
  t.notOk(Array.from(greedyTranslate(model, [src])[0]!.ids).every((id) => id !== UNK), 'greedy on the model writes <unk>');
  t.ok(Array.from(greedyTranslate(banned, [src])[0]!.ids).every((id) => id !== UNK), 'greedy on the banned model never does');
  t.equal(banned.score, model.score, 'teacher-forced scoring (perplexity) is the model\'s own, <unk> included');
  const { disposeEncoded, disposeState } = await import('../lib/seq2seq/model.js');
  tf.dispose([a.logProbs, a.attention, b.logProbs, b.attention]);
  [a.state, b.state, state].forEach(disposeState);
  disposeEncoded(enc);
  tf.dispose(model.params);
});

t.test('the validation conversations: a salted hash of the turns, so independent of --held-out and of file order', async (t) => {
  const crypto = await import('node:crypto');
  const { isGenerativeValidation } = await import('../stages/chatbot/generative-split.js');
  const { isHeldOut } = await import('../datasets/dialog.js');
  // The reference: the first 6 bytes of md5("generative-validation" NUL turn NUL turn ...) over 2^48.
  const u = (turns: string[]): number => crypto.createHash('md5').update(['generative-validation', ...turns].join('\u0000')).digest().readUIntBE(0, 6) / 2 ** 48;
  const convs = Array.from({ length: 2000 }, (_, i) => ({ id: `f#${i}`, turns: [`question ${i}?`, `answer ${i}.`] }));
  for (const c of convs.slice(0, 50)) t.equal(isGenerativeValidation(c, 0.1), u([...c.turns]) < 0.1);
  const valid = convs.filter((c) => isGenerativeValidation(c, 0.1));
  t.ok(valid.length > 160 && valid.length < 240, `${valid.length} of 2000 near 10%`);
  t.same(convs.filter((c) => isGenerativeValidation({ turns: c.turns }, 0.1)).map((c) => c.id), valid.map((c) => c.id), 'the id (file order) plays no part');
  // Not the held-out hash: among held-out conversations the validation share is the same 10%.
  const held = convs.filter((c) => isHeldOut(c, 0.2));
  const both = held.filter((c) => isGenerativeValidation(c, 0.1)).length;
  t.ok(both / held.length > 0.05 && both / held.length < 0.15, `${both} of ${held.length} held-out ones would also be validation ones: independent splits`);
  t.equal(convs.filter((c) => isGenerativeValidation(c, 0)).length, 0, '0: none');
});

t.test('training batches pair each source with its own reply: <s> reply in, reply </s> out, padding weighted 0', async (t) => {
  const { BucketBatches } = await import('../lib/seq2seq/data.js');
  const { BOS, EOS, PAD } = await import('../lib/formats/tokens.js');
  const { decode } = await import('../lib/seq2seq/pieces.js');
  // Twenty conversations of different lengths, so that bucketing reorders them.
  const convs = Array.from({ length: 20 }, (_, i) => ({ id: `c${i}`, context: [`question number ${i} ${'very '.repeat(i % 7)}long?`], reply: `Answer ${i}${' and more'.repeat((i * 3) % 5)}.` }));
  const shape = { turns: 3, maxSource: 40 };
  const v = buildChatVocabs(convs, shape, 1000, 1);
  const { data } = pairIds(convs, v, shape, 40);
  const bySource = new Map(convs.map((c) => [Array.from(encodeSource(v.src, c.context, shape)).join(','), c]));
  const b = new BucketBatches(data, 60, 256, 7);
  t.ok(b.steps > 3, `${b.steps} batches`);
  let rows = 0;
  for (let k = 0; k < b.steps; k++) {
    const x = b.batch(0, k);
    for (let r = 0; r < x.B; r++) {
      const src = Array.from(x.src.subarray(r * x.S, r * x.S + x.srcLen[r]!));
      t.ok(x.src.subarray(r * x.S + x.srcLen[r]!, (r + 1) * x.S).every((id) => id === PAD), 'the source is padded after its length');
      const conv = bySource.get(src.join(','))!;
      const out = Array.from(x.tgtOut.subarray(r * x.T, (r + 1) * x.T));
      const n = out.indexOf(EOS);
      t.equal(decode(v.tgt, out.slice(0, n)), conv.reply, `row ${r} of batch ${k}: the reply of "${conv.context[0]}"`);
      t.same(Array.from(x.tgtIn.subarray(r * x.T, r * x.T + n + 1)), [BOS, ...out.slice(0, n)], 'the decoder reads <s> and the reply shifted by one');
      t.same(Array.from(x.weights.subarray(r * x.T, (r + 1) * x.T)), out.map((_, i) => (i <= n ? 1 : 0)), 'the reply and its </s> count, padding does not');
      rows++;
    }
  }
  t.equal(rows, convs.length, 'every pair once per epoch');
});
