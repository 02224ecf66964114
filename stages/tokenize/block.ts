// Tokenize one block of whole lines: the composition of the parts, run in a
// worker. bytes -> UTF-8 text -> documents (by file format) -> normalizer ->
// pre-tokenizer -> sentence splitter -> encoder (block-local ids).

import { InputError } from '../../pipeline/errors.js';
import { recordId, splitOfId, type SplitFractions } from '../../datasets/split.js';
import type { FileFormat } from '../../datasets/source.js';
import { BlockEncoder, type EncodedBlock } from './encode.js';
import { lowercaseInPlace, normalizeText, type NormalForm } from './normalize.js';
import { SentenceBounds, splitSentences, type SentenceMode } from './sentences.js';
import { TokenSpans } from './spans.js';
import { preTokenizer, splitWhitespace, type PreTokenizerName } from './words.js';
import { decodeUtf8 } from './utf8.js';

export interface TokenizerOptions {
  normalize: NormalForm;
  lowercase: boolean;
  tokenizer: PreTokenizerName;
  sentences: SentenceMode;
  onInvalid: 'error' | 'replace';
}

/** One block of whole lines of a file. */
export interface BlockBytes {
  bytes: Uint8Array;
  /** Byte offset and first line of the block in its file (for error messages). */
  offset: number;
  firstLine: number;
}

/** What every block of a file shares. */
interface FileTask {
  /** The file's path (errors name it) and id (jsonl record ids derive from it). */
  path: string;
  fileId: string;
  format: FileFormat;
  /** The file's split (0..2), or -1 to split jsonl records (or, in a corpus of too few documents, text lines) by the hash of their ids. */
  split: number;
  fractions: SplitFractions;
  textField: string;
  options: TokenizerOptions;
}

export type BlockTask = BlockBytes & FileTask;

/**
 * Consecutive blocks of one file, tokenized into one type table: the main
 * thread merges one table per group instead of one per block, and a type
 * that recurs across the group's blocks is merged once (the serial part of
 * the stage; see index.ts). Each block is still tokenized on its own, so a
 * block end still ends a sentence and the output does not depend on grouping.
 */
export type GroupTask = FileTask & { blocks: BlockBytes[] };

/** Line number of byte `at` of the block. */
function lineAt(task: BlockBytes, at: number): number {
  let line = task.firstLine;
  for (let i = 0; i < at; i++) if (task.bytes[i] === 10) line++;
  return line;
}

/** Brown `word/tag` tokens: keep the word, cut at the LAST slash (1/2/cd -> 1/2). */
function stripTags(text: string, spans: TokenSpans): void {
  let w = 0;
  for (let t = 0; t < spans.count; t++) {
    const s = spans.start[t]!;
    let e = spans.end[t]!;
    const slash = text.lastIndexOf('/', e - 1);
    if (slash > s) e = slash;
    spans.start[w] = s;
    spans.end[w] = e;
    spans.newlines[w] = spans.newlines[t]!;
    w++;
  }
  spans.count = w;
}

// Reused by every block this thread tokenizes (a task runs to the end before the next starts).
const spans = new TokenSpans();
const bounds = new SentenceBounds();
const encoders = [new BlockEncoder(false), new BlockEncoder(true)];

export function tokenizeBlock(task: BlockTask): EncodedBlock {
  const { bytes, offset, firstLine, ...file } = task;
  return tokenizeBlocks({ ...file, blocks: [{ bytes, offset, firstLine }] });
}

export function tokenizeBlocks(task: GroupTask): EncodedBlock {
  const enc = encoders[task.options.lowercase ? 1 : 0]!;
  enc.reset();
  for (const block of task.blocks) encodeBlock(task, block, enc);
  return enc.finish();
}

function encodeBlock(task: FileTask, block: BlockBytes, enc: BlockEncoder): void {
  const { options } = task;
  const decoded = decodeUtf8(block.bytes, options.onInvalid === 'replace');
  if (decoded.invalidAt >= 0) {
    const at = block.offset + decoded.invalidAt;
    throw new InputError(
      task.path,
      `invalid UTF-8 at byte offset ${at} (line ${lineAt(block, decoded.invalidAt)})`,
      'Convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8), or pass --on-invalid replace to replace and count bad bytes',
    );
  }
  enc.replaced += decoded.replaced;
  const split = preTokenizer(options.tokenizer);

  const addText = (raw: string, mode: SentenceMode, doc: number, docSplit: number, brown: boolean): void => {
    const text = normalizeText(raw, options.normalize);
    spans.reset();
    bounds.reset();
    if (brown) {
      splitWhitespace(text, spans);
      stripTags(text, spans);
    } else split(text, spans);
    splitSentences(text, spans, mode, bounds);
    const lower = options.lowercase ? lowercaseInPlace(text) : undefined;
    enc.addText(text, lower, spans, bounds, doc, docSplit);
  };

  // split -1 on text: each non-empty line is its own document, split by the hash of its
  // position (a corpus of fewer documents than splits; see the stage).
  const byLines = (mode: SentenceMode, brown: boolean): void => {
    const lines = decoded.text.split('\n');
    for (let k = 0; k < lines.length; k++) {
      if (lines[k]!.trim() === '') continue;
      const docSplit = splitOfId(recordId(task.fileId, block.firstLine + k), task.fractions);
      addText(lines[k]!, mode, enc.startDocument(docSplit), docSplit, brown);
    }
  };
  switch (task.format) {
    case 'txt':
      if (task.split < 0) byLines(options.sentences, false);
      else addText(decoded.text, options.sentences, 0, task.split, false);
      break;
    case 'brown-tagged':
      // One sentence per non-empty line, whatever --sentences says: that is how Brown is annotated.
      if (task.split < 0) byLines('line', true);
      else addText(decoded.text, 'line', 0, task.split, true);
      break;
    case 'jsonl': {
      const lines = decoded.text.split('\n');
      for (let k = 0; k < lines.length; k++) {
        const line = lines[k]!;
        if (line.trim() === '') continue;
        const lineNo = block.firstLine + k;
        let rec: unknown;
        try {
          rec = JSON.parse(line);
        } catch (e) {
          throw new InputError(task.path, `line ${lineNo} is not valid JSON (${(e as Error).message})`, 'Fix or remove that line; each line of a .jsonl file must be one JSON object');
        }
        const text = rec && typeof rec === 'object' ? (rec as Record<string, unknown>)[task.textField] : undefined;
        if (typeof text !== 'string')
          throw new InputError(
            task.path,
            `line ${lineNo} has no string field "${task.textField}"`,
            'Pass --text-field with the name of the field that holds the text',
          );
        const docSplit = task.split >= 0 ? task.split : splitOfId(recordId(task.fileId, lineNo), task.fractions);
        const doc = enc.startDocument(docSplit);
        addText(text, options.sentences, doc, docSplit, false);
      }
      break;
    }
  }
}
