// Encoded blocks between the two passes (count, then write). Blocks stay in
// memory up to a byte budget (`--memory`); past it they are spilled to one
// file each in a temp folder next to the stage's output folder and read back
// in order during the second pass.

import fs from 'node:fs';
import path from 'node:path';

/** One block after merging: local ids and their map to provisional ids, sentences with global document ids and splits. */
export interface StoredBlock {
  ids: Int32Array;
  /** Local id -> provisional id. */
  remap: Int32Array;
  /** length sentences+1 */
  sentEnds: Int32Array;
  sentDoc: Uint32Array;
  sentSplit: Uint8Array;
}

function arrays(b: StoredBlock): ArrayBufferView[] {
  return [b.ids, b.remap, b.sentEnds, b.sentDoc, b.sentSplit];
}

function bytesOf(b: StoredBlock): number {
  return arrays(b).reduce((s, a) => s + a.byteLength, 0);
}

export class BlockStore {
  private readonly blocks: (StoredBlock | string)[] = [];
  private inMemory = 0;
  spilledBlocks = 0;

  constructor(
    private readonly spillDir: string,
    private readonly budgetBytes: number,
  ) {}

  get length(): number {
    return this.blocks.length;
  }

  put(b: StoredBlock): void {
    const size = bytesOf(b);
    if (this.inMemory + size <= this.budgetBytes) {
      this.inMemory += size;
      this.blocks.push(b);
      return;
    }
    fs.mkdirSync(this.spillDir, { recursive: true });
    const file = path.join(this.spillDir, `block-${this.blocks.length}.bin`);
    const fd = fs.openSync(file, 'w');
    try {
      const header = Int32Array.of(b.ids.length, b.remap.length, b.sentDoc.length);
      for (const a of [header, ...arrays(b)]) fs.writeSync(fd, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    } finally {
      fs.closeSync(fd);
    }
    this.spilledBlocks++;
    this.blocks.push(file);
  }

  /** Block i; a spilled block is read back (and its file removed). */
  get(i: number): StoredBlock {
    const b = this.blocks[i]!;
    if (typeof b !== 'string') return b;
    const bytes = fs.statSync(b).size;
    const buf = new ArrayBuffer(bytes);
    const fd = fs.openSync(b, 'r');
    try {
      fs.readSync(fd, new Uint8Array(buf), 0, bytes, 0);
    } finally {
      fs.closeSync(fd);
    }
    fs.rmSync(b, { force: true });
    const [nIds, nTypes, nSent] = new Int32Array(buf, 0, 3);
    let off = 12;
    const take = <T>(make: new (buf: ArrayBuffer, off: number, n: number) => T, n: number, width: number): T => {
      const a = new make(buf, off, n);
      off += n * width;
      return a;
    };
    return {
      ids: take(Int32Array, nIds!, 4),
      remap: take(Int32Array, nTypes!, 4),
      sentEnds: take(Int32Array, nSent! + 1, 4),
      sentDoc: take(Uint32Array, nSent!, 4),
      sentSplit: take(Uint8Array, nSent!, 1),
    };
  }

  /** Forget block i (after the second pass used it), so its memory can be freed. */
  release(i: number): void {
    const b = this.blocks[i];
    if (b && typeof b !== 'string') this.inMemory -= bytesOf(b);
    this.blocks[i] = '';
  }

  removeSpill(): void {
    fs.rmSync(this.spillDir, { recursive: true, force: true });
  }
}
