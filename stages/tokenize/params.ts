// The tokenize stage's parameters (flags of `lexflow stage tokenize`).

import type { ParamSchema } from '../../pipeline/params.js';

export const tokenizeParams = {
  normalize: { type: 'enum', choices: ['nfc', 'nfkc', 'none'], default: 'nfc', describe: 'Unicode normalization of the text' } as const,
  lowercase: { type: 'bool', default: false, describe: 'Lowercase every token' },
  tokenizer: {
    type: 'enum',
    choices: ['auto', 'words', 'whitespace'],
    default: 'auto',
    describe: 'words: Unicode word splitting; whitespace: keep pre-tokenized text (PTB, WikiText-2) token for token; auto: as the dataset says, else words',
  } as const,
  sentences: {
    type: 'enum',
    choices: ['auto', 'line', 'punct'],
    default: 'auto',
    describe: 'line: one sentence per line; punct: split at . ! ? and friends; auto: as the dataset says, else punct',
  } as const,
  split: { type: 'numbers', min: 0, default: [0.9, 0.05, 0.05], describe: 'train,valid,test fractions of documents (by a hash of the document id)' },
  'min-count': { type: 'int', min: 1, default: 1, describe: 'Keep words seen at least this often in train; the rest become <unk>' },
  'max-size': { type: 'int', min: 0, default: 0, describe: 'Largest vocabulary, the 4 specials included (0 = unlimited)' },
  'shard-tokens': { type: 'int', min: 1, default: 1_000_000, describe: 'Tokens per output shard (at most; a longer sentence gets its own)' },
  'block-bytes': {
    type: 'size',
    default: '1M',
    // Below a few bytes no block holds a whole line; 0 would read nothing at all.
    min: 64,
    describe: 'Text is cut into blocks of about this size at line ends (the unit of parallel work); a block end also ends a sentence',
  },
  'on-invalid': { type: 'enum', choices: ['error', 'replace'], default: 'error', describe: 'Invalid UTF-8: stop with an error, or replace with U+FFFD and count' } as const,
  'max-line-bytes': { type: 'size', default: '16M', fingerprint: false, describe: 'Longest line accepted (a longer one is an error)' },
  memory: { type: 'size', default: '512M', fingerprint: false, describe: 'Encoded text (three quarters) and the type table (a quarter) kept in memory; past it, spilled to disk' },
} satisfies ParamSchema;
