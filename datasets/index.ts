// Dataset resolution (`--dataset SPEC`), in this order:
//   1. an http(s) URL with a sha256 (`URL#sha256=HEX` or `--sha256 HEX`), downloaded on first use;
//   2. a registered name (`brown`, `sotu`, `moby-dick`; see registry.ts);
//   3. `chatterbot=FOLDER` / `dialog=PATH` for a dialog dataset (dialog.ts), and
//      `NAME=FOLDER` for a pre-split corpus (`ptb=data/ptb`, `wikitext-2=data/wikitext-2`);
//   4. a local file, folder (recursive) or glob (`'corpus/**/*.txt'`).
// Local and registered corpora are listed here, eagerly, so a bad spec fails
// before the run touches its output folder; URLs are downloaded in files().

import fs from 'node:fs';
import os from 'node:os';
import { UsageError } from '../pipeline/errors.js';
import { contentHashes, datasetFingerprint } from './content-hash.js';
import { DIALOG_NAMES, listDialog } from './dialog.js';
import { download, isUrl, parseRemote, type RemoteSpec } from './download.js';
import { isGlob } from './glob.js';
import { checkNotEmpty, formatOf, listLocal, listPresplit, sourceFile, type Listing } from './local.js';
import { detectSplits, hintsFromFileNames, presplitCorpus } from './presplit.js';
import { packageDir, registeredDataset, registeredNames } from './registry.js';
import type { DatasetHints, DatasetSource, SourceFile } from './source.js';

export interface ResolveOptions {
  /** The JSON field holding a jsonl record's text. */
  textField: string;
  /** The expected sha256 of a URL dataset (or put `#sha256=HEX` on the URL). */
  sha256?: string;
}

export function resolveDataset(spec: string, opts: ResolveOptions): DatasetSource {
  if (spec.trim() === '') throw new UsageError('--dataset is empty: give a registered name (run `lexflow datasets list`), a path or a URL');
  if (isUrl(spec)) return remoteSource(spec, parseRemote(spec, opts.sha256), opts.textField);
  if (opts.sha256 !== undefined) throw new UsageError(`--sha256 applies to URL datasets only, not to --dataset ${spec}`);

  const registered = registeredDataset(spec);
  if (registered) {
    const files = registered.files(packageDir(registered.package, registered.name));
    return listedSource(spec, { files, hints: registered.hints }, opts.textField);
  }

  const local = spec.startsWith('~/') ? os.homedir() + spec.slice(1) : spec;
  const named = /^([A-Za-z][\w.+-]*)=(.+)$/.exec(local);
  if (named && DIALOG_NAMES.test(named[1]!) && !fs.existsSync(local)) {
    const { files } = listDialog(named[1]!, named[2]!);
    return { ...listedSource(spec, { files, hints: {} }, opts.textField), kind: 'dialog' };
  }
  if (named && !fs.existsSync(local)) return listedSource(spec, listPresplit(named[1]!, named[2]!), opts.textField);

  if (fs.existsSync(local) || isGlob(local) || looksLikePath(local)) return listedSource(spec, listLocal(local), opts.textField);

  const known = presplitCorpus(spec);
  if (known) throw new UsageError(`dataset "${spec}" is not bundled: point at your copy with --dataset ${spec}=FOLDER (${known.describe})`);
  throw new UsageError(
    `unknown dataset "${spec}": the registered datasets are ${registeredNames().join(', ')}; ` +
      'otherwise give a path, a quoted glob, NAME=FOLDER for a pre-split corpus (ptb=data/ptb) or an https URL with #sha256=HEX',
  );
}

/** A spec that cannot be a dataset name: a missing path gets "no such file", not "unknown dataset". */
function looksLikePath(spec: string): boolean {
  return /[\\/]/.test(spec) || spec.startsWith('.') || /\.\w+$/.test(spec);
}

/** What else, besides the files' bytes, changes what the tokenize stage reads. */
function readingOf(files: readonly { format: string }[], hints: DatasetHints, textField: string): Record<string, unknown> {
  return { hints, ...(files.some((f) => f.format === 'jsonl') ? { textField } : {}) };
}

function listedSource(name: string, listing: Listing, textField: string): DatasetSource {
  const { files, hints } = listing;
  return {
    name,
    hints,
    textField,
    async files() {
      return files;
    },
    async fingerprint() {
      const hashes = await contentHashes(files.map((f) => f.path));
      return datasetFingerprint(files, hashes, readingOf(files, hints, textField));
    },
  };
}

function remoteSource(name: string, remote: RemoteSpec, textField: string): DatasetSource {
  // A single downloaded file named like `ptb.train.txt` is the train split, as a local one would be.
  const split = detectSplits([remote.fileName])?.[0];
  const hints = split ? hintsFromFileNames([remote.fileName]) : {};
  const described = [{ id: remote.fileName, format: formatOf(remote.fileName), ...(split ? { split } : {}) }];
  return {
    name,
    hints,
    textField,
    async files() {
      const file = sourceFile(remote.fileName, await download(remote), split);
      checkNotEmpty(remote.url, [file]);
      return [file];
    },
    async fingerprint() {
      // The declared sha256 is the content hash a verified download will have: no need to fetch.
      return datasetFingerprint(described, [remote.sha256], readingOf(described, hints, textField));
    },
  };
}
