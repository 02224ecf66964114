// Dataset resolution: a registered name (brown, sotu, moby-dick), a local
// file/folder/glob, `name=folder` for pre-split corpora, or an https URL.
// (Minimal first version: local files and folders of .txt; see issue 2.)

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { InputError, UsageError } from '../pipeline/errors.js';
import type { DatasetSource, SourceFile } from './source.js';

export interface ResolveOptions {
  textField: string;
  /** Expected sha256 of a dataset given as a URL. */
  sha256?: string;
}

function listLocal(root: string): SourceFile[] {
  const st = fs.statSync(root);
  const files: string[] = [];
  if (st.isFile()) files.push(root);
  else {
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.(txt|txt\.gz|jsonl)$/.test(e.name)) files.push(p);
      }
    };
    walk(root);
  }
  const base = st.isFile() ? path.dirname(root) : root;
  return files.sort().map((p) => ({
    id: path.relative(base, p).split(path.sep).join('/'),
    path: p,
    format: p.endsWith('.jsonl') ? 'jsonl' : 'txt',
    gzip: p.endsWith('.gz'),
    bytes: fs.statSync(p).size,
  }));
}

export function resolveDataset(spec: string, opts: ResolveOptions): DatasetSource {
  const root = path.resolve(spec);
  if (!fs.existsSync(root)) throw new UsageError(`unknown dataset "${spec}": not a registered name and no such path`);
  return {
    name: spec,
    hints: {},
    textField: opts.textField,
    async files() {
      const f = listLocal(root);
      if (f.length === 0) throw new InputError(spec, 'no .txt, .txt.gz or .jsonl files', 'Point --dataset at a corpus');
      return f;
    },
    async fingerprint() {
      const h = crypto.createHash('sha256');
      for (const f of listLocal(root)) h.update(f.id + '\0' + fs.readFileSync(f.path).toString('base64'));
      return h.digest('hex').slice(0, 32);
    },
  };
}
