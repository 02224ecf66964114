// chrF (Popović 2015, "chrF: character n-gram F-score for automatic MT
// evaluation") with sacreBLEU's defaults (Post 2018): character n-grams of
// orders 1..6 with whitespace removed, no word n-grams (chrF++ would add
// them), β = 2, precision and recall averaged over the orders present in both
// hypothesis and reference ("eff:yes"), corpus statistics summed over
// segments, and for several references the one with the best sentence F per
// segment. Follows sacrebleu/metrics/chrf.py.

import { BLEU_VERSION } from './bleu.js';
import { PY_WHITESPACE } from './tokenize-13a.js';

export interface ChrfOptions {
  charOrder?: number;
  beta?: number;
  lowercase?: boolean;
}

export interface ChrfScore {
  score: number;
  name: string;
  signature: string;
}

function charNgrams(line: string, maxOrder: number): Map<string, number>[] {
  const chars = Array.from(line.split(PY_WHITESPACE).join('')); // code points, as Python slices
  const out: Map<string, number>[] = [];
  for (let n = 1; n <= maxOrder; n++) {
    const m = new Map<string, number>();
    for (let i = 0; i + n <= chars.length; i++) {
      const k = chars.slice(i, i + n).join('');
      m.set(k, (m.get(k) ?? 0) + 1);
    }
    out.push(m);
  }
  return out;
}

/** [hyp, ref, match] per order, flattened. */
function matchStats(h: Map<string, number>, r: Map<string, number>): [number, number, number] {
  let match = 0;
  let hyp = 0;
  for (const [k, c] of h) {
    hyp += c;
    const rc = r.get(k);
    if (rc !== undefined) match += Math.min(c, rc);
  }
  let ref = 0;
  for (const c of r.values()) ref += c;
  return [r.size > 0 ? hyp : 0, ref, match];
}

function fScore(stats: number[], order: number, beta: number): number {
  const eps = 1e-16;
  const factor = beta ** 2;
  let avgPrec = 0;
  let avgRec = 0;
  let eff = 0;
  for (let i = 0; i < order; i++) {
    const [nHyp, nRef, nMatch] = [stats[3 * i]!, stats[3 * i + 1]!, stats[3 * i + 2]!];
    const prec = nHyp > 0 ? nMatch / nHyp : eps;
    const rec = nRef > 0 ? nMatch / nRef : eps;
    if (nHyp > 0 && nRef > 0) (avgPrec += prec), (avgRec += rec), eff++;
  }
  if (eff === 0) avgPrec = avgRec = 0;
  else (avgPrec /= eff), (avgRec /= eff);
  if (avgPrec + avgRec) return (100 * ((1 + factor) * avgPrec * avgRec)) / (factor * avgPrec + avgRec);
  return 0;
}

export function chrfSignature(nrefs: number, o: ChrfOptions = {}): string {
  return `nrefs:${nrefs}|case:${o.lowercase ? 'lc' : 'mixed'}|eff:yes|nc:${o.charOrder ?? 6}|nw:0|space:no|version:${BLEU_VERSION}`;
}

/** Statistics of one segment: the reference whose sentence F is best. */
function segmentStats(hyp: string, refs: string[], order: number, beta: number, lowercase: boolean): number[] {
  const prep = (s: string): string => (lowercase ? s.toLowerCase() : s);
  const h = charNgrams(prep(hyp), order);
  let best: number[] = [];
  let bestF = -1;
  for (const ref of refs) {
    const r = charNgrams(prep(ref), order);
    const st = h.flatMap((hn, i) => matchStats(hn, r[i]!));
    const f = fScore(st, order, beta);
    if (f > bestF) (bestF = f), (best = st);
  }
  return best;
}

/** Corpus chrF: `hyps[i]` against `refs[k][i]` for every reference set k. */
export function corpusChrf(hyps: string[], refs: string[][], o: ChrfOptions = {}): ChrfScore {
  const order = o.charOrder ?? 6;
  const beta = o.beta ?? 2;
  const sum = new Array<number>(3 * order).fill(0);
  hyps.forEach((h, i) => {
    const st = segmentStats(h, refs.map((r) => r[i]!), order, beta, o.lowercase ?? false);
    st.forEach((v, j) => (sum[j]! += v));
  });
  return { score: fScore(sum, order, beta), name: `chrF${beta}`, signature: chrfSignature(refs.length, o) };
}

export function sentenceChrf(hyp: string, refs: string[], o: ChrfOptions = {}): ChrfScore {
  return corpusChrf([hyp], refs.map((r) => [r]), o);
}
