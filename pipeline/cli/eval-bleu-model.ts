// `lexflow eval bleu --model DIR --split test [--beam K]`: translate a split of
// the run that trained the model, from the stage's own token table
// (`tokens/<split>.arrow`), with the saved model, and score it against the
// stage's references (`ref-<split>.txt`: as many sentences as the stage
// translated, so the score is comparable to its metrics.arrow).

import fs from 'node:fs';
import path from 'node:path';
import { InputError, UsageError } from '../errors.js';
import { readSegments } from '../../lib/metrics/lines.js';
import { MODEL_DIR } from '../../lib/seq2seq/model-dir.js';

export interface ModelSplitArgs {
  model: string;
  split: string;
  beam: number;
  lengthPenalty: number;
}

/** The seq2seq stage folder of `--model` (the stage folder, or its model folder). */
function stageFolder(model: string): string {
  if (fs.existsSync(path.join(model, MODEL_DIR, 'model.json'))) return model;
  if (fs.existsSync(path.join(model, 'model.json')) && path.basename(path.resolve(model)) === MODEL_DIR) return path.dirname(path.resolve(model));
  throw new InputError(model, 'is not the seq2seq stage folder of a run (no model/model.json in it)', 'Point --model at out/<run>/seq2seq');
}

/** Hypotheses (detokenized) and references of `--split`, translated now. */
export async function translateModelSplit(a: ModelSplitArgs): Promise<{ hyps: string[]; refs: string[]; setting: string }> {
  if (a.split !== 'valid' && a.split !== 'test') throw new UsageError(`--split ${a.split}: choose valid or test (the splits the stage translated)`);
  if (!Number.isInteger(a.beam) || a.beam < 1) throw new UsageError(`--beam ${a.beam}: give a whole number of at least 1`);
  const dir = stageFolder(a.model);
  const tokens = path.join(dir, 'tokens', `${a.split}.arrow`);
  if (!fs.existsSync(tokens)) throw new InputError(tokens, 'is missing', `The run has no ${a.split} split; rerun the seq2seq stage, or choose another --split`);
  const refFile = path.join(dir, `ref-${a.split}.txt`);
  if (!fs.existsSync(refFile)) throw new InputError(refFile, 'is missing', `The stage translated no ${a.split} sentences; rerun it`);
  const refs = readSegments(refFile);
  const [{ selectBackend, tf }, { loadSeq2Seq }, { readPairsTable }, { settingName, translateMany }, { decode }] = await Promise.all([
    import('../../lib/nn/backend/index.js'),
    import('../../lib/seq2seq/artifacts.js'),
    import('../../lib/seq2seq/data.js'),
    import('../../lib/seq2seq/decode.js'),
    import('../../lib/seq2seq/pieces.js'),
  ]);
  await selectBackend('auto');
  const m = loadSeq2Seq(dir);
  if (a.beam > m.model.config.tgtVocab) throw new UsageError(`--beam ${a.beam} is wider than the model's target vocabulary (${m.model.config.tgtVocab} types); use at most ${m.model.config.tgtVocab}`);
  const pairs = readPairsTable(tokens);
  if (pairs.src.length < refs.length) throw new InputError(refFile, `has ${refs.length} lines but ${tokens} only ${pairs.src.length} rows`, 'The stage folder is mixed from two runs; rerun the seq2seq stage');
  const hyps = translateMany(m.model, pairs.src.slice(0, refs.length), a.beam, a.lengthPenalty).map((t) => decode(m.tgt, t.ids));
  tf.dispose(m.model.params);
  return { hyps, refs, setting: settingName(a.beam) };
}
