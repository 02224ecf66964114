// The generative bot: an encoder–decoder (lib/seq2seq) trained on (context ->
// reply) pairs writes its answer token by token (Sutskever, Vinyals & Le 2014;
// as a conversation model, Vinyals & Le 2015, "A Neural Conversational Model").
// The source is the last N turns joined by <sep> (generative-data.ts); the
// reply is decoded greedily, by beam search or by sampling, never with <unk>
// (generative-ban-unk.ts). Its confidence is
// the geometric mean of the probabilities of the tokens it wrote, </s>
// included: in (0, 1], 1 when the model was sure of every token.

import { UNK } from '../formats/tokens.js';
import { beamTranslate, greedyTranslate, type Translation } from '../seq2seq/decode.js';
import type { Seq2SeqModel } from '../seq2seq/model.js';
import { decode, type SideVocab } from '../seq2seq/pieces.js';
import { noAnswer, type Bot, type Candidate, type Reply } from './bot.js';
import { encodeSource, turnTokens, type GenerativeShape } from './generative-data.js';
import { lastTurns } from './retrieval.js';
import { DEFAULT_DECODE, type DecodeOptions } from './decoding.js';
import { withoutUnk } from './generative-ban-unk.js';

export interface GenerativeModel {
  model: Seq2SeqModel;
  src: SideVocab;
  tgt: SideVocab;
  shape: GenerativeShape;
}

/** exp(log P / tokens): tokens written plus </s>. */
function meanProb(t: Translation): number {
  return Math.exp(t.logProb / (t.ids.length + 1));
}

const WORDLIKE = /[\p{L}\p{N}]/u;

export const NOTHING_TO_SAY = "Sorry, I don't know what to say to that.";

export class GenerativeBot implements Bot {
  readonly mode = 'generative' as const;
  private replies = 0;
  /** The model as decoding sees it: <unk> banned. */
  private readonly decoder: Seq2SeqModel;
  constructor(
    readonly m: GenerativeModel,
    readonly decoding: DecodeOptions = DEFAULT_DECODE,
  ) {
    this.decoder = withoutUnk(m.model);
  }

  get turns(): number {
    return this.m.shape.turns;
  }

  /** Decoded replies to many contexts (batched for greedy and sampling): the evaluation's path. */
  generate(contexts: readonly (readonly string[])[]): Translation[] {
    const sources = contexts.map((c) => encodeSource(this.m.src, c, this.m.shape));
    const d = this.decoding;
    if (d.kind === 'beam') return sources.map((s) => beamTranslate(this.decoder, s, d.beam, d.lengthPenalty)[0]!);
    const out: Translation[] = [];
    for (let i = 0; i < sources.length; i += 64) {
      const sampling = d.kind === 'sample' ? { sampling: { temperature: d.temperature, topK: d.topK, topP: d.topP, seed: d.seed + this.replies++ } } : {};
      out.push(...greedyTranslate(this.decoder, sources.slice(i, i + 64), sampling));
    }
    return out;
  }

  text(t: Translation): string {
    return decode(this.m.tgt, t.ids);
  }

  answer(context: readonly string[], k: number): Reply {
    const last = context.length ? context[context.length - 1]! : '';
    // A message of words the model never read (another script, say) would get an answer to nothing.
    // Words only: punctuation the model knows ("?") says nothing about the message.
    const known = turnTokens(last).filter((t) => WORDLIKE.test(t) && (this.m.src.index.get(t) ?? UNK) !== UNK).length;
    if (known === 0) return noAnswer('generative', NOTHING_TO_SAY, 'no word of the message is in my vocabulary');
    const best = this.generate([context])[0]!;
    const text = this.text(best);
    const read = lastTurns(context, this.turns);
    let candidates: Candidate[] = [];
    if (k > 0) {
      const src = encodeSource(this.m.src, context, this.m.shape);
      const width = Math.min(Math.max(k, this.decoding.beam), this.m.tgt.tokens.length);
      // The beam keeps the k best by its length-penalized log-probability; they are shown
      // best first by the score shown with them (the two orders can differ by a hair).
      candidates = beamTranslate(this.decoder, src, width, this.decoding.lengthPenalty)
        .slice(0, k)
        .map((h, i) => ({ id: `beam-${i + 1}`, context: read, text: this.text(h), score: meanProb(h) }))
        .sort((a, b) => b.score - a.score);
    }
    const confidence = meanProb(best);
    if (text === '') return { text: NOTHING_TO_SAY, mode: 'generative', known: false, confidence, candidates, reason: 'the model wrote an empty reply' };
    return { text, mode: 'generative', known: true, confidence, candidates };
  }
}
