// The retrieval bot: an index of (context, reply) rows from the training
// conversations, the context encoded as one vector; a message (with up to N-1
// turns before it) is encoded the same way and the reply of the best row is
// the answer, unless its confidence is below the threshold.
//
// Multi-turn context: the vector of a context is the decayed sum
// sum_j decay^j v(turn_{last-j}), j < N (each turn's vector unit length first
// for the cosine encoders), so the last message weighs most and earlier turns
// break ties between rows whose last turn is alike ("Yes", "Why?").

import { words } from '../retrieval/words.js';
import type { Encoder } from '../retrieval/encoders.js';
import { dot, rowOf, scoreRows, topK, unit, weightedSum, type Hit, type Matrix, type Vec } from '../retrieval/vectors.js';
import { noAnswer, type Bot, type Candidate, type Reply } from './bot.js';

export interface ContextOptions {
  /** Turns of context (N >= 1). */
  readonly turns: number;
  /** Weight of a turn relative to the one after it. */
  readonly decay: number;
}

/** The last N turns. */
export function lastTurns(context: readonly string[], n: number): readonly string[] {
  return context.slice(Math.max(0, context.length - n));
}

/** A context as one vector: the decayed sum of its last N turns' vectors (`side`: rows, queries, or the similarity space). */
export function encodeContext(enc: Encoder, context: readonly string[], opts: ContextOptions, side: 'doc' | 'query' | 'similarity'): Vec {
  const turns = lastTurns(context, opts.turns);
  const vs: Vec[] = [];
  const ws: number[] = [];
  for (let j = 0; j < turns.length; j++) {
    const w = words(turns[turns.length - 1 - j]!);
    const v = side === 'doc' ? enc.doc(w) : side === 'query' ? enc.query(w) : enc.similarity(w);
    const cosine = enc.cosine || side === 'similarity';
    // A BM25 query turn is scaled to score 1 against a copy of itself: turn j then adds at most
    // decay^j, and a message that changes the subject outweighs the turns before it.
    const self = !cosine && side === 'query' ? dot(v, enc.doc(w)) : 1;
    vs.push(cosine ? unit(v) : self > 0 ? scale(v, 1 / self) : v);
    ws.push(opts.decay ** j);
  }
  const sum = weightedSum(vs, ws, enc.dim);
  return enc.cosine || side === 'similarity' ? unit(sum) : sum;
}

/** v * c. */
function scale(v: Vec, c: number): Vec {
  return v.kind === 'dense' ? { kind: 'dense', v: v.v.map((x) => x * c) } : { kind: 'sparse', idx: v.idx, val: v.val.map((x) => x * c) };
}

export interface RetrievalIndex {
  readonly encoder: Encoder;
  readonly context: ContextOptions;
  /** Row i: the encoded context of pair i. */
  readonly rows: Matrix;
  readonly ids: readonly string[];
  /** Row i's context turns (the last N), for showing candidates. */
  readonly contexts: readonly (readonly string[])[];
  readonly replies: readonly string[];
  /** Below this confidence the bot says it does not know. */
  readonly threshold: number;
}

export interface Retrieved {
  hits: Hit[];
  /** Confidence of each hit, in [0, 1]. */
  confidence: number[];
  /** Words of the last message the encoder knows. */
  known: number;
}

/** The k best rows for a context. */
export function retrieve(ix: RetrievalIndex, context: readonly string[], k: number, scratch?: { scores: Float64Array; dense: Float32Array }): Retrieved {
  const q = encodeContext(ix.encoder, context, ix.context, 'query');
  const scores = scoreRows(ix.rows, q, scratch?.scores ?? new Float64Array(ix.rows.rows), scratch?.dense);
  const hits = topK(scores, Math.max(1, k));
  // Cosine for TF-IDF and SIF; for BM25 the score relative to the message's score against a copy
  // of itself (its query is scaled so), so 1 means "as good as an exact match", whatever the idf.
  const confidence = hits.map((h) => Math.max(0, Math.min(1, h.score)));
  const last = context.length ? context[context.length - 1]! : '';
  return { hits, confidence, known: ix.encoder.known(words(last)) };
}

export const DONT_KNOW = "Sorry, I don't know what to say to that.";

export class RetrievalBot implements Bot {
  readonly mode = 'retrieval' as const;
  private readonly scratch: { scores: Float64Array; dense: Float32Array };
  constructor(readonly index: RetrievalIndex) {
    this.scratch = { scores: new Float64Array(index.rows.rows), dense: new Float32Array(index.rows.kind === 'sparse' ? index.rows.dim : 0) };
  }
  get turns(): number {
    return this.index.context.turns;
  }
  answer(context: readonly string[], k: number): Reply {
    const ix = this.index;
    const r = retrieve(ix, context, Math.max(1, k), this.scratch);
    const candidates: Candidate[] = k > 0 ? r.hits.map((h, i) => ({ id: ix.ids[h.row]!, context: ix.contexts[h.row]!, text: ix.replies[h.row]!, score: r.confidence[i]! })) : [];
    // Earlier turns may still match rows, but nothing here answers this message.
    if (r.known === 0) return noAnswer('retrieval', DONT_KNOW, 'no word of the message is in my vocabulary');
    const best = r.hits[0];
    const confidence = r.confidence[0] ?? 0;
    if (!best || confidence < ix.threshold)
      return { text: DONT_KNOW, mode: 'retrieval', known: false, confidence, candidates, reason: `best match ${confidence.toFixed(3)} is below the threshold ${ix.threshold}` };
    return { text: ix.replies[best.row]!, mode: 'retrieval', known: true, confidence, candidates };
  }
}

/**
 * Evaluation against candidate replies (the replies of the held-out
 * conversations): the bot's reply, as a vector, is the confidence-weighted
 * mean of its k best rows' replies, plus `queryWeight` times the last message
 * itself (a reply often repeats the question's words); each candidate scores
 * its cosine with it. `replyVecs` and `candidates` are rows of unit vectors in
 * the encoder's similarity space.
 */
export interface CandidateQuery {
  /** The context encoded as a query. */
  query: Vec;
  /** The context (its last N turns, decayed) in the similarity space. */
  last: Vec;
}

export function replyVector(rows: Matrix, replyVecs: Matrix, q: CandidateQuery, k: number, queryWeight: number, scratch: { scores: Float64Array; dense: Float32Array }): Vec {
  const scores = scoreRows(rows, q.query, scratch.scores, scratch.dense);
  const hits = topK(scores, k);
  const vs: Vec[] = [];
  const ws: number[] = [];
  let total = 0;
  for (const h of hits) total += Math.max(0, h.score);
  for (const h of hits) {
    if (!(h.score > 0)) continue;
    vs.push(rowOf(replyVecs, h.row));
    ws.push(h.score / total);
  }
  if (queryWeight > 0) {
    vs.push(q.last);
    ws.push(queryWeight);
  }
  if (vs.length === 0) return q.last;
  return weightedSum(vs, ws, replyVecs.dim);
}
