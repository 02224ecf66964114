// Finding a model for `lexflow eval ppl` and `lexflow sample`: an lm-ngram stage
// folder (the model named by --name, default kneser-ney), one of its model
// folders, or an ARPA file written by any tool (KenLM, SRILM). The tokens to
// score come from the run's tokenize folder (or --tokens); a model estimated
// with another vocabulary than those tokens is refused.

import { modelTokensDir } from '../../lib/lm/model-tokens.js';
import fs from 'node:fs';
import path from 'node:path';
import { InputError, UsageError } from '../../pipeline/errors.js';
import { readVocab, SPECIALS, type Vocab } from '../../lib/formats/tokens.js';
import type { NextTokenModel } from '../../lib/lm/next-token-model.js';
import type { LanguageModel } from './backoff-model.js';
import { readArpa } from './arpa.js';
import { readModelArrow, readModelsInfo, MODELS_JSON } from './model-files.js';
import { readCounts } from './counts.js';
import { AddKModel } from './add-k.js';
import { sha256 } from './index.js';

export interface LoadedModel {
  model: LanguageModel & NextTokenModel;
  /** Spelling of every id the model can emit. */
  tokens: string[];
  index: Map<string, number>;
  /** The tokenize folder whose token shards this model can score (undefined for an ARPA without --tokens). */
  tokensDir?: string;
  name: string;
}

/** Only the special tokens: an ARPA file then brings its own words. */
function specialsVocab(): Vocab {
  const tokens = [...SPECIALS];
  return { tokens, counts: new Float64Array(tokens.length), index: new Map(tokens.map((t, i) => [t, i])) };
}

export async function loadModel(modelPath: string, opts: { name?: string; tokens?: string } = {}): Promise<LoadedModel> {
  const abs = path.resolve(modelPath);
  if (!fs.existsSync(abs)) throw new InputError(abs, 'no such model', 'Point --model at out/<run>/lm-ngram, one of its model folders, or an .arpa file');
  if (fs.statSync(abs).isFile()) {
    const tokensDir = opts.tokens ? path.resolve(opts.tokens) : undefined;
    const vocab = tokensDir ? await readVocab(tokensDir) : specialsVocab();
    const { model, tokens } = await readArpa(abs, vocab.tokens, vocab.index);
    return { model, tokens, index: new Map(tokens.map((t, i) => [t, i])), tokensDir, name: path.basename(abs) };
  }
  let stageDir = abs;
  let name = opts.name ?? 'kneser-ney';
  if (!fs.existsSync(path.join(abs, MODELS_JSON)) && fs.existsSync(path.join(path.dirname(abs), MODELS_JSON))) {
    stageDir = path.dirname(abs);
    name = path.basename(abs);
  }
  const info = readModelsInfo(stageDir);
  const entry = info.models[name];
  if (!entry) throw new UsageError(`${stageDir} has no model "${name}"; it has ${Object.keys(info.models).join(', ')}`);
  // The run's token folder whose vocabulary the model was estimated on (tokenize, or subword after --tokens-from subword).
  const tokensDir = opts.tokens ? path.resolve(opts.tokens) : modelTokensDir(stageDir, (d) => sha256(path.join(d, 'vocab.arrow')) === info.vocabSha256, `the model ${stageDir}`);
  const vocabFile = path.join(tokensDir, 'vocab.arrow');
  if (!fs.existsSync(vocabFile)) throw new InputError(tokensDir, 'no vocab.arrow here', 'Pass --tokens with the tokenize folder of the run that built the model');
  if (sha256(vocabFile) !== info.vocabSha256)
    throw new InputError(
      vocabFile,
      `this vocabulary is not the one the model ${stageDir} was estimated with`,
      'Pass --tokens with the token folder the model was estimated on (tokenize, or subword for a --tokens-from subword run), or re-estimate it on this one with lexflow run --from ngrams',
    );
  const vocab = await readVocab(tokensDir);
  let model: LanguageModel & NextTokenModel;
  if (entry.files) model = await readModelArrow(path.join(stageDir, name), vocab.tokens.length, entry.normalized);
  else if (name === 'add-k') model = new AddKModel(await readCounts(path.join(stageDir, '..', 'ngrams'), info.order), vocab.tokens.length, Number(entry.params?.k ?? 1));
  else throw new InputError(path.join(stageDir, name), 'the model has no files', 'Re-run the lm-ngram stage');
  return { model, tokens: vocab.tokens, index: vocab.index, tokensDir, name };
}
