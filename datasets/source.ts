// What a dataset is to the pipeline: an ordered list of files, each holding
// one document (txt) or one document per line (jsonl), some carrying their
// own split (PTB's ptb.train.txt). Readers stream bytes; nothing here loads a
// whole corpus.

export type Split = 'train' | 'valid' | 'test';
export const SPLITS: readonly Split[] = ['train', 'valid', 'test'];

/**
 * How a file's bytes become documents and text:
 * - `txt`: the whole file is one document.
 * - `jsonl`: one JSON object per line, one document each; text in `textField`.
 * Either is gzip when `gzip` is set (the name ends in .gz).
 * - `brown-tagged`: Brown corpus `word/tag` tokens; the tags are stripped.
 * - `dialog-yaml`, `dialog-jsonl`: conversations of a dialog dataset (datasets/dialog.ts).
 */
export type FileFormat = 'txt' | 'jsonl' | 'brown-tagged' | 'dialog-yaml' | 'dialog-jsonl';

export interface SourceFile {
  /** Stable document id: the path relative to the dataset root ('/'-separated). */
  readonly id: string;
  /** Absolute path on disk (a cached download for URLs). */
  readonly path: string;
  readonly format: FileFormat;
  readonly gzip: boolean;
  /** The split this file belongs to when the corpus ships its own (PTB, WikiText-2). */
  readonly split?: Split;
  readonly bytes: number;
}

/** Hints a dataset gives the tokenize stage for its `auto` settings. */
export interface DatasetHints {
  /** `line`: each non-empty line is a sentence (Brown, PTB); `punct`: split sentences by punctuation. */
  sentences?: 'line' | 'punct';
  /** `whitespace` keeps pre-tokenized corpora token for token. */
  tokenizer?: 'words' | 'whitespace';
}

/**
 * What a dataset's records are: running `text` (documents of sentences), `parallel`
 * (aligned sentence pairs for translation) or `dialog` (conversations of turns).
 * A plain `lexflow run` runs the stages made for the dataset's kind (StageDef.datasetKinds).
 */
export type DatasetKind = 'text' | 'parallel' | 'dialog';

export interface DatasetSource {
  /** As the user named it: `brown`, `./my-corpus/`, `ptb=data/ptb`, an https URL. */
  readonly name: string;
  /** Absent means `text`. */
  readonly kind?: DatasetKind;
  readonly hints: DatasetHints;
  /** JSON text field for jsonl files. */
  readonly textField: string;
  /**
   * The files, in a fixed order: sorted by id, except a registered corpus with
   * a reading order of its own (Moby Dick's chapters). Downloads happen here.
   */
  files(): Promise<SourceFile[]>;
  /** A hash of every file's id and content (cached by path, size and mtime). */
  fingerprint(): Promise<string>;
}
