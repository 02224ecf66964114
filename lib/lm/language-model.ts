// The language-model interface that every kind of LM (n-gram, neural) offers to
// the commands that work on any model (`lexflow sample`, `lexflow eval ppl`):
// a next-token distribution for decoding, sentence scoring on a split with
// KenLM query's conventions, and the words behind the ids. A stage that writes
// LMs declares a `LanguageModelKind` in its definition (`languageModel`); the
// commands ask each kind in turn whether a path is one of its models, so they
// never name a model kind themselves.

import type { Split } from '../../datasets/source.js';
import type { NextTokenModel } from './next-token-model.js';

/** Perplexity on a split as KenLM's `query` reports it. */
export interface PerplexityReport {
  sentences: number;
  /** Scored tokens, `</s>` included. */
  tokens: number;
  oovs: number;
  /** Sum of log10 probabilities over all tokens, and over the OOVs alone. */
  logProb10: number;
  oovLogProb10: number;
  ppl: number;
  pplExclOov: number;
  /** Lines the printout adds after the figures (e.g. "scores, not probabilities"). */
  notes: string[];
}

export interface ScoreOptions {
  /** A tokens folder to score instead of the model run's own (`--tokens`). */
  tokens?: string;
  /** Called with every sentence's log10 probability (`--per-sentence`). */
  perSentence?: (doc: number, logProb10: number, tokens: number) => void;
}

export interface LoadedLanguageModel {
  /** How the printout names it: "kneser-ney", "lm-neural lstm". */
  readonly name: string;
  readonly model: NextTokenModel;
  /** Spelling of every id the model can emit. */
  readonly tokens: string[];
  readonly index: Map<string, number>;
  /** Turn a prompt into ids the model reads (words, or pieces for a subword model). */
  encodePrompt(text: string): Int32Array;
  /** Spell generated ids back as text. */
  spell(ids: readonly number[]): string;
  perplexity(split: Split, opts: ScoreOptions): Promise<PerplexityReport>;
  /** Attention weights of `ids` (after `<s>`) into an Arrow file; models without attention leave it out. */
  writeAttention?(ids: Int32Array, file: string): Promise<number>;
}

/** A tokenizer file a stage writes into its token folder (subword's tokenizer.json), for prompts of models trained on its pieces. */
export interface TokenizerKind {
  readonly stage: string;
  /** File name inside the token folder. */
  readonly file: string;
  load(file: string): { readonly pieces: readonly string[]; encode(text: string): number[]; decode(ids: ArrayLike<number>): string };
}

export interface LoadOptions {
  /** Tokenizers of the registered stages: a model of a subword run encodes prompts into pieces with its run's. */
  tokenizers?: readonly TokenizerKind[];
  /** Which model of a stage folder that holds several (`--name`). */
  name?: string;
  /** The tokens folder for the vocabulary (`--tokens`). */
  tokens?: string;
}

export interface LanguageModelKind {
  /** The stage whose models these are (for messages). */
  readonly stage: string;
  /** Cheap test (file system only): is `path` one of this kind's models? */
  claims(path: string): boolean;
  load(path: string, opts: LoadOptions): Promise<LoadedLanguageModel>;
}
