// Perplexity with the n-gram models' conventions (stages/lm-ngram): every
// sentence is scored on its own from <s>, every word and the closing </s> are
// predicted, and <unk> targets are counted (ppl) — plus the figure without
// them (ppl excluding <unk>, as KenLM also prints).

import { PAD, UNK } from '../../lib/formats/tokens.js';
import type { SplitData } from './data.js';
import type { NeuralLM } from './model.js';

export interface Perplexity {
  /** exp(−Σ ln p / N) over all N predicted tokens (words + </s>). */
  ppl: number;
  /** The same without <unk> targets. */
  pplNoUnk: number;
  tokens: number;
  unkTokens: number;
  /** Σ ln p over all targets, and over the non-<unk> ones (nats). */
  logProb: number;
  logProbNoUnk: number;
}

/** Score sentences in length-sorted groups of about `batchTokens` padded tokens. */
export function perplexity(model: NeuralLM, data: SplitData, batchTokens = 2048, maxSentences = Infinity): Perplexity {
  const S = Math.min(data.sentences, maxSentences);
  const len = (s: number): number => data.starts[s + 1]! - data.starts[s]!;
  const order = Int32Array.from({ length: S }, (_, i) => i).sort((a, b) => len(a) - len(b));
  let logProb = 0;
  let logProbNoUnk = 0;
  let tokens = 0;
  let unkTokens = 0;
  const add = (lp: number, target: number): void => {
    logProb += lp;
    tokens++;
    if (target === UNK) unkTokens++;
    else logProbNoUnk += lp;
  };
  const C = model.maxContext;
  let g = 0;
  while (g < S) {
    const T = len(order[g]!);
    if (T > C) {
      // Longer than the model's context: slide a window, each position conditioned on ≥ C/2 tokens.
      scoreLong(model, data, order[g]!, add);
      g++;
      continue;
    }
    let end = g;
    while (end < S && len(order[end]!) <= C && (end - g + 1) * len(order[end]!) <= Math.max(batchTokens, len(order[end]!))) end++;
    const B = end - g;
    const Tmax = len(order[end - 1]!);
    const inputs = new Int32Array(B * Tmax).fill(PAD);
    const targets = new Int32Array(B * Tmax).fill(PAD);
    for (let b = 0; b < B; b++) {
      const s = order[g + b]!;
      inputs.set(data.inputs.subarray(data.starts[s]!, data.starts[s + 1]!), b * Tmax);
      targets.set(data.targets.subarray(data.starts[s]!, data.starts[s + 1]!), b * Tmax);
    }
    const lp = model.scoreSequences(inputs, B, Tmax, targets);
    for (let b = 0; b < B; b++) {
      const n = len(order[g + b]!);
      for (let t = 0; t < n; t++) add(lp[b * Tmax + t]!, targets[b * Tmax + t]!);
    }
    g = end;
  }
  return {
    ppl: Math.exp(-logProb / Math.max(tokens, 1)),
    pplNoUnk: Math.exp(-logProbNoUnk / Math.max(tokens - unkTokens, 1)),
    tokens,
    unkTokens,
    logProb,
    logProbNoUnk,
  };
}

function scoreLong(model: NeuralLM, data: SplitData, s: number, add: (lp: number, target: number) => void): void {
  const C = model.maxContext;
  const from = data.starts[s]!;
  const n = data.starts[s + 1]! - from;
  let scored = 0;
  while (scored < n) {
    const start = scored === 0 ? 0 : Math.max(0, scored - Math.floor(C / 2));
    const end = Math.min(start + C, n);
    const T = end - start;
    const lp = model.scoreSequences(data.inputs.slice(from + start, from + end), 1, T, data.targets.slice(from + start, from + end));
    for (let t = scored - start; t < T; t++) add(lp[t]!, data.targets[from + start + t]!);
    scored = end;
  }
}
