// The generative chatbot's pieces, with values worked by hand: distinct-n
// (Li et al. 2016) on a small set of replies, and the encoder's source, whose
// turns are joined by <sep> (the ids checked one by one) and cut to the last
// maxSource tokens.

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
