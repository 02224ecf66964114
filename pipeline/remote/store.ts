// The storage every machine of a distributed run sees (docs/ARCHITECTURE.md,
// "The pool"): task messages and their results are files in it, never payloads
// inside Redis. The executor and the workers reach it only through SharedStore,
// so an S3-compatible store can take the folder's place: put = PutObject,
// get = GetObject, remove = DeleteObjects over a ListObjectsV2 of the prefix.
// Paths inside a task (token shards, spill runs under a run directory in the
// shared folder) are named relative to the store's root and resolved by
// `localPath`; an object store would download such inputs into a local cache
// before the task and upload what the task wrote under them after it.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface SharedStore {
  /** Where the store is, for messages. */
  readonly description: string;
  /** Write `chunks` as the object `key`, atomically (readers see all of it or nothing). */
  put(key: string, chunks: readonly Uint8Array[]): Promise<void>;
  /** The object `key`; throws when it does not exist. */
  get(key: string): Promise<Uint8Array>;
  /** Remove every object whose key starts with `prefix`. */
  remove(prefix: string): Promise<void>;
  /** The file on this machine for a path given relative to the store's root. */
  localPath(rel: string): string;
  /** The path relative to the store's root of a file on this machine, or undefined when it is outside. */
  relative(file: string): string | undefined;
}

/** A folder that every machine mounts (NFS, SMB, a bind mount), possibly at different paths. */
export class FolderStore implements SharedStore {
  readonly root: string;
  readonly description: string;
  /** The root as given and as its real path: paths under either are inside. */
  private readonly aliases: string[];

  constructor(root: string) {
    this.root = fs.realpathSync(root);
    this.description = this.root;
    this.aliases = [...new Set([path.resolve(root), this.root])];
  }

  private file(key: string): string {
    const f = path.join(this.root, key);
    if (!f.startsWith(this.root + path.sep)) throw new Error(`shared store key ${key} leaves the store`);
    return f;
  }

  async put(key: string, chunks: readonly Uint8Array[]): Promise<void> {
    const f = this.file(key);
    await fs.promises.mkdir(path.dirname(f), { recursive: true });
    const tmp = `${f}.tmp-${crypto.randomBytes(4).toString('hex')}`;
    const h = await fs.promises.open(tmp, 'w');
    try {
      for (const c of chunks) await h.write(c);
    } finally {
      await h.close();
    }
    await fs.promises.rename(tmp, f);
  }

  async get(key: string): Promise<Uint8Array> {
    return fs.promises.readFile(this.file(key));
  }

  async remove(prefix: string): Promise<void> {
    const f = this.file(prefix);
    await fs.promises.rm(f, { recursive: true, force: true });
  }

  localPath(rel: string): string {
    return rel === '' ? this.root : path.join(this.root, rel);
  }

  relative(file: string): string | undefined {
    for (const r of this.aliases) {
      if (file === r) return '';
      if (file.startsWith(r + path.sep)) return file.slice(r.length + 1);
    }
    return undefined;
  }
}
