// Evaluating a retrieval bot on held-out conversations: every (context, next
// turn) pair of them is a query, and the candidates are all distinct replies of
// the held-out conversations. The bot ranks them (replyVector, cosine) and we
// keep Recall@1, Recall@5 and the reciprocal rank of the true next turn.

import { words } from '../retrieval/words.js';
import { rankStats } from '../retrieval/ranking.js';
import { matrixOf, scoreRows, type Matrix, type Vec } from '../retrieval/vectors.js';
import { encodeContext, lastTurns, replyVector, type CandidateQuery, type ContextOptions, type RetrievalIndex } from './retrieval.js';
import type { Encoder } from '../retrieval/encoders.js';

export const RECALL_AT = [1, 5] as const;

export interface ContextPair {
  readonly id: string;
  /** Every turn before the reply. */
  readonly context: readonly string[];
  readonly reply: string;
}

/** The (context, next turn) pairs of conversations: turn i answers turns 0 .. i-1. */
export function pairsOf(convs: readonly { readonly id: string; readonly turns: readonly string[] }[]): ContextPair[] {
  const out: ContextPair[] = [];
  for (const c of convs) for (let i = 1; i < c.turns.length; i++) out.push({ id: `${c.id}:${i}`, context: c.turns.slice(0, i), reply: c.turns[i]! });
  return out;
}

export interface Candidates {
  /** Distinct reply texts, in first-seen order. */
  readonly texts: string[];
  /** For each pair, the row of its reply in `texts`. */
  readonly target: Int32Array;
}

export function candidatesOf(pairs: readonly ContextPair[]): Candidates {
  const row = new Map<string, number>();
  const texts: string[] = [];
  const target = new Int32Array(pairs.length);
  pairs.forEach((p, i) => {
    let r = row.get(p.reply);
    if (r === undefined) {
      r = texts.length;
      row.set(p.reply, r);
      texts.push(p.reply);
    }
    target[i] = r;
  });
  return { texts, target };
}

/** Texts as rows of unit vectors in the encoder's similarity space. */
export function similarityMatrix(enc: Encoder, texts: readonly string[], shared = false): Matrix {
  return matrixOf(texts.map((t) => enc.similarity(words(t))), enc.dim, shared);
}

export function candidateQuery(enc: Encoder, context: readonly string[], opts: ContextOptions): CandidateQuery {
  return { query: encodeContext(enc, context, opts, 'query'), last: encodeContext(enc, context, opts, 'similarity') };
}

/** What one batch of queries needs; the matrices are shared with the pool's workers. */
export interface RankTask {
  rows: Matrix;
  replyVecs: Matrix;
  candidates: Matrix;
  queries: CandidateQuery[];
  target: Int32Array;
  /** For each query, the candidates that repeat a turn of its own context: not a reply to it. */
  exclude: Int32Array[];
  /** Best rows whose replies make the bot's reply vector. */
  k: number;
  queryWeight: number;
}

/** For each query: Recall@1, Recall@5, reciprocal rank (3 numbers per query). */
export function rankQueries(t: RankTask): Float64Array {
  const out = new Float64Array(3 * t.queries.length);
  const scratch = { scores: new Float64Array(t.rows.rows), dense: new Float32Array(t.rows.kind === 'sparse' ? t.rows.dim : 0) };
  const candScores = new Float64Array(t.candidates.rows);
  const candDense = new Float32Array(t.candidates.kind === 'sparse' ? t.candidates.dim : 0);
  t.queries.forEach((q, i) => {
    const e: Vec = replyVector(t.rows, t.replyVecs, q, t.k, t.queryWeight, scratch);
    scoreRows(t.candidates, e, candScores, candDense);
    for (const r of t.exclude[i]!) candScores[r] = -Infinity;
    const s = rankStats(candScores, t.target[i]!, RECALL_AT);
    out[3 * i] = s.recall[0]!;
    out[3 * i + 1] = s.recall[1]!;
    out[3 * i + 2] = s.reciprocalRank;
  });
  return out;
}

export interface EvalFigures {
  queries: number;
  recall1: number;
  recall5: number;
  mrr: number;
}

export function meanFigures(stats: Float64Array, which: readonly number[]): EvalFigures {
  let r1 = 0;
  let r5 = 0;
  let rr = 0;
  for (const i of which) {
    r1 += stats[3 * i]!;
    r5 += stats[3 * i + 1]!;
    rr += stats[3 * i + 2]!;
  }
  const n = which.length;
  return { queries: n, recall1: n ? r1 / n : 0, recall5: n ? r5 / n : 0, mrr: n ? rr / n : 0 };
}

/**
 * For each pair, the candidates (other than its reply) that repeat a turn of
 * its context. In a held-out conversation turn i is the reply to turn i-1 and a
 * candidate too; a bot that echoes the message would rank it first.
 */
export function echoes(pairs: readonly ContextPair[], cands: Candidates): Int32Array[] {
  const row = new Map(cands.texts.map((t, i) => [t, i] as const));
  return pairs.map((p, i) => Int32Array.from(new Set(p.context.map((t) => row.get(t) ?? -1).filter((r) => r >= 0 && r !== cands.target[i]))));
}

/** Pairs with at least two turns before the reply: where multi-turn context can matter. */
export function longContext(pairs: readonly ContextPair[]): number[] {
  const out: number[] = [];
  pairs.forEach((p, i) => {
    if (p.context.length >= 2) out.push(i);
  });
  return out;
}

export interface PoolLike {
  readonly threads: number;
  run<R>(file: string, task: unknown): Promise<R>;
}

/** Rank every held-out pair, in batches on the pool (or here when `pool` is undefined). */
export async function rankHeldOut(
  ix: RetrievalIndex,
  replyVecs: Matrix,
  pairs: readonly ContextPair[],
  cands: Candidates,
  candidates: Matrix,
  opts: { k: number; queryWeight: number },
  pool?: { pool: PoolLike; task: string },
): Promise<Float64Array> {
  const queries = pairs.map((p) => candidateQuery(ix.encoder, lastTurns(p.context, ix.context.turns), ix.context));
  const base = { rows: ix.rows, replyVecs, candidates, k: opts.k, queryWeight: opts.queryWeight };
  const exclude = echoes(pairs, cands);
  if (!pool || queries.length < 64) return rankQueries({ ...base, queries, target: cands.target, exclude });
  const batches = Math.min(queries.length, pool.pool.threads * 4);
  const size = Math.ceil(queries.length / batches);
  const parts: Promise<{ stats: Float64Array }>[] = [];
  for (let lo = 0; lo < queries.length; lo += size) {
    const hi = Math.min(queries.length, lo + size);
    parts.push(pool.pool.run<{ stats: Float64Array }>(pool.task, { ...base, queries: queries.slice(lo, hi), target: cands.target.slice(lo, hi), exclude: exclude.slice(lo, hi) }));
  }
  const out = new Float64Array(3 * queries.length);
  let at = 0;
  for (const { stats } of await Promise.all(parts)) {
    out.set(stats, at);
    at += stats.length;
  }
  return out;
}
