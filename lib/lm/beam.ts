// Beam search (e.g. Jurafsky & Martin 3rd ed., 10.4): keep the k prefixes of
// highest log-probability; a prefix that emits `</s>` is finished. Returns
// the k best sequences, finished or at the budget, best first, with their
// natural-log probabilities (no length normalization: the classic form).

import { EOS } from '../formats/tokens.js';
import type { NextTokenModel } from './next-token-model.js';
import type { Generation } from './greedy.js';

interface Hyp {
  ids: number[];
  logProb: number;
}

export async function beamSearch(model: NextTokenModel, prompt: Int32Array, maxTokens: number, k: number): Promise<Generation[]> {
  if (!(k >= 1)) throw new Error('beam width must be at least 1');
  let beam: Hyp[] = [{ ids: [], logProb: 0 }];
  const finished: Generation[] = [];
  for (let step = 0; step < maxTokens && beam.length > 0; step++) {
    const candidates: Hyp[] = [];
    for (const h of beam) {
      const lp = await model.nextLogProbs(Int32Array.from([...prompt, ...h.ids]));
      // Only the k best extensions of each prefix can enter the next beam.
      const order = topIndices(lp, k);
      for (const w of order) {
        if (lp[w] === -Infinity) continue;
        candidates.push({ ids: [...h.ids, w], logProb: h.logProb + lp[w]! });
      }
    }
    candidates.sort((a, b) => b.logProb - a.logProb);
    beam = [];
    for (const c of candidates) {
      const last = c.ids[c.ids.length - 1];
      if (last === EOS) finished.push({ ids: c.ids.slice(0, -1), logProb: c.logProb, finished: true });
      else beam.push(c);
      if (beam.length >= k) break;
    }
    // Stop once k finished hypotheses beat every open one (log-probs only fall).
    finished.sort((a, b) => b.logProb - a.logProb);
    if (finished.length >= k && (beam.length === 0 || finished[k - 1]!.logProb >= beam[0]!.logProb)) break;
  }
  const all: Generation[] = [...finished, ...beam.map((h) => ({ ids: h.ids, logProb: h.logProb, finished: false }))];
  all.sort((a, b) => b.logProb - a.logProb);
  return all.slice(0, k);
}

/** Indices of the k largest values, largest first (ties: lower index first). */
export function topIndices(values: Float64Array, k: number): number[] {
  const idx: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (values[i] === -Infinity) continue;
    if (idx.length < k) {
      idx.push(i);
      idx.sort((a, b) => values[b]! - values[a]! || a - b);
    } else if (values[i]! > values[idx[k - 1]!]!) {
      idx[k - 1] = i;
      idx.sort((a, b) => values[b]! - values[a]! || a - b);
    }
  }
  return idx;
}
