// WebAssembly SIMD versions of the two word2vec kernels (kernels.ts), for rows
// that live in a shared WebAssembly.Memory. The C tool gets its speed from the
// compiler vectorizing exactly these loops; V8 does not vectorize JS, so we
// write the 4-lane loops ourselves. The module is small enough to assemble
// here, byte by byte, with its instructions spelled out below:
//   dot(a, b, bytes) -> f32        sum of a[i] * b[i] over `bytes` / 4 floats
//   update(inp, out, err, bytes, g) err += g * out; out += g * inp (out read before its update)
//   addTo(dst, src, bytes)          dst += src
// Addresses are byte offsets; rows must be 16-byte aligned and `bytes` a multiple of 16.

import {
  F32, F32_ADD, F32X4_ADD, F32X4_MUL, F32X4_SPLAT, I32, I32_ADD, I32_GE_U, V128, V128_LOAD, V128_STORE,
  compileModule, f32x4ExtractLane as extractLane, funcBody, i32Const, instantiate, localGet, localSet, moduleBytes,
  type WasmMemory, type WasmModule,
} from '../../lib/wasm/asm.js';

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
  return funcBody([[1, I32], [1, V128]], body);
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
  return funcBody([[1, I32], [2, V128]], body);
}

function addToBody(): number[] {
  // params dst=0 src=1 n=2; local i=3
  const body = [...loop16(3, 2, [...at(0, 3), ...at(0, 3), ...V128_LOAD, ...at(1, 3), ...V128_LOAD, ...F32X4_ADD, ...V128_STORE]), 0x0b];
  return funcBody([[1, I32]], body);
}

export interface SimdKernels {
  dot(a: number, b: number, bytes: number): number;
  update(inp: number, out: number, err: number, bytes: number, g: number): void;
  addTo(dst: number, src: number, bytes: number): void;
}

let compiled: WasmModule | undefined | null;

/** The compiled module, or null where WebAssembly SIMD is unavailable. */
export function simdModule(): WasmModule | null {
  if (compiled === undefined)
    compiled = compileModule(
      moduleBytes([
        { name: 'dot', params: [I32, I32, I32], results: [F32], body: dotBody() },
        { name: 'update', params: [I32, I32, I32, I32, F32], results: [], body: updateBody() },
        { name: 'addTo', params: [I32, I32, I32], results: [], body: addToBody() },
      ]),
    );
  return compiled;
}

export function simdKernels(memory: WasmMemory): SimdKernels | null {
  const mod = simdModule();
  return mod ? instantiate<SimdKernels>(mod, memory) : null;
}
