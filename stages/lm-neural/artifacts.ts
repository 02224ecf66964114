// The trained model as TensorFlow.js artifacts: `model.json` (topology = the
// lexflow config, plus a standard `weightsManifest`) and `weights.bin`
// (float32, little-endian, in manifest order), so tf.io.decodeWeights reads
// them; beside them the model's own `vocab.arrow` (the capped vocabulary), so
// a model folder is enough to sample from or score text.

import fs from 'node:fs';
import path from 'node:path';
import * as A from 'apache-arrow';
import { ArrowFileWriter, primitiveData, utf8Data } from '../../pipeline/arrow.js';
import { InputError } from '../../pipeline/errors.js';
import { readVocab, vocabSchema } from '../../lib/formats/tokens.js';
import { loadWeightsInto, writeWeights, type WeightsManifest } from '../../lib/nn/weights.js';
import { LEXFLOW_VERSION } from '../../pipeline/version.js';
import { createModel } from './create.js';
import type { ModelConfig, NeuralLM } from './model.js';

import { MODEL_DIR } from './model-dir.js';
export { MODEL_DIR };

interface ModelJson {
  format: 'lexflow-lm';
  generatedBy: string;
  modelTopology: { arch: string; config: ModelConfig };
  weightsManifest: WeightsManifest;
}

export async function saveModel(dir: string, model: NeuralLM, vocab: { tokens: string[]; counts: Float64Array }): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const json: ModelJson = {
    format: 'lexflow-lm',
    generatedBy: `lexflow ${LEXFLOW_VERSION}`,
    modelTopology: { arch: model.config.arch, config: model.config },
    weightsManifest: writeWeights(dir, model.params, model.paramNames),
  };
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json, null, 1));
  const n = model.config.vocab;
  const w = new ArrowFileWriter(path.join(dir, 'vocab.arrow'), vocabSchema);
  await w.writeColumns([
    primitiveData(new A.Int32(), Int32Array.from({ length: n }, (_, i) => i)),
    utf8Data(vocab.tokens.slice(0, n)),
    primitiveData(new A.Int64(), BigInt64Array.from(Array.from(vocab.counts.subarray(0, n), (c) => BigInt(c)))),
  ]);
  await w.close();
}

export interface LoadedModel {
  model: NeuralLM;
  tokens: string[];
  index: Map<string, number>;
}

/** Load a model folder (`<run>/lm-neural/model` or the stage folder itself). */
export async function loadModel(dir: string): Promise<LoadedModel> {
  const d = fs.existsSync(path.join(dir, MODEL_DIR, 'model.json')) ? path.join(dir, MODEL_DIR) : dir;
  const file = path.join(d, 'model.json');
  let json: ModelJson;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError(file, `cannot read a lexflow neural LM here (${(e as Error).message.split('\n')[0]})`, 'Point at the lm-neural stage folder of a run');
  }
  if (json.format !== 'lexflow-lm') throw new InputError(file, 'not a lexflow neural LM', 'Point at the lm-neural stage folder of a run');
  const model = createModel(json.modelTopology.config);
  loadWeightsInto(d, json.weightsManifest, model.params, model.paramNames, 'Rerun the lm-neural stage');
  const vocab = await readVocab(d);
  if (vocab.tokens.length !== model.config.vocab)
    throw new InputError(path.join(d, 'vocab.arrow'), `has ${vocab.tokens.length} types, the model ${model.config.vocab}`, 'The model folder is inconsistent; rerun the lm-neural stage');
  return { model, tokens: vocab.tokens, index: vocab.index };
}
