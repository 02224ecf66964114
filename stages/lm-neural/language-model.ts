// The lm-neural stage's models as lib/lm language models, for `lexflow sample`
// and `lexflow eval ppl`: the model as a next-token distribution, perplexity
// with the same conventions and printout as KenLM's query, and the attention
// table of `sample --with-attention`. TensorFlow.js loads only when a neural
// model is actually used.

import fs from 'node:fs';
import path from 'node:path';
import { InputError, UsageError } from '../../pipeline/errors.js';
import { BOS, readVocab, UNK } from '../../lib/formats/tokens.js';
import type { LanguageModelKind, LoadedLanguageModel, LoadOptions } from '../../lib/lm/language-model.js';
import { isNeuralModelDir, MODEL_DIR } from './model-dir.js';
import { modelTokensDir } from '../../lib/lm/model-tokens.js';
import { readTableSync } from '../../pipeline/arrow.js';
import { promptCodec } from '../../lib/lm/prompt.js';

/** The folder holding the model: the stage folder (whose sibling is the run's tokenize) or the model folder inside it. */
function stageDirOf(abs: string): string {
  return fs.existsSync(path.join(abs, MODEL_DIR, 'model.json')) ? abs : path.dirname(abs);
}

async function loadNeural(p: string, opts: LoadOptions): Promise<LoadedLanguageModel> {
  const [{ selectBackend }, { loadModel }, { writeAttention }, { loadSplit }, { perplexity }, { NeuralNextTokenModel }] = await Promise.all([
    import('./backend/index.js'),
    import('./artifacts.js'),
    import('./attention.js'),
    import('./data.js'),
    import('./evaluate.js'),
    import('./next-token.js'),
  ]);
  await selectBackend('auto');
  const loaded = await loadModel(p);
  const { tokens, index } = loaded;
  // The run's token folder whose vocabulary begins with the model's (tokenize, or subword after --tokens-from subword).
  const fits = (dir: string): boolean => {
    const v = readTableSync(path.join(dir, 'vocab.arrow')).getChild('token')!.toArray() as string[];
    return v.length >= tokens.length && tokens.every((t, i) => v[i] === t);
  };
  let found: string | undefined;
  const runTokens = (): string => (found ??= modelTokensDir(stageDirOf(p), fits, `the model ${p}`));
  return {
    name: `lm-neural ${loaded.model.config.arch}`,
    model: new NeuralNextTokenModel(loaded.model),
    tokens,
    index,
    ...promptCodec(opts.tokens ? path.resolve(opts.tokens) : runTokens(), tokens, index, opts.tokenizers),
    async perplexity(split, o) {
      const tokensDir = o.tokens ? path.resolve(o.tokens) : runTokens();
      if (!fs.existsSync(path.join(tokensDir, 'vocab.arrow'))) throw new InputError(tokensDir, 'no vocab.arrow here', 'Pass --tokens with the tokenize folder of the run that trained the model');
      // The model's vocabulary must be the head of the data's: same ids for the same words.
      const vocab = await readVocab(tokensDir);
      const V = tokens.length;
      const mismatch = tokens.findIndex((t, i) => vocab.tokens[i] !== t);
      if (vocab.tokens.length < V || mismatch >= 0)
        throw new InputError(
          path.join(tokensDir, 'vocab.arrow'),
          `vocabulary differs from the model's (${mismatch >= 0 ? `id ${mismatch} is "${vocab.tokens[mismatch]}" here, "${tokens[mismatch]}" in the model` : `${vocab.tokens.length} types, the model has ${V}`})`,
          'Score with the tokenize folder of the run that trained the model (--tokens)',
        );
      const data = loadSplit(tokensDir, split, V);
      if (data.sentences === 0) throw new UsageError(`the ${split} split of ${tokensDir} has no sentences`);
      const r = perplexity(loaded.model, data);
      const log10 = (nats: number): number => nats / Math.LN10;
      return {
        sentences: data.sentences,
        tokens: r.tokens,
        oovs: r.unkTokens,
        logProb10: log10(r.logProb),
        oovLogProb10: log10(r.logProb - r.logProbNoUnk),
        ppl: r.ppl,
        pplExclOov: r.pplNoUnk,
        notes: V < vocab.tokens.length ? [`note: the model's vocabulary is the ${V} most frequent of ${vocab.tokens.length} types; rarer words are scored as <unk>`] : [],
      };
    },
    async writeAttention(ids, file) {
      return writeAttention(loaded.model, Int32Array.from([BOS, ...ids]), file);
    },
  };
}

export const neuralLanguageModels: LanguageModelKind = {
  stage: 'lm-neural',
  claims: (p) => isNeuralModelDir(p),
  load: (p, opts) => loadNeural(p, opts),
};
