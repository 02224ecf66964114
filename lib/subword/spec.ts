// The tokenizer file: one JSON object that holds a trained subword model whole.
//
//   { "format": "lexflow-subword", "version": 1, "kind": "bpe" | "wordpiece",
//     "settings": { "byteFallback": bool, "characterCoverage": number, "maxChars": int,
//                   "wordStart": "▁" (bpe) | "continuation": "##" (wordpiece),
//                   "preTokenizer": "whitespace" },
//     "pieces": [ "<unk>", "<s>", "</s>", "<pad>", ...every piece, index = id ],
//     "merges": [ ["▁", "t"], ["▁t", "h"], ... ]   (bpe only, in the order learned),
//     "words": { "stage": "tokenize", "params": {...} }   (optional: how the words were made) }
//
// Loading checks every key and names the one that is wrong.

import fs from 'node:fs';
import { InputError, UsageError } from '../../pipeline/errors.js';
import { SPECIALS } from '../formats/tokens.js';
import { CONTINUATION, WORD_START } from './pieces.js';

export const TOKENIZER_FORMAT = 'lexflow-subword';
export const TOKENIZER_VERSION = 1;

export type SubwordKind = 'bpe' | 'wordpiece';

export interface TokenizerSettings {
  /** Characters outside the alphabet are spelled as <0xNN> byte pieces (bpe), else <unk>. */
  byteFallback: boolean;
  /** Share of character occurrences the alphabet covered in training. */
  characterCoverage: number;
  /** WordPiece: words longer than this (in characters) are <unk> ([UNK]) whole. */
  maxChars: number;
  /** How text given to `encode` is cut into words before the subword model applies. */
  preTokenizer: 'whitespace';
  wordStart?: string;
  continuation?: string;
}

export interface TokenizerSpec {
  format: string;
  version: number;
  kind: SubwordKind;
  settings: TokenizerSettings;
  pieces: string[];
  merges?: Array<[string, string]>;
  /** Where the training words came from (the tokenize stage's params), so text can be split the same way. Informational. */
  words?: { stage: string; params: Record<string, unknown> };
}

/** Check a parsed JSON value is a tokenizer spec this lexflow reads; `where` names the file. */
export function validateSpec(value: unknown, where: string): TokenizerSpec {
  const bad = (key: string, problem: string): never => {
    throw new InputError(where, `key "${key}" ${problem}`, 'Retrain it (lexflow stage subword) or fix the file');
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad('(top level)', 'is not a JSON object');
  const o = value as Record<string, unknown>;
  if (o.format !== TOKENIZER_FORMAT) bad('format', `is ${JSON.stringify(o.format)}, expected "${TOKENIZER_FORMAT}"`);
  if (o.version !== TOKENIZER_VERSION)
    throw new InputError(where, `key "version" is ${JSON.stringify(o.version)}, but this lexflow reads tokenizer version ${TOKENIZER_VERSION}`, 'Retrain the tokenizer with this lexflow (lexflow stage subword)');
  if (o.kind !== 'bpe' && o.kind !== 'wordpiece') bad('kind', `is ${JSON.stringify(o.kind)}, expected "bpe" or "wordpiece"`);
  const s = o.settings as Record<string, unknown> | undefined;
  if (typeof s !== 'object' || s === null || Array.isArray(s)) return bad('settings', 'is missing or not an object');
  if (typeof s.byteFallback !== 'boolean') bad('settings.byteFallback', 'is not true or false');
  if (typeof s.characterCoverage !== 'number' || !(s.characterCoverage > 0 && s.characterCoverage <= 1)) bad('settings.characterCoverage', 'is not a number in (0, 1]');
  if (typeof s.maxChars !== 'number' || !Number.isInteger(s.maxChars) || s.maxChars < 1) bad('settings.maxChars', 'is not a positive integer');
  if (s.preTokenizer !== 'whitespace') bad('settings.preTokenizer', `is ${JSON.stringify(s.preTokenizer)}, expected "whitespace"`);
  if (o.kind === 'bpe' && s.wordStart !== WORD_START) bad('settings.wordStart', `must be "${WORD_START}"`);
  if (o.kind === 'wordpiece' && s.continuation !== CONTINUATION) bad('settings.continuation', `must be "${CONTINUATION}"`);
  const pieces = o.pieces;
  if (!Array.isArray(pieces)) return bad('pieces', 'is missing or not an array');
  const seen = new Set<string>();
  pieces.forEach((p, i) => {
    if (typeof p !== 'string' || p.length === 0) bad(`pieces[${i}]`, 'is not a non-empty string');
    if (i < SPECIALS.length && p !== SPECIALS[i]) bad(`pieces[${i}]`, `is ${JSON.stringify(p)}, expected the special "${SPECIALS[i]}"`);
    if (seen.has(p as string)) bad(`pieces[${i}]`, `repeats the piece ${JSON.stringify(p)}`);
    seen.add(p as string);
  });
  if (pieces.length < SPECIALS.length) bad('pieces', `has ${pieces.length} entries, fewer than the ${SPECIALS.length} specials`);
  if (o.kind === 'bpe') {
    if (!seen.has(WORD_START)) bad('pieces', `lacks the word-start piece "${WORD_START}"`);
    const merges = o.merges;
    if (!Array.isArray(merges)) return bad('merges', 'is missing or not an array');
    merges.forEach((m, i) => {
      if (!Array.isArray(m) || m.length !== 2 || typeof m[0] !== 'string' || typeof m[1] !== 'string') bad(`merges[${i}]`, 'is not a pair of strings');
      for (const part of [m[0], m[1], m[0] + m[1]]) if (!seen.has(part)) bad(`merges[${i}]`, `names ${JSON.stringify(part)}, which is not in "pieces"`);
    });
  }
  return value as TokenizerSpec;
}

export function saveSpec(file: string, spec: TokenizerSpec): void {
  fs.writeFileSync(file, JSON.stringify(spec) + '\n');
}

/** Read and validate a tokenizer file: a missing, corrupt or other-version file is an InputError (exit 2). */
export function readSpec(file: string): TokenizerSpec {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`${file}: no such tokenizer file. Train one with \`lexflow stage subword\` (it writes subword/tokenizer.json)`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new InputError(file, `not valid JSON (${(e as Error).message})`, 'The file is corrupt or truncated; retrain it (lexflow stage subword)');
  }
  return validateSpec(value, file);
}
