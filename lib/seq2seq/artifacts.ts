// A trained translation model folder: `model.json` (the config and a
// TensorFlow.js weights manifest), `weights.bin` (float32 in manifest order),
// and the two vocabularies (`vocab-src.arrow`, `vocab-tgt.arrow`); model.json also
// holds how text is cut into tokens (segmenter.ts), so the folder alone translates text.

import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../../pipeline/errors.js';
import { readTableSync } from '../../pipeline/arrow.js';
import { utf8Strings } from '../formats/tokens.js';
import { loadWeightsInto, writeWeights, type WeightsManifest } from '../nn/weights.js';
import { LEXFLOW_VERSION } from '../../pipeline/version.js';
import { writeSideVocab } from './data.js';
import type { Seq2SeqConfig, Seq2SeqModel } from './model.js';
import type { SideVocab } from './pieces.js';
import { createRnnSeq2Seq } from './rnn.js';
import { createTransformerSeq2Seq } from './transformer.js';
import { segmenterFromSpec, type Segmenter, type SegmenterSpec } from './segmenter.js';

import { MODEL_DIR } from './model-dir.js';

export { MODEL_DIR };

interface ModelJson {
  format: 'lexflow-seq2seq';
  generatedBy: string;
  /** `segmenter` is absent in models written before BPE existed: they are word tokens. */
  modelTopology: { arch: string; config: Seq2SeqConfig; source: string; target: string; segmenter?: SegmenterSpec };
  weightsManifest: WeightsManifest;
}

export function createSeq2Seq(cfg: Seq2SeqConfig): Seq2SeqModel {
  return cfg.arch === 'transformer' ? createTransformerSeq2Seq(cfg) : createRnnSeq2Seq(cfg);
}

export async function saveSeq2Seq(dir: string, model: Seq2SeqModel, src: SideVocab, tgt: SideVocab, langs: { source: string; target: string }, segmenter: SegmenterSpec = { kind: 'words' }): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const json: ModelJson = {
    format: 'lexflow-seq2seq',
    generatedBy: `lexflow ${LEXFLOW_VERSION}`,
    modelTopology: { arch: model.config.arch, config: model.config, ...langs, segmenter },
    weightsManifest: writeWeights(dir, model.params, model.paramNames),
  };
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json, null, 1));
  await writeSideVocab(path.join(dir, 'vocab-src.arrow'), src);
  await writeSideVocab(path.join(dir, 'vocab-tgt.arrow'), tgt);
}

function readSide(file: string): SideVocab {
  const t = readTableSync(file);
  const tokens = t.batches.flatMap((b) => utf8Strings(b.getChild('token')!.data[0]!));
  return { tokens, index: new Map(tokens.map((x, i) => [x, i])) };
}

export interface LoadedSeq2Seq {
  model: Seq2SeqModel;
  src: SideVocab;
  tgt: SideVocab;
  /** How new text is cut into the vocabularies' tokens. */
  segmenter: Segmenter;
  source: string;
  target: string;
  dir: string;
}

/** Load `<run>/seq2seq` or its model folder. Vocabularies that do not fit the weights are an InputError. */
export function loadSeq2Seq(where: string): LoadedSeq2Seq {
  const dir = fs.existsSync(path.join(where, MODEL_DIR, 'model.json')) ? path.join(where, MODEL_DIR) : where;
  const file = path.join(dir, 'model.json');
  let json: ModelJson;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError(file, `cannot read a lexflow translation model here (${(e as Error).message.split('\n')[0]})`, 'Point --model at the seq2seq stage folder of a run');
  }
  if (json.format !== 'lexflow-seq2seq') throw new InputError(file, 'not a lexflow translation model', 'Point --model at the seq2seq stage folder of a run');
  const cfg = json.modelTopology.config;
  const src = readSide(path.join(dir, 'vocab-src.arrow'));
  const tgt = readSide(path.join(dir, 'vocab-tgt.arrow'));
  if (src.tokens.length !== cfg.srcVocab || tgt.tokens.length !== cfg.tgtVocab)
    throw new InputError(
      dir,
      `the vocabularies (${src.tokens.length} source, ${tgt.tokens.length} target types) are not the model's (${cfg.srcVocab}, ${cfg.tgtVocab}): they come from another run`,
      'Use the model folder as the run wrote it (model.json, weights.bin and both vocab files together)',
    );
  const model = createSeq2Seq(cfg);
  loadWeightsInto(dir, json.weightsManifest, model.params, model.paramNames, 'The model folder is incomplete; rerun the seq2seq stage');
  const segmenter = segmenterFromSpec(json.modelTopology.segmenter ?? { kind: 'words' });
  return { model, src, tgt, segmenter, source: json.modelTopology.source, target: json.modelTopology.target, dir };
}
