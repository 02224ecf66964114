// Greedy decoding: the most probable next token at every step, until `</s>`
// or the token budget. Ties go to the lower id, so the output is deterministic.

import { EOS } from '../formats/tokens.js';
import type { NextTokenModel } from './next-token-model.js';

export interface Generation {
  /** Generated ids (after the prompt), without the final `</s>`. */
  ids: number[];
  /** Natural-log probability of the generated ids (and of `</s>` when it ended the sentence). */
  logProb: number;
  /** True when `</s>` ended it, false when the budget did. */
  finished: boolean;
}

export function argmax(logProbs: Float64Array): number {
  let best = 0;
  for (let i = 1; i < logProbs.length; i++) if (logProbs[i]! > logProbs[best]!) best = i;
  return best;
}

export async function greedy(model: NextTokenModel, prompt: Int32Array, maxTokens: number): Promise<Generation> {
  const seq = Array.from(prompt);
  const ids: number[] = [];
  let logProb = 0;
  for (let step = 0; step < maxTokens; step++) {
    const lp = await model.nextLogProbs(Int32Array.from(seq));
    const w = argmax(lp);
    logProb += lp[w]!;
    if (w === EOS) return { ids, logProb, finished: true };
    ids.push(w);
    seq.push(w);
  }
  return { ids, logProb, finished: false };
}
