// How a generative bot decodes its reply: greedy (the default: the most
// probable token at each step), beam search with the GNMT length penalty
// (Wu et al. 2016), or sampling with temperature, top-k and top-p. Kept apart
// from the bot so that the CLI can name the choices without loading TensorFlow.js.

import type { SamplingOptions } from '../lm/sampling.js';

export const DECODERS = ['greedy', 'beam', 'sample'] as const;
export type DecoderKind = (typeof DECODERS)[number];

export interface DecodeOptions extends Required<SamplingOptions> {
  kind: DecoderKind;
  /** Beam width (beam; and the candidates shown with /k come from a beam this wide at least). */
  beam: number;
  /** GNMT length penalty α (Wu et al. 2016, eq. 14). */
  lengthPenalty: number;
  /** Sampling: the seed of the first reply (each later reply of a bot adds one). */
  seed: number;
}

export const DEFAULT_DECODE: DecodeOptions = { kind: 'greedy', beam: 4, lengthPenalty: 0.6, temperature: 1, topK: 0, topP: 1, seed: 1 };

