// Decoding a trained seq2seq model: greedy (batched), beam search with the
// GNMT length penalty (Wu et al. 2016, eq. 14: lp(Y) = (5 + |Y|)^α / 6^α,
// hypotheses ranked by log P / lp), and sampling with temperature, top-k and
// top-p (lib/lm's sampling distribution, shared with the LMs' `sample`).
// Each step runs the decoder once for all rows (sentences or beams), carrying
// its state; attention weights can be kept for export.

import { tf } from '../nn/backend/index.js';
import { EOS, PAD, BOS } from '../formats/tokens.js';
import { topIndices } from '../lm/beam.js';
import { draw, samplingDistribution, type SamplingOptions } from '../lm/sampling.js';
import { seededRandom } from '../random/seeded.js';
import { disposeEncoded, disposeState, gatherRows, type DecoderState, type Seq2SeqModel } from './model.js';

export interface Translation {
  ids: number[];
  logProb: number;
  /** Attention per output position (when asked for): A maps (layers × heads, layer-major) of n source weights each, (A, n) row-major. */
  attention?: Float32Array[];
}

/** Row b's attention maps over its n real source positions, from a step's (B, A·S) attention. */
function attentionRow(att: Float32Array, b: number, A: number, S: number, n: number): Float32Array {
  const out = new Float32Array(A * n);
  for (let a = 0; a < A; a++) out.set(att.subarray((b * A + a) * S, (b * A + a) * S + n), a * n);
  return out;
}

/** A longest output for a source of n tokens. */
export function maxOutputLength(n: number): number {
  return 2 * n + 10;
}

/** <s>-free log-probabilities with <s> and <pad> ruled out. */
function rows(lp: tf.Tensor2D): Float64Array[] {
  const [B, V] = lp.shape;
  const a = lp.dataSync() as Float32Array;
  return Array.from({ length: B }, (_, b) => {
    const r = Float64Array.from(a.subarray(b * V, (b + 1) * V));
    r[BOS] = -Infinity;
    r[PAD] = -Infinity;
    return r;
  });
}

function batchSources(sources: Int32Array[]): { src: Int32Array; srcLen: Int32Array; B: number; S: number } {
  const B = sources.length;
  const S = Math.max(1, ...sources.map((s) => s.length));
  const src = new Int32Array(B * S).fill(PAD);
  sources.forEach((s, b) => src.set(s, b * S));
  return { src, srcLen: Int32Array.from(sources, (s) => s.length), B, S };
}

function swapState(old: DecoderState, next: DecoderState): DecoderState {
  disposeState(old);
  return next;
}

/** Greedy (or sampled, with `sampling`) translation of several sentences at once. */
export function greedyTranslate(model: Seq2SeqModel, sources: Int32Array[], o: { keepAttention?: boolean; sampling?: SamplingOptions & { seed: number } } = {}): Translation[] {
  const { src, srcLen, B, S } = batchSources(sources);
  const { enc, state } = model.encode(src, srcLen, B, S);
  let st = state;
  const out: Translation[] = sources.map(() => ({ ids: [], logProb: 0, ...(o.keepAttention ? { attention: [] } : {}) }));
  const done = new Array<boolean>(B).fill(false);
  const prev = new Int32Array(B).fill(BOS);
  const limit = Math.max(...sources.map((s) => maxOutputLength(s.length)));
  const random = o.sampling ? seededRandom(o.sampling.seed) : undefined;
  const A = model.attentionMaps.layers * model.attentionMaps.heads;
  for (let t = 0; t < limit && done.includes(false); t++) {
    const r = model.step(enc, st, prev);
    const lps = rows(r.logProbs);
    const att = o.keepAttention ? (r.attention.dataSync() as Float32Array) : undefined;
    for (let b = 0; b < B; b++) {
      if (done[b]) continue;
      const lp = lps[b]!;
      const w = random ? draw(samplingDistribution(lp, o.sampling!), random) : topIndices(lp, 1)[0]!;
      out[b]!.logProb += lp[w]!;
      if (att) out[b]!.attention!.push(attentionRow(att, b, A, S, srcLen[b]!));
      if (w === EOS || out[b]!.ids.length + 1 >= maxOutputLength(srcLen[b]!)) done[b] = true;
      if (w !== EOS) out[b]!.ids.push(w);
      prev[b] = w;
    }
    tf.dispose([r.logProbs, r.attention]);
    st = swapState(st, r.state);
  }
  disposeState(st);
  disposeEncoded(enc);
  return out;
}

/** Wu et al. (2016), eq. 14. α = 0: plain log-probability. */
export function lengthPenalty(len: number, alpha: number): number {
  return alpha === 0 ? 1 : Math.pow((5 + len) / 6, alpha);
}

interface Beam {
  ids: number[];
  logProb: number;
  attention?: Float32Array[];
}

/**
 * Beam search for one sentence: `k` open hypotheses as the decoder's rows; a
 * hypothesis that emits </s> is finished; the search ends when k hypotheses
 * have finished (or at the length limit), and returns them best first by
 * log P / lp(|Y|).
 */
export function beamTranslate(model: Seq2SeqModel, source: Int32Array, k: number, alpha: number, keepAttention = false): Translation[] {
  return beamTranslateBatch(model, [source], k, alpha, keepAttention)[0]!;
}

/** One sentence's search: its open beams (while not done, rows of the decoder call, in order) and its finished hypotheses. */
interface Search {
  beams: Beam[];
  finished: Beam[];
  limit: number;
  n: number;
  done: boolean;
}

/**
 * Beam search for several sentences at once: every open beam of every sentence
 * still searching is a row of one decoder call (the encoder's rows gathered to
 * match), and each sentence's search is exactly beamTranslate's for it alone
 * (padding changes no log-probability). Returns each sentence's k hypotheses,
 * best first.
 */
export function beamTranslateBatch(model: Seq2SeqModel, sources: Int32Array[], k: number, alpha: number, keepAttention = false): Translation[][] {
  const { src, srcLen, B, S } = batchSources(sources);
  const first = model.encode(src, srcLen, B, S);
  let enc = first.enc;
  let st = first.state;
  const A = model.attentionMaps.layers * model.attentionMaps.heads;
  const searches: Search[] = sources.map((x) => ({ beams: [{ ids: [], logProb: 0, ...(keepAttention ? { attention: [] } : {}) }], finished: [], limit: maxOutputLength(x.length), n: x.length, done: false }));
  const norm = (b: Beam): number => b.logProb / lengthPenalty(b.ids.length + 1, alpha);
  for (let t = 0; ; t++) {
    const active = searches.filter((x) => !x.done);
    if (active.length === 0) break;
    const prev = Int32Array.from(active.flatMap((x) => x.beams.map((b) => (b.ids.length ? b.ids[b.ids.length - 1]! : BOS))));
    const r = model.step(enc, st, prev);
    const lps = rows(r.logProbs);
    const att = keepAttention ? (r.attention.dataSync() as Float32Array) : undefined;
    const from: number[] = []; // the rows the next call continues
    let row0 = 0;
    for (const x of active) {
      const beams = x.beams;
      const cands: { from: number; w: number; logProb: number }[] = [];
      beams.forEach((b, i) => {
        for (const w of topIndices(lps[row0 + i]!, k)) cands.push({ from: i, w, logProb: b.logProb + lps[row0 + i]![w]! });
      });
      // Rank by the length-normalized score the finished ones will be compared with.
      cands.sort((a, b) => b.logProb / lengthPenalty(beams[b.from]!.ids.length + 1, alpha) - a.logProb / lengthPenalty(beams[a.from]!.ids.length + 1, alpha));
      const next: Beam[] = [];
      const mark = from.length;
      for (const c of cands) {
        if (next.length + x.finished.length >= k) break;
        const parent = beams[c.from]!;
        const attention = att ? [...parent.attention!, attentionRow(att, row0 + c.from, A, S, x.n)] : undefined;
        if (c.w === EOS || t + 1 >= x.limit) x.finished.push({ ids: c.w === EOS ? parent.ids : [...parent.ids, c.w], logProb: c.logProb, ...(attention ? { attention } : {}) });
        else next.push({ ids: [...parent.ids, c.w], logProb: c.logProb, ...(attention ? { attention } : {}) }), from.push(row0 + c.from);
      }
      row0 += beams.length;
      x.beams = next;
      // Done: its open beams stay hypotheses, but are no longer rows.
      if (!(t + 1 < x.limit && next.length > 0 && x.finished.length < k)) (x.done = true), (from.length = mark);
    }
    tf.dispose([r.logProbs, r.attention]);
    if (from.length === 0) {
      disposeState(r.state);
      break;
    }
    const idx = Int32Array.from(from);
    const ns = gatherRows(r.state, idx);
    const ne = gatherRows(enc, idx);
    disposeState(r.state);
    disposeState(st);
    disposeEncoded(enc);
    st = ns;
    enc = ne;
  }
  disposeState(st);
  disposeEncoded(enc);
  return searches.map((x) =>
    [...x.finished, ...x.beams]
      .sort((a, b) => norm(b) - norm(a))
      .slice(0, k)
      .map((b) => ({ ids: b.ids, logProb: b.logProb, ...(b.attention ? { attention: b.attention } : {}) })),
  );
}

/** The name a decoding setting has in metrics.arrow, translations.arrow and hyp-<split>-<setting>.txt. */
export function settingName(beam: number): string {
  return beam === 1 ? 'greedy' : `beam${beam}`;
}

/** Translate many sentences: greedy in batches of `batch` rows (beam 1), else a beam search per sentence (best hypothesis). */
export function translateMany(model: Seq2SeqModel, sources: Int32Array[], beam: number, alpha: number, batch = 64): Translation[] {
  const out: Translation[] = [];
  if (beam > 1) {
    // Sentences of about one length share a search: its rows are their beams.
    const rowsPerCall = Math.max(1, Math.floor(batch / beam));
    const order = Array.from(sources.keys()).sort((a, b) => sources[a]!.length - sources[b]!.length || a - b);
    for (let i = 0; i < order.length; i += rowsPerCall) {
      const group = order.slice(i, i + rowsPerCall);
      beamTranslateBatch(model, group.map((j) => sources[j]!), beam, alpha).forEach((hyps, g) => (out[group[g]!] = hyps[0]!));
    }
    return out;
  }
  for (let i = 0; i < sources.length; i += batch) out.push(...greedyTranslate(model, sources.slice(i, i + batch)));
  return out;
}
