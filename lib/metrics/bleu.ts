// BLEU (Papineni, Roukos, Ward & Zhu 2002) as the field reports it: sacreBLEU's
// default (Post 2018) — corpus-level, n-grams up to 4, counts clipped by the
// maximum count in any one reference, the brevity penalty against the
// reference length closest to each hypothesis (the shorter on ties), the 13a
// tokenizer, case kept, and smoothing "exp" (method 3 of Chen & Cherry 2014,
// as mteval-v13a.pl: the k-th order with no match gets precision 1/(2^k·total)).
// The arithmetic follows sacrebleu/metrics/bleu.py (compute_bleu) line by line,
// so scores agree with sacreBLEU 2.x to the last printed digit.

import { squeezeSpaces, tokenize13a } from './tokenize-13a.js';

export const BLEU_VERSION = '2.6.0'; // the sacreBLEU release whose arithmetic and signature this mirrors

export type Smooth = 'exp' | 'floor' | 'add-k' | 'none';
export type BleuTokenizer = '13a' | 'none';

export interface BleuOptions {
  tokenize?: BleuTokenizer;
  smooth?: Smooth;
  /** floor: 0.1, add-k: 1 when not given (sacreBLEU's defaults). */
  smoothValue?: number;
  lowercase?: boolean;
  maxOrder?: number;
  /** Leave out orders past the last with any n-gram (sentence-level BLEU). */
  effectiveOrder?: boolean;
}

/** Sufficient statistics: summed over segments for corpus BLEU. */
export interface BleuStats {
  sysLen: number;
  refLen: number;
  correct: number[];
  total: number[];
}

export interface BleuScore extends BleuStats {
  score: number;
  precisions: number[];
  bp: number;
  ratio: number;
  nrefs: number;
  signature: string;
}

function ngramCounts(tokens: string[], maxOrder: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let n = 1; n <= maxOrder; n++)
    for (let i = 0; i + n <= tokens.length; i++) {
      // n-grams of different orders never collide: the key carries its order.
      const k = `${n}\u0001${tokens.slice(i, i + n).join('\u0001')}`;
      m.set(k, (m.get(k) ?? 0) + 1);
    }
  return m;
}

function words(s: string): string[] {
  const t = squeezeSpaces(s);
  return t === '' ? [] : t.split(' ');
}

function preprocess(sent: string, o: Required<Pick<BleuOptions, 'tokenize' | 'lowercase'>>): string {
  const s = o.lowercase ? sent.toLowerCase() : sent;
  const r = s.replace(/[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/u, ''); // Python rstrip()
  return o.tokenize === '13a' ? tokenize13a(r) : r;
}

/** Closest reference length to `hypLen`; the shorter one on ties. */
function closestRefLen(hypLen: number, refLens: number[]): number {
  let bestDiff = -1;
  let best = -1;
  for (const r of refLens) {
    const d = Math.abs(hypLen - r);
    if (bestDiff === -1 || d < bestDiff) (bestDiff = d), (best = r);
    else if (d === bestDiff && r < best) best = r;
  }
  return best;
}

/** Statistics of one hypothesis against its references. */
export function segmentStats(hyp: string, refs: string[], o: BleuOptions = {}): BleuStats {
  const p = { tokenize: o.tokenize ?? '13a', lowercase: o.lowercase ?? false };
  const N = o.maxOrder ?? 4;
  let refNgrams: Map<string, number> | undefined;
  const refLens: number[] = [];
  for (const ref of refs) {
    const toks = words(preprocess(ref, p));
    refLens.push(toks.length);
    const c = ngramCounts(toks, N);
    if (!refNgrams) refNgrams = c;
    else for (const [k, v] of c) refNgrams.set(k, Math.max(refNgrams.get(k) ?? 0, v));
  }
  const htoks = words(preprocess(hyp, p));
  const correct = new Array<number>(N).fill(0);
  const total = new Array<number>(N).fill(0);
  for (const [k, v] of ngramCounts(htoks, N)) {
    const n = Number(k.slice(0, k.indexOf('\u0001'))) - 1;
    total[n]! += v;
    const r = refNgrams?.get(k);
    if (r !== undefined) correct[n]! += Math.min(v, r);
  }
  return { sysLen: htoks.length, refLen: closestRefLen(htoks.length, refLens), correct, total };
}

function myLog(x: number): number {
  return x === 0 ? -9999999999 : Math.log(x);
}

export function bleuSignature(nrefs: number, o: BleuOptions = {}): string {
  const smooth = o.smooth ?? 'exp';
  const def = smooth === 'floor' ? 0.1 : smooth === 'add-k' ? 1 : undefined;
  const smoothStr = def === undefined ? smooth : `${smooth}[${(o.smoothValue ?? def).toFixed(2)}]`;
  return `nrefs:${nrefs}|case:${o.lowercase ? 'lc' : 'mixed'}|eff:${o.effectiveOrder ? 'yes' : 'no'}|tok:${o.tokenize ?? '13a'}|smooth:${smoothStr}|version:${BLEU_VERSION}`;
}

/** BLEU from summed statistics (sacreBLEU's compute_bleu). */
export function bleuFromStats(st: BleuStats, nrefs: number, o: BleuOptions = {}): BleuScore {
  const smooth = o.smooth ?? 'exp';
  const smoothValue = o.smoothValue ?? (smooth === 'floor' ? 0.1 : smooth === 'add-k' ? 1 : 0);
  const N = st.correct.length;
  const correct = st.correct.slice();
  const total = st.total.slice();
  const { sysLen, refLen } = st;
  let bp = 1;
  if (sysLen < refLen) bp = sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0;
  const precisions = new Array<number>(N).fill(0);
  const out = (score: number): BleuScore => ({ score, sysLen, refLen, correct, total, precisions, bp, ratio: refLen ? sysLen / refLen : 0, nrefs, signature: bleuSignature(nrefs, o) });
  if (!correct.some((c) => c !== 0)) return out(0);
  let smoothMteval = 1;
  let effOrder = N;
  for (let n = 1; n <= N; n++) {
    if (smooth === 'add-k' && n > 1) {
      correct[n - 1]! += smoothValue;
      total[n - 1]! += smoothValue;
    }
    if (total[n - 1] === 0) break;
    if (o.effectiveOrder) effOrder = n;
    if (correct[n - 1] === 0) {
      if (smooth === 'exp') {
        smoothMteval *= 2;
        precisions[n - 1] = 100 / (smoothMteval * total[n - 1]!);
      } else if (smooth === 'floor') precisions[n - 1] = (100 * smoothValue) / total[n - 1]!;
    } else precisions[n - 1] = (100 * correct[n - 1]!) / total[n - 1]!;
  }
  let s = 0;
  for (let i = 0; i < effOrder; i++) s += myLog(precisions[i]!);
  return out(bp * Math.exp(s / effOrder));
}

/**
 * Corpus BLEU: `hyps[i]` against `refs[k][i]` for every reference set k
 * (refs is one array per reference file, as sacreBLEU takes them).
 */
export function corpusBleu(hyps: string[], refs: string[][], o: BleuOptions = {}): BleuScore {
  const N = o.maxOrder ?? 4;
  const sum: BleuStats = { sysLen: 0, refLen: 0, correct: new Array(N).fill(0), total: new Array(N).fill(0) };
  hyps.forEach((h, i) => {
    const st = segmentStats(h, refs.map((r) => r[i]!), o);
    sum.sysLen += st.sysLen;
    sum.refLen += st.refLen;
    for (let n = 0; n < N; n++) (sum.correct[n]! += st.correct[n]!), (sum.total[n]! += st.total[n]!);
  });
  return bleuFromStats(sum, refs.length, o);
}

/** Sentence-level BLEU, as sacreBLEU's sentence_bleu: effective order on by default. */
export function sentenceBleu(hyp: string, refs: string[], o: BleuOptions = {}): BleuScore {
  const opts = { effectiveOrder: true, ...o };
  return bleuFromStats(segmentStats(hyp, refs, opts), refs.length, opts);
}

/**
 * Python's f"{x:.{d}f}": the exact binary value rounded half to even. (JS's
 * toFixed rounds an exact tie up: 0.0625 gives "0.063" where Python prints "0.062".)
 */
export function fixed(x: number, d: number): string {
  if (!Number.isFinite(x) || Math.abs(x) >= 1e21) return x.toFixed(d);
  const exact = Math.abs(x).toFixed(100); // exact for |x| ≥ 2^-40 or so; longer tails cannot be ties anyway
  const dot = exact.indexOf('.');
  const tail = exact.slice(dot + 1 + d);
  const tie = tail[0] === '5' && /^50*$/.test(tail);
  if (!tie) return x.toFixed(d);
  const kept = exact.slice(0, dot + 1 + d).replace(/\.$/, '');
  const lastDigit = Number(kept.replace('.', '').slice(-1));
  const sign = x < 0 ? '-' : '';
  if (lastDigit % 2 === 0) return sign + kept;
  return x.toFixed(d); // odd last digit: rounding away (toFixed's choice) is also the even one
}

/** sacreBLEU's text line: `BLEU = 34.12 65.3/40.1/27.0/18.8 (BP = 0.980 ratio = 0.980 hyp_len = 1 ref_len = 1)`. */
export function formatBleu(b: BleuScore, width = 2): string {
  const prec = b.precisions.map((p) => fixed(p, 1)).join('/');
  return `BLEU = ${fixed(b.score, width)} ${prec} (BP = ${fixed(b.bp, 3)} ratio = ${fixed(b.ratio, 3)} hyp_len = ${b.sysLen} ref_len = ${b.refLen})`;
}
