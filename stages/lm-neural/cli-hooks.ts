// What `lexflow sample` and `lexflow eval ppl` (owned by stages/lm-ngram) call
// when --model points at an lm-neural folder: the model as a NextTokenModel,
// perplexity with the same conventions and printout as KenLM's query, and the
// attention table of `sample --with-attention`.

import fs from 'node:fs';
import path from 'node:path';
import { InputError, UsageError } from '../../pipeline/errors.js';
import { BOS, readVocab } from '../../pipeline/tokens.js';
import { SPLITS, type Split } from '../../datasets/source.js';
import { selectBackend } from './backend/index.js';
import { loadModel, MODEL_DIR, type LoadedModel } from './artifacts.js';
export { isNeuralModelDir } from './model-dir.js';
import { writeAttention } from './attention.js';
import { loadSplit } from './data.js';
import { perplexity } from './evaluate.js';
import { NeuralNextTokenModel } from './next-token.js';

export interface NeuralForDecoding {
  model: NeuralNextTokenModel;
  tokens: string[];
  index: Map<string, number>;
  loaded: LoadedModel;
}

export async function loadNeuralForDecoding(p: string): Promise<NeuralForDecoding> {
  await selectBackend('auto');
  const loaded = await loadModel(path.resolve(p));
  return { model: new NeuralNextTokenModel(loaded.model), tokens: loaded.tokens, index: loaded.index, loaded };
}

/** `sample --with-attention FILE`: attention of <s> + prompt + the generated ids (the first generation). */
export async function writeSampleAttention(d: NeuralForDecoding, prompt: Int32Array, generated: readonly number[], file: string, write: (s: string) => void): Promise<void> {
  const row = Int32Array.from([BOS, ...prompt, ...generated]);
  const n = await writeAttention(d.loaded.model, row, file);
  write(`attention: ${n} rows (layer, head, query_pos, key_pos, weight) -> ${file}\n`);
}

/** The folder holding the model: the stage folder (whose sibling is the run's tokenize) or the model folder inside it. */
function stageDirOf(p: string): string {
  const abs = path.resolve(p);
  return fs.existsSync(path.join(abs, MODEL_DIR, 'model.json')) ? abs : path.dirname(abs);
}

/** `eval ppl` for a neural model: the same printout as the n-gram models (KenLM's query). */
export async function evalNeuralPerplexity(
  args: { model: string; split: string; tokens?: string },
  write: (s: string) => void,
): Promise<{ sentences: number; tokens: number; oovs: number; logProb10: number; oovLogProb10: number; ppl: number; pplExclOov: number }> {
  if (!SPLITS.includes(args.split as Split)) throw new UsageError(`--split ${args.split}: choose one of ${SPLITS.join(', ')}`);
  const d = await loadNeuralForDecoding(args.model);
  const tokensDir = path.resolve(args.tokens ?? path.join(stageDirOf(args.model), '..', 'tokenize'));
  if (!fs.existsSync(path.join(tokensDir, 'vocab.arrow'))) throw new InputError(tokensDir, 'no vocab.arrow here', 'Pass --tokens with the tokenize folder of the run that trained the model');
  // The model's vocabulary must be the head of the data's: same ids for the same words.
  const vocab = await readVocab(tokensDir);
  const V = d.tokens.length;
  const mismatch = d.tokens.findIndex((t, i) => vocab.tokens[i] !== t);
  if (vocab.tokens.length < V || mismatch >= 0)
    throw new InputError(
      path.join(tokensDir, 'vocab.arrow'),
      `vocabulary differs from the model's (${mismatch >= 0 ? `id ${mismatch} is "${vocab.tokens[mismatch]}" here, "${d.tokens[mismatch]}" in the model` : `${vocab.tokens.length} types, the model has ${V}`})`,
      'Score with the tokenize folder of the run that trained the model (--tokens)',
    );
  const data = loadSplit(tokensDir, args.split as Split, V);
  if (data.sentences === 0) throw new UsageError(`the ${args.split} split of ${tokensDir} has no sentences`);
  const r = perplexity(d.loaded.model, data);
  write(
    `model lm-neural ${d.loaded.model.config.arch} (${args.model}), split ${args.split}, ${data.sentences} sentences\n` +
      `Perplexity including OOVs:\t${r.ppl}\n` +
      `Perplexity excluding OOVs:\t${r.pplNoUnk}\n` +
      `OOVs:\t${r.unkTokens}\n` +
      `Tokens:\t${r.tokens}\n` +
      (V < vocab.tokens.length ? `note: the model's vocabulary is the ${V} most frequent of ${vocab.tokens.length} types; rarer words are scored as <unk>\n` : ''),
  );
  const log10 = (nats: number): number => nats / Math.LN10;
  return { sentences: data.sentences, tokens: r.tokens, oovs: r.unkTokens, logProb10: log10(r.logProb), oovLogProb10: log10(r.logProb - r.logProbNoUnk), ppl: r.ppl, pplExclOov: r.pplNoUnk };
}
