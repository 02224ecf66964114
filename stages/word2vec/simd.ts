// WebAssembly SIMD versions of the two word2vec kernels (kernels.ts), for rows
// that live in a shared WebAssembly.Memory. The C tool gets its speed from the
// compiler vectorizing exactly these loops; V8 does not vectorize JS, so we
// write the 4-lane loops ourselves. The module is small enough to assemble
// here, byte by byte, with its instructions spelled out below:
//   dot(a, b, bytes) -> f32        sum of a[i] * b[i] over `bytes` / 4 floats
//   update(inp, out, err, bytes, g) err += g * out; out += g * inp (out read before its update)
//   addTo(dst, src, bytes)          dst += src
// Addresses are byte offsets; rows must be 16-byte aligned and `bytes` a multiple of 16.

// tsconfig's lib has no DOM, where TypeScript keeps the WebAssembly types: declare the few used here.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports: object);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    constructor(descriptor: { initial: number; maximum?: number; shared?: boolean });
    readonly buffer: SharedArrayBuffer;
  }
  function validate(bytes: Uint8Array): boolean;
}

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const str = (s: string): number[] => [...uleb(s.length), ...Buffer.from(s, 'utf8')];

// instructions
const localGet = (i: number) => [0x20, ...uleb(i)];
const localSet = (i: number) => [0x21, ...uleb(i)];
const i32Const = (n: number) => [0x41, ...uleb(n)]; // small non-negative constants only
const I32_ADD = [0x6a];
const I32_GE_U = [0x4f];
const F32_ADD = [0x92];
const V128_LOAD = [0xfd, 0x00, 0x04, 0x00]; // align 2^4, offset 0
const V128_STORE = [0xfd, 0x0b, 0x04, 0x00];
const F32X4_SPLAT = [0xfd, 0x13];
const F32X4_ADD = [0xfd, 0xe4, 0x01];
const F32X4_MUL = [0xfd, 0xe6, 0x01];
const extractLane = (l: number) => [0xfd, 0x1f, l];

/** for (i = 0; i < bytes; i += 16) { body(i) } with i in local `i`, bytes in local `n`. */
function loop16(i: number, n: number, body: number[]): number[] {
  return [
    ...i32Const(0), ...localSet(i),
    0x02, 0x40, // block
    0x03, 0x40, // loop
    ...localGet(i), ...localGet(n), ...I32_GE_U, 0x0d, 0x01, // br_if 1 (exit)
    ...body,
    ...localGet(i), ...i32Const(16), ...I32_ADD, ...localSet(i),
    0x0c, 0x00, // br 0
    0x0b, 0x0b, // end loop, end block
  ];
}

const at = (base: number, i: number) => [...localGet(base), ...localGet(i), ...I32_ADD];

function dotBody(): number[] {
  // params a=0 b=1 n=2; locals i=3 (i32), acc=4 (v128)
  const body = [
    ...loop16(3, 2, [...localGet(4), ...at(0, 3), ...V128_LOAD, ...at(1, 3), ...V128_LOAD, ...F32X4_MUL, ...F32X4_ADD, ...localSet(4)]),
    ...localGet(4), ...extractLane(0), ...localGet(4), ...extractLane(1), ...F32_ADD,
    ...localGet(4), ...extractLane(2), ...F32_ADD, ...localGet(4), ...extractLane(3), ...F32_ADD,
    0x0b,
  ];
  return [...vec([[1, I32], [1, V128]]), ...body];
}

function updateBody(): number[] {
  // params inp=0 out=1 err=2 n=3 g=4 (f32); locals i=5 (i32), gv=6, s=7 (v128)
  const body = [
    ...localGet(4), ...F32X4_SPLAT, ...localSet(6),
    ...loop16(5, 3, [
      ...at(1, 5), ...V128_LOAD, ...localSet(7),
      // err[i] += g * s
      ...at(2, 5), ...at(2, 5), ...V128_LOAD, ...localGet(6), ...localGet(7), ...F32X4_MUL, ...F32X4_ADD, ...V128_STORE,
      // out[i] = s + g * inp[i]
      ...at(1, 5), ...localGet(7), ...localGet(6), ...at(0, 5), ...V128_LOAD, ...F32X4_MUL, ...F32X4_ADD, ...V128_STORE,
    ]),
    0x0b,
  ];
  return [...vec([[1, I32], [2, V128]]), ...body];
}

function addToBody(): number[] {
  // params dst=0 src=1 n=2; local i=3
  const body = [...loop16(3, 2, [...at(0, 3), ...at(0, 3), ...V128_LOAD, ...at(1, 3), ...V128_LOAD, ...F32X4_ADD, ...V128_STORE]), 0x0b];
  return [...vec([[1, I32]]), ...body];
}

function moduleBytes(maxPages: number): Uint8Array {
  const types = vec([
    [0x60, ...vec([[I32], [I32], [I32]]), ...vec([[F32]])], // dot
    [0x60, ...vec([[I32], [I32], [I32], [I32], [F32]]), 0x00], // update
    [0x60, ...vec([[I32], [I32], [I32]]), 0x00], // addTo
  ]);
  const imports = vec([[...str('env'), ...str('memory'), 0x02, 0x03, ...uleb(1), ...uleb(maxPages)]]); // shared memory, min 1 page
  const funcs = vec([[0], [1], [2]]);
  const exports = vec([
    [...str('dot'), 0x00, 0],
    [...str('update'), 0x00, 1],
    [...str('addTo'), 0x00, 2],
  ]);
  const code = vec([dotBody(), updateBody(), addToBody()].map((b) => [...uleb(b.length), ...b]));
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, types),
    ...section(2, imports),
    ...section(3, funcs),
    ...section(7, exports),
    ...section(10, code),
  ]);
}

/** A shared WebAssembly.Memory (typed here because the DOM lib is not loaded). */
export type WasmMemory = WebAssembly.Memory;

export interface SimdKernels {
  dot(a: number, b: number, bytes: number): number;
  update(inp: number, out: number, err: number, bytes: number, g: number): void;
  addTo(dst: number, src: number, bytes: number): void;
}

export const WASM_PAGE = 65536;
/** The module declares memories up to 4 GiB (65536 pages); the actual memory is sized by the caller. */
const MAX_PAGES = 65536;
let compiled: WebAssembly.Module | undefined | null;

/** The compiled module, or null where WebAssembly SIMD is unavailable. */
export function simdModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    const bytes = moduleBytes(MAX_PAGES);
    compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    compiled = null;
  }
  return compiled;
}

export function simdKernels(memory: WasmMemory): SimdKernels | null {
  const mod = simdModule();
  if (!mod) return null;
  const inst = new WebAssembly.Instance(mod, { env: { memory } });
  return inst.exports as unknown as SimdKernels;
}

/** A shared memory of at least `bytes` bytes (page-rounded), for rows the SIMD kernels use. */
export function sharedMemory(bytes: number): WebAssembly.Memory {
  const pages = Math.max(1, Math.ceil(bytes / WASM_PAGE));
  return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
}
