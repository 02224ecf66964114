// Task messages for remote workers (docs/ARCHITECTURE.md, "The pool"): what a
// local pool passes by structured clone, written as one file in the shared
// store. The object becomes JSON with typed arrays and ArrayBuffers moved into
// 8-byte-aligned binary sections after it, so a block's bytes or a result's
// arrays cost one copy each, and absolute paths under the shared store become
// store-relative paths that each machine resolves under its own mount.
//
// A task that holds a SharedArrayBuffer works on memory shared with the
// coordinator's threads (Hogwild weights, a shared matrix): it cannot leave the
// machine, and `encodeMessage` says so by returning LOCAL_ONLY.

import type { SharedStore } from './store.js';

export const LOCAL_ONLY = Symbol('local only');

const MAGIC = 0x3146584c; // "LXF1"
const TAG = '\u0000lexflow';

type Typed = Exclude<ArrayBufferView, DataView>;
const TYPED: Record<string, new (b: ArrayBuffer, off: number, len: number) => Typed> = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
};

class LocalOnly extends Error {}

/** Encode `value` as the chunks of one message file, or LOCAL_ONLY. */
export function encodeMessage(value: unknown, store: SharedStore): Uint8Array[] | typeof LOCAL_ONLY {
  const sections: Uint8Array[] = [];
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      if (v.startsWith('/')) {
        const rel = store.relative(v);
        if (rel !== undefined) return { [TAG]: 'path', rel };
      }
      return v;
    }
    if (typeof v === 'number') {
      if (Number.isFinite(v) && !Object.is(v, -0)) return v;
      return { [TAG]: 'num', v: Object.is(v, -0) ? '-0' : String(v) };
    }
    if (typeof v === 'bigint') return { [TAG]: 'big', v: v.toString() };
    if (v === undefined) return { [TAG]: 'undef' };
    if (v === null || typeof v === 'boolean') return v;
    if (typeof SharedArrayBuffer !== 'undefined' && v instanceof SharedArrayBuffer) throw new LocalOnly();
    if (v instanceof ArrayBuffer) {
      sections.push(new Uint8Array(v));
      return { [TAG]: 'ab', i: sections.length - 1 };
    }
    if (ArrayBuffer.isView(v)) {
      if (v.buffer instanceof SharedArrayBuffer) throw new LocalOnly();
      const name = v.constructor.name;
      if (!(name in TYPED)) throw new LocalOnly();
      sections.push(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      return { [TAG]: 'ta', t: name, i: sections.length - 1 };
    }
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) o[k] = walk(x);
      return o;
    }
    // Map, Set, Date, class instances, functions: not plain data; keep them on this machine.
    throw new LocalOnly();
  };
  let json: unknown;
  try {
    json = walk(value);
  } catch (e) {
    if (e instanceof LocalOnly) return LOCAL_ONLY;
    throw e;
  }
  const table: [number, number][] = [];
  let off = 0;
  for (const s of sections) {
    table.push([off, s.byteLength]);
    off += align8(s.byteLength);
  }
  const head = new TextEncoder().encode(JSON.stringify({ v: json, s: table }));
  const pre = new Uint8Array(align8(8 + head.byteLength));
  const dv = new DataView(pre.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint32(4, head.byteLength, true);
  pre.set(head, 8);
  const chunks: Uint8Array[] = [pre];
  for (const s of sections) {
    chunks.push(s);
    const pad = align8(s.byteLength) - s.byteLength;
    if (pad) chunks.push(new Uint8Array(pad));
  }
  return chunks;
}

/** Decode a message file's bytes; typed arrays get their own buffers. */
export function decodeMessage(bytes: Uint8Array, store: SharedStore): unknown {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 8 || dv.getUint32(0, true) !== MAGIC) throw new Error('not a lexflow task message (bad magic)');
  const headLen = dv.getUint32(4, true);
  const { v, s } = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headLen))) as { v: unknown; s: [number, number][] };
  const base = align8(8 + headLen);
  const section = (i: number): ArrayBuffer => {
    const [off, len] = s[i]!;
    if (base + off + len > bytes.byteLength) throw new Error('truncated lexflow task message');
    // A copy, so the section owns an aligned buffer of exactly its size (Buffer#slice would share the file's).
    const own = new Uint8Array(len);
    own.set(bytes.subarray(base + off, base + off + len));
    return own.buffer;
  };
  const walk = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(walk);
    if (x === null || typeof x !== 'object') return x;
    const o = x as Record<string, unknown>;
    switch (o[TAG]) {
      case 'path':
        return store.localPath(o.rel as string);
      case 'num':
        return o.v === '-0' ? -0 : Number(o.v);
      case 'big':
        return BigInt(o.v as string);
      case 'undef':
        return undefined;
      case 'ab':
        return section(o.i as number);
      case 'ta': {
        const C = TYPED[o.t as string]!;
        const buf = section(o.i as number);
        return new C(buf, 0, buf.byteLength / (C as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT);
      }
      default: {
        const out: Record<string, unknown> = {};
        for (const [k, y] of Object.entries(o)) out[k] = walk(y);
        return out;
      }
    }
  };
  return walk(v);
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
