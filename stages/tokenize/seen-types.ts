// What the main thread knows of each worker's type table (encode.ts): table id
// -> provisional id in the current generation of the global table (types.ts).
// A group's local type whose table id is known is merged by an array read
// instead of a hash probe and a byte compare; the types a worker sees again
// and again in group after group are looked up once per worker. A spill
// starts a new generation (type-spill.ts), whose provisional ids start over:
// then every map is dropped and fills again as groups come.

export class SeenTypes {
  /** Per worker table: provisional id + 1 by table id; 0 = not merged in this generation yet. */
  private readonly byTable = new Map<string, Int32Array>();

  /** The map of table `key`, long enough for every id of `tableIds`. */
  mapOf(key: string, tableIds: Int32Array): Int32Array {
    let max = -1;
    for (let i = 0; i < tableIds.length; i++) if (tableIds[i]! > max) max = tableIds[i]!;
    let m = this.byTable.get(key);
    if (!m || m.length <= max) {
      let n = m ? m.length : 1024;
      while (n <= max) n *= 2;
      const g = new Int32Array(n);
      if (m) g.set(m);
      this.byTable.set(key, (m = g));
    }
    return m;
  }

  /** Tables a worker dropped: none of their ids comes again. */
  forget(keys: readonly string[]): void {
    for (const k of keys) this.byTable.delete(k);
  }

  /** A new generation: nothing is merged in it yet. */
  clear(): void {
    this.byTable.clear();
  }

  /** Bytes the maps take (they are not part of --memory's type share: a few bytes per type next to the table's 50). */
  approxBytes(): number {
    let n = 0;
    for (const m of this.byTable.values()) n += m.byteLength;
    return n;
  }
}
