// Which kind of language model a `--model` path holds: the first registered kind
// that claims it.

import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../../pipeline/errors.js';
import type { LanguageModelKind, LoadedLanguageModel, LoadOptions } from './language-model.js';

export async function loadLanguageModel(kinds: readonly LanguageModelKind[], modelPath: string, opts: LoadOptions): Promise<LoadedLanguageModel> {
  const abs = path.resolve(modelPath);
  if (!fs.existsSync(abs)) throw new InputError(abs, 'no such model', `Point --model at a stage folder of ${kinds.map((k) => k.stage).join(' or ')}, one of its model folders, or an .arpa file`);
  const kind = kinds.find((k) => k.claims(abs));
  if (!kind) throw new InputError(abs, 'not a language model', `Point --model at a stage folder of ${kinds.map((k) => k.stage).join(' or ')}, one of its model folders, or an .arpa file`);
  return kind.load(abs, opts);
}
