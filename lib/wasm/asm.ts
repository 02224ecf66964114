// A tiny WebAssembly assembler: the byte encodings that the hand-written SIMD
// kernels (word2vec/simd.ts, glove/simd.ts, lib/nn/backend/wasm-softmax-xent.ts)
// are spelled with, plus the shared memory they run on. Only what those kernels use; see the WebAssembly core
// spec (binary format) and the SIMD proposal's opcode table.

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
    grow(pages: number): number;
  }
  function validate(bytes: Uint8Array): boolean;
}

/** A shared WebAssembly.Memory (typed here because the DOM lib is not loaded). */
export type WasmMemory = WebAssembly.Memory;
export type WasmModule = WebAssembly.Module;

export const WASM_PAGE = 65536;
/** wasm32 addresses reach 4 GiB: 65536 pages. */
export const MAX_PAGES = 65536;

// value types
export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const I64 = 0x7e;
export const V128 = 0x7b;

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

/** Signed LEB128 (the immediates of i32.const and i64.const). */
export function sleb(n: bigint): number[] {
  const out: number[] = [];
  for (;;) {
    const b = Number(n & 0x7fn);
    n >>= 7n;
    const done = (n === 0n && (b & 0x40) === 0) || (n === -1n && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return out;
  }
}

export const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
export const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
export const str = (s: string): number[] => [...uleb(s.length), ...Buffer.from(s, 'utf8')];

// instructions
export const localGet = (i: number) => [0x20, ...uleb(i)];
export const localSet = (i: number) => [0x21, ...uleb(i)];
export const localTee = (i: number) => [0x22, ...uleb(i)];
export const i32Const = (n: number) => [0x41, ...uleb(n)]; // constants 0..63 only (the immediate is signed LEB128)
export const f64Const = (x: number): number[] => [0x44, ...new Uint8Array(Float64Array.of(x).buffer)];
export const f32Const = (x: number): number[] => [0x43, ...new Uint8Array(Float32Array.of(x).buffer)];
export const I32_ADD = [0x6a];
export const I32_GE_U = [0x4f];
export const I32_LT_U = [0x49];
export const I32_AND = [0x71];
export const I32_XOR = [0x73];
export const I32_EQZ = [0x45];
export const I32_MUL = [0x6c];
export const I32_SHL = [0x74];
export const I32_SHR_U = [0x76];
export const I32_SUB = [0x6b];
export const F32_ADD = [0x92];
export const F32_SUB = [0x93];
export const F32_MUL = [0x94];
export const F32_DIV = [0x95];
export const F32_SQRT = [0x91];
export const F32_CONVERT_I32_U = [0xb3];
export const F32_MAX = [0x97];
export const F64_EQ = [0x61];
export const F64_ADD = [0xa0];
export const F64_SUB = [0xa1];
export const F64_MUL = [0xa2];
export const F64_DIV = [0xa3];
export const F64_MIN = [0xa4];
export const F64_MAX = [0xa5];
export const F64_SQRT = [0x9f];
/** i32.const of any 32-bit integer (signed LEB128 immediate). */
export const i32ConstS = (n: number): number[] => [0x41, ...sleb(BigInt(n | 0))];
/** i64.const of any 64-bit integer (signed LEB128 immediate). */
export const i64Const = (n: bigint): number[] => [0x42, ...sleb(BigInt.asIntN(64, n))];
export const I32_EQ = [0x46];
export const I32_NE = [0x47];
export const I32_LT_S = [0x48];
export const I32_GT_S = [0x4a];
export const I32_GE_S = [0x4e];
export const I64_ADD = [0x7c];
export const I64_MUL = [0x7e];
export const I64_REM_U = [0x82];
export const I64_SHR_U = [0x88];
export const I64_EXTEND_I32_U = [0xad];
export const I32_WRAP_I64 = [0xa7];
export const F64_GT = [0x64];
export const F64_LT = [0x63];
export const F64_PROMOTE_F32 = [0xbb];
export const F32_DEMOTE_F64 = [0xb6];
export const I32_TRUNC_F64_S = [0xaa];
/** Truncation that never traps: NaN is 0, out of range saturates (as JS `x | 0` gives 0 for NaN). */
export const I32_TRUNC_SAT_F64_S = [0xfc, 0x02];
export const i64Load = (offset = 0) => [0x29, 0x03, ...uleb(offset)]; // align 2^3
export const i64Store = (offset = 0) => [0x37, 0x03, ...uleb(offset)];
export const f64Load = (offset = 0) => [0x2b, 0x03, ...uleb(offset)]; // align 2^3
export const f64Store = (offset = 0) => [0x39, 0x03, ...uleb(offset)];
export const i32Load = (offset = 0) => [0x28, 0x02, ...uleb(offset)]; // align 2^2
export const i32Store = (offset = 0) => [0x36, 0x02, ...uleb(offset)];
export const f32Load = (offset = 0) => [0x2a, 0x02, ...uleb(offset)];
export const f32Store = (offset = 0) => [0x38, 0x02, ...uleb(offset)];
// SIMD
export const v128Load = (align = 4) => [0xfd, 0x00, align, 0x00]; // offset 0; align is log2 bytes (a hint: unaligned addresses still work)
export const v128Store = (align = 4) => [0xfd, 0x0b, align, 0x00];
/** v128.load / v128.store at a constant byte offset from the address (16-byte aligned). */
export const v128LoadAt = (offset: number) => [0xfd, 0x00, 4, ...uleb(offset)];
export const v128StoreAt = (offset: number) => [0xfd, 0x0b, 4, ...uleb(offset)];
export const V128_LOAD = v128Load();
export const V128_STORE = v128Store();
export const F32X4_SPLAT = [0xfd, 0x13];
export const F32X4_ADD = [0xfd, 0xe4, 0x01];
export const F32X4_MUL = [0xfd, 0xe6, 0x01];
export const F32X4_SUB = [0xfd, 0xe5, 0x01];
export const F32X4_DIV = [0xfd, 0xe7, 0x01];
export const F32X4_NEG = [0xfd, 0xe1, 0x01];
export const F32X4_SQRT = [0xfd, 0xe3, 0x01];
export const F32X4_MAX = [0xfd, 0xe9, 0x01];
export const F32X4_MIN = [0xfd, 0xe8, 0x01];
export const F32X4_PMIN = [0xfd, 0xea, 0x01]; // b < a ? b : a (one minps; the NaN-propagating min is several instructions)
export const F32X4_PMAX = [0xfd, 0xeb, 0x01]; // a < b ? b : a
export const F32X4_NEAREST = [0xfd, 0x6a]; // round half to even
export const I32X4_TRUNC_SAT_F32X4_S = [0xfd, 0xf8, 0x01];
export const I32X4_ADD = [0xfd, 0xae, 0x01];
export const I32X4_SHL = [0xfd, 0xab, 0x01]; // v128, i32 shift -> v128
/** v128.const of four equal f32 lanes. */
export const v128F32 = (x: number): number[] => [0xfd, 0x0c, ...new Uint8Array(Float32Array.of(x, x, x, x).buffer)];
/** v128.const of four equal i32 lanes. */
export const v128I32 = (n: number): number[] => [0xfd, 0x0c, ...new Uint8Array(Int32Array.of(n, n, n, n).buffer)];
export const f32x4ExtractLane = (l: number) => [0xfd, 0x1f, l];
export const F64X2_SPLAT = [0xfd, 0x14];
export const f64x2ExtractLane = (l: number) => [0xfd, 0x21, l];
export const F64X2_SQRT = [0xfd, 0xef, 0x01];
export const F64X2_ADD = [0xfd, 0xf0, 0x01];
export const F64X2_SUB = [0xfd, 0xf1, 0x01];
export const F64X2_MUL = [0xfd, 0xf2, 0x01];
export const F64X2_DIV = [0xfd, 0xf3, 0x01];
export const F64X2_PMIN = [0xfd, 0xf6, 0x01]; // b < a ? b : a (one minpd; NaN in a passes through)
export const F64X2_PMAX = [0xfd, 0xf7, 0x01]; // a < b ? b : a

// control
export const block = (body: number[]) => [0x02, 0x40, ...body, 0x0b];
export const loop = (body: number[]) => [0x03, 0x40, ...body, 0x0b];
export const ifThen = (body: number[]) => [0x04, 0x40, ...body, 0x0b];
export const ifElse = (then: number[], otherwise: number[]) => [0x04, 0x40, ...then, 0x05, ...otherwise, 0x0b];
export const br = (depth: number) => [0x0c, ...uleb(depth)];
export const brIf = (depth: number) => [0x0d, ...uleb(depth)];
export const END = [0x0b];
export const SELECT = [0x1b]; // a, b, cond -> cond ? a : b

/** The address local `base` + local `off` (an i32 on the stack). */
export const addressAt = (base: number, off: number): number[] => [...localGet(base), ...localGet(off), ...I32_ADD];
/** local l += n (a constant 0..63). */
export const addToLocal = (l: number, n: number): number[] => [...localGet(l), ...i32Const(n), ...I32_ADD, ...localSet(l)];
/** local l += local by. */
export const addLocalToLocal = (l: number, by: number): number[] => [...localGet(l), ...localGet(by), ...I32_ADD, ...localSet(l)];
/** The sum of the four f32 lanes of v128 local v (an f32 on the stack). */
export const f32x4LaneSum = (v: number): number[] => [
  ...localGet(v), ...f32x4ExtractLane(0), ...localGet(v), ...f32x4ExtractLane(1), ...F32_ADD,
  ...localGet(v), ...f32x4ExtractLane(2), ...F32_ADD, ...localGet(v), ...f32x4ExtractLane(3), ...F32_ADD,
];

/** `while (local j < local end) { body; j += step }` (unsigned compare; `step` 0..63). */
export const whileBelow = (j: number, end: number, step: number, body: number[]): number[] =>
  block(loop([...localGet(j), ...localGet(end), ...I32_GE_U, ...brIf(1), ...body, ...localGet(j), ...i32Const(step), ...I32_ADD, ...localSet(j), ...br(0)]));

/** A function body: local declarations as [count, type] pairs, then the code (ending with END). */
export const funcBody = (locals: [number, number][], code: number[]): number[] => {
  const body = [...vec(locals.map(([n, t]) => [...uleb(n), t])), ...code];
  return [...uleb(body.length), ...body];
};

/**
 * A module of functions (each with its own type) that all import one shared
 * memory (env.memory, 1 to `maxPages` pages) and are exported by name. With
 * `memory: 'growable'` the import is an ordinary (unshared) memory of at least
 * one page and no maximum: another module's heap, such as the tfjs wasm backend's.
 */
export function moduleBytes(funcs: { name: string; params: number[]; results: number[]; body: number[] }[], maxPages = MAX_PAGES, memory: 'shared' | 'growable' = 'shared'): Uint8Array {
  const types = vec(funcs.map((f) => [0x60, ...vec(f.params.map((p) => [p])), ...vec(f.results.map((r) => [r]))]));
  const limits = memory === 'shared' ? [0x03, ...uleb(1), ...uleb(maxPages)] : [0x00, ...uleb(1)]; // shared: min 1 page, max; growable: min 1 page
  const imports = vec([[...str('env'), ...str('memory'), 0x02, ...limits]]);
  const funcIdx = vec(funcs.map((_, k) => uleb(k)));
  const exports = vec(funcs.map((f, k) => [...str(f.name), 0x00, ...uleb(k)]));
  const code = vec(funcs.map((f) => f.body));
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, types),
    ...section(2, imports),
    ...section(3, funcIdx),
    ...section(7, exports),
    ...section(10, code),
  ]);
}

/** The compiled module, or null where this engine lacks WebAssembly SIMD (or threads). */
export function compileModule(bytes: Uint8Array): WasmModule | null {
  try {
    return WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    return null;
  }
}

/** The module's exports, instantiated on `memory`. */
export function instantiate<T>(mod: WasmModule, memory: WasmMemory): T {
  return new WebAssembly.Instance(mod, { env: { memory } }).exports as unknown as T;
}

/** A shared memory of one page that `grow` may take up to 4 GiB (every thread sees its growth). */
export function growableSharedMemory(): WasmMemory {
  return new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
}

/** A shared memory of at least `bytes` bytes (page-rounded). */
export function sharedMemory(bytes: number): WasmMemory {
  const pages = Math.max(1, Math.ceil(bytes / WASM_PAGE));
  return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
}
