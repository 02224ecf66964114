// The lm-ngram stage's models as lib/lm language models, for `lexflow sample`
// and `lexflow eval ppl`: a stage folder (the model named by --name, default
// kneser-ney), one of its model folders, or an ARPA file written by any tool.

import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../pipeline/errors.js';
import { listTokenShards } from '../../lib/formats/tokens.js';
import type { LanguageModelKind, LoadedLanguageModel } from '../../lib/lm/language-model.js';
import { loadModel } from './load-model.js';
import { MODELS_JSON } from './model-files.js';
import { perplexity } from './perplexity.js';
import { promptCodec } from '../../lib/lm/prompt.js';

export const ngramLanguageModels: LanguageModelKind = {
  stage: 'lm-ngram',
  claims(p) {
    if (fs.statSync(p).isFile()) return true; // an ARPA file
    return fs.existsSync(path.join(p, MODELS_JSON)) || fs.existsSync(path.join(path.dirname(p), MODELS_JSON));
  },
  async load(p, opts): Promise<LoadedLanguageModel> {
    const loaded = await loadModel(p, opts);
    const { model, tokens, index } = loaded;
    return {
      name: loaded.name,
      model,
      tokens,
      index,
      ...promptCodec(loaded.tokensDir, tokens, index, opts.tokenizers),
      async perplexity(split, o) {
        const tokensDir = o.tokens ? path.resolve(o.tokens) : loaded.tokensDir;
        if (!tokensDir) throw new UsageError(`--model ${p} is an ARPA file: pass --tokens with the tokenize folder whose ${split} split to score`);
        const shards = listTokenShards(tokensDir, split);
        if (shards.length === 0) throw new UsageError(`${path.join(tokensDir, 'tokens')} has no ${split} split`);
        const r = perplexity(model, shards, o.perSentence);
        if (r.sentences === 0) throw new UsageError(`the ${split} split of ${tokensDir} has no sentences`);
        return { ...r, notes: model.normalized ? [] : ['note: this model gives scores, not probabilities (stupid backoff): its "perplexity" is not comparable'] };
      },
    };
  },
};
