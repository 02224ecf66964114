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
import { LEXFLOW_VERSION } from '../../pipeline/version.js';
import { tf } from './backend/index.js';
import { createModel } from './create.js';
import type { ModelConfig, NeuralLM } from './model.js';

import { MODEL_DIR } from './model-dir.js';
export { MODEL_DIR };

interface ModelJson {
  format: 'lexflow-lm';
  generatedBy: string;
  modelTopology: { arch: string; config: ModelConfig };
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: 'float32' }[] }[];
}

export async function saveModel(dir: string, model: NeuralLM, vocab: { tokens: string[]; counts: Float64Array }): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const weights = model.params.map((p, i) => ({ name: model.paramNames[i]!, shape: p.shape as number[], dtype: 'float32' as const }));
  const json: ModelJson = {
    format: 'lexflow-lm',
    generatedBy: `lexflow ${LEXFLOW_VERSION}`,
    modelTopology: { arch: model.config.arch, config: model.config },
    weightsManifest: [{ paths: ['weights.bin'], weights }],
  };
  const fd = fs.openSync(path.join(dir, 'weights.bin'), 'w');
  try {
    for (const p of model.params) {
      const a = p.dataSync() as Float32Array;
      fs.writeSync(fd, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    }
  } finally {
    fs.closeSync(fd);
  }
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
  const buf = fs.readFileSync(path.join(d, 'weights.bin'));
  const specs = json.weightsManifest[0]!.weights;
  const need = specs.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (buf.length !== need) throw new InputError(path.join(d, 'weights.bin'), `is ${buf.length} bytes, the manifest needs ${need}`, 'Rerun the lm-neural stage');
  const named = tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length), specs);
  const model = createModel(json.modelTopology.config);
  model.params.forEach((p, i) => {
    const t = named[model.paramNames[i]!];
    if (!t) throw new InputError(file, `weight ${model.paramNames[i]} is missing`, 'Rerun the lm-neural stage');
    p.assign(t as tf.Tensor);
  });
  tf.dispose(Object.values(named));
  const vocab = await readVocab(d);
  if (vocab.tokens.length !== model.config.vocab)
    throw new InputError(path.join(d, 'vocab.arrow'), `has ${vocab.tokens.length} types, the model ${model.config.vocab}`, 'The model folder is inconsistent; rerun the lm-neural stage');
  return { model, tokens: vocab.tokens, index: vocab.index };
}
