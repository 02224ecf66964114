// Skip-gram with negative sampling (Mikolov et al. 2013, "Distributed
// Representations of Words and Phrases") over a whole sentence in one
// WebAssembly SIMD call. Calling the per-row kernels of simd.ts from JS costs
// about 13 boundary crossings per context word (a dot and an update per target,
// then the add) plus the JS around them; a profile of the 3M-token bench put
// half of a training thread's time there. Here the window draw, the noise draws
// (word2vec.c's LCG as one i64), the sigmoid table and the row updates all stay
// inside the module; JS only subsamples the sentence and hands it over.
//
//   sgNeg(sen, posStart, posEnd, len, window, negative, alpha, syn0, syn1neg, err, bytes,
//         table, tableLen, vm1, expT, rngPtr)
//
// trains centre positions [posStart, posEnd) of the sentence sen[0..len) (int32
// training indices), exactly as train.ts's JS loop does for one sentence:
//   b = next % window; for each context c0 in the window shrunk by b:
//     err = 0; for d in 0..negative: target = d ? noise() : word (a noise draw equal
//     to word is skipped); f = dot(syn0[c0], syn1neg[target]); g = (label - sigma(f)) * alpha;
//     err += g * syn1neg[target]; syn1neg[target] += g * syn0[c0];
//   then syn0[c0] += err.
// noise() = table[(hi32(next) * tableLen) >> 32], a 0 (</s>) replaced by next % vm1 + 1.
// The LCG state is read from and written back to rngPtr (8 bytes). The dot keeps
// four accumulators (a chain of dependent adds is what limits a 100-float dot).
// Addresses are byte offsets into the shared memory, rows 16-byte aligned, `bytes`
// a multiple of 16.

import {
  F32_ADD, F32_DEMOTE_F64, F32X4_ADD, F32X4_MUL, F32X4_SPLAT, F64, F64_ADD, F64_GT, F64_LT, F64_MUL, F64_PROMOTE_F32, F64_SUB, I32, I32_ADD, I32_EQ, I32_EQZ,
  I32_GE_S, I32_GE_U, I32_GT_S, I32_LT_S, I32_LT_U, I32_MUL, I32_SHL, I32_SUB, I32_TRUNC_SAT_F64_S, I32_WRAP_I64, I64, I64_ADD, I64_EXTEND_I32_U, I64_MUL,
  I64_REM_U, I64_SHR_U, V128, block, br, brIf, compileModule, f32Load, f32x4ExtractLane, f64Const, funcBody, i32ConstS, i32Load, i64Const, i64Load, i64Store,
  ifElse, ifThen, instantiate, localGet as get, localSet as set, localTee as tee, loop, moduleBytes, v128F32, v128LoadAt, v128StoreAt, type WasmMemory, type WasmModule,
} from '../../lib/wasm/asm.js';
import { EXP_SCALE, MAX_EXP } from './kernels.js';

// parameters
const SEN = 0, POS_START = 1, POS_END = 2, LEN = 3, WINDOW = 4, NEGATIVE = 5, ALPHA = 6, SYN0 = 7, SYN1NEG = 8, ERR = 9, BYTES = 10;
const TABLE = 11, TABLE_LEN = 12, VM1 = 13, EXPT = 14, RNG_PTR = 15;
// locals
const POS = 16, WORD = 17, A = 18, A_END = 19, C0 = 20, L1 = 21, D = 22, TARGET = 23, OUT = 24, I = 25;
const LABEL = 26, F = 27, G = 28;
const RNG = 29;
const ACC = [30, 31, 32, 33], GV = 34, S = 35;

const add1 = (l: number) => [...get(l), ...i32ConstS(1), ...I32_ADD, ...set(l)];
const addr = (base: number) => [...get(base), ...get(I), ...I32_ADD];
/** sen[index local] as an i32 */
const senAt = (l: number) => [...get(SEN), ...get(l), ...i32ConstS(2), ...I32_SHL, ...I32_ADD, ...i32Load()];
/** next = next * 25214903917 + 11 (word2vec.c's next_random) */
const rngNext = [...get(RNG), ...i64Const(25214903917n), ...I64_MUL, ...i64Const(11n), ...I64_ADD, ...set(RNG)];
/** next % (u32 local), as an i32 */
const rngMod = (l: number) => [...get(RNG), ...get(l), ...I64_EXTEND_I32_U, ...I64_REM_U, ...I32_WRAP_I64];

/** for (i = 0; i < bytes; i += 16 * 4) body(0..48), then the rest 16 at a time: body(offset) works on i + offset. */
function rows(body: (offset: number) => number[]): number[] {
  return [
    ...i32ConstS(0), ...set(I),
    ...block(loop([
      ...get(BYTES), ...get(I), ...i32ConstS(64), ...I32_ADD, ...I32_LT_U, ...brIf(1),
      ...body(0), ...body(16), ...body(32), ...body(48),
      ...get(I), ...i32ConstS(64), ...I32_ADD, ...set(I), ...br(0),
    ])),
    ...block(loop([
      ...get(I), ...get(BYTES), ...I32_GE_U, ...brIf(1),
      ...body(0),
      ...get(I), ...i32ConstS(16), ...I32_ADD, ...set(I), ...br(0),
    ])),
  ];
}

/** dot(syn0[l1], syn1neg[out]) left on the stack as f32: four accumulators, summed (a0 + a1) + (a2 + a3), then lanes 0..3 in order. */
const dot = [
  ...ACC.flatMap((a) => [...v128F32(0), ...set(a)]),
  ...rows((o) => {
    const a = ACC[(o / 16) % 4]!;
    return [...get(a), ...addr(L1), ...v128LoadAt(o), ...addr(OUT), ...v128LoadAt(o), ...F32X4_MUL, ...F32X4_ADD, ...set(a)];
  }),
  ...get(ACC[0]!), ...get(ACC[1]!), ...F32X4_ADD, ...get(ACC[2]!), ...get(ACC[3]!), ...F32X4_ADD, ...F32X4_ADD, ...set(ACC[0]!),
  ...get(ACC[0]!), ...f32x4ExtractLane(0), ...get(ACC[0]!), ...f32x4ExtractLane(1), ...F32_ADD,
  ...get(ACC[0]!), ...f32x4ExtractLane(2), ...F32_ADD, ...get(ACC[0]!), ...f32x4ExtractLane(3), ...F32_ADD,
];

/** err += g * out; out += g * in (the output row read before its update) */
const update = rows((o) => [
  ...addr(OUT), ...v128LoadAt(o), ...set(S),
  ...addr(ERR), ...addr(ERR), ...v128LoadAt(o), ...get(GV), ...get(S), ...F32X4_MUL, ...F32X4_ADD, ...v128StoreAt(o),
  ...addr(OUT), ...get(S), ...get(GV), ...addr(L1), ...v128LoadAt(o), ...F32X4_MUL, ...F32X4_ADD, ...v128StoreAt(o),
]);

const zeroErr = rows((o) => [...addr(ERR), ...v128F32(0), ...v128StoreAt(o)]);
const addErr = rows((o) => [...addr(L1), ...addr(L1), ...v128LoadAt(o), ...addr(ERR), ...v128LoadAt(o), ...F32X4_ADD, ...v128StoreAt(o)]);

/** g = (label - sigma(f)) * alpha, sigma from the table, clipped to 0/1 beyond +-MAX_EXP (kernels.ts nsStep) */
const gradient = [
  ...get(F), ...f64Const(MAX_EXP), ...F64_GT,
  ...ifElse(
    [...get(LABEL), ...f64Const(1), ...F64_SUB, ...get(ALPHA), ...F64_MUL, ...set(G)],
    [
      ...get(F), ...f64Const(-MAX_EXP), ...F64_LT,
      ...ifElse(
        [...get(LABEL), ...get(ALPHA), ...F64_MUL, ...set(G)],
        [
          ...get(LABEL),
          ...get(EXPT), ...get(F), ...f64Const(MAX_EXP), ...F64_ADD, ...f64Const(EXP_SCALE), ...F64_MUL, ...I32_TRUNC_SAT_F64_S, ...i32ConstS(2), ...I32_SHL, ...I32_ADD, ...f32Load(),
          ...F64_PROMOTE_F32, ...F64_SUB, ...get(ALPHA), ...F64_MUL, ...set(G),
        ],
      ),
    ],
  ),
];

/** One target of the context row: the true word (d = 0) or a noise draw. */
const target = block([
  ...get(D), ...I32_EQZ,
  ...ifElse(
    [...get(WORD), ...set(TARGET), ...f64Const(1), ...set(LABEL)],
    [
      ...rngNext,
      ...get(TABLE),
      ...get(RNG), ...i64Const(32n), ...I64_SHR_U, ...get(TABLE_LEN), ...I64_EXTEND_I32_U, ...I64_MUL, ...i64Const(32n), ...I64_SHR_U, ...I32_WRAP_I64,
      ...i32ConstS(2), ...I32_SHL, ...I32_ADD, ...i32Load(), ...tee(TARGET),
      ...I32_EQZ, ...ifThen([...rngMod(VM1), ...i32ConstS(1), ...I32_ADD, ...set(TARGET)]),
      ...get(TARGET), ...get(WORD), ...I32_EQ, ...brIf(1), // a draw of the centre word trains nothing (depth 1: out of the if, out of this target)
      ...f64Const(0), ...set(LABEL),
    ],
  ),
  ...get(SYN1NEG), ...get(TARGET), ...get(BYTES), ...I32_MUL, ...I32_ADD, ...set(OUT),
  ...dot, ...F64_PROMOTE_F32, ...set(F),
  ...gradient,
  ...get(G), ...F32_DEMOTE_F64, ...F32X4_SPLAT, ...set(GV),
  ...update,
]);

/** One context position a of the centre word (skipped: the centre itself and positions outside the sentence). */
const context = block([
  ...get(A), ...get(WINDOW), ...I32_EQ, ...brIf(0),
  ...get(POS), ...get(WINDOW), ...I32_SUB, ...get(A), ...I32_ADD, ...tee(C0), ...i32ConstS(0), ...I32_LT_S, ...brIf(0),
  ...get(C0), ...get(LEN), ...I32_GE_S, ...brIf(0),
  ...get(SYN0), ...senAt(C0), ...get(BYTES), ...I32_MUL, ...I32_ADD, ...set(L1),
  ...zeroErr,
  ...i32ConstS(0), ...set(D),
  ...block(loop([...get(D), ...get(NEGATIVE), ...I32_GT_S, ...brIf(1), ...target, ...add1(D), ...br(0)])),
  ...addErr,
]);

const body = [
  ...get(RNG_PTR), ...i64Load(), ...set(RNG),
  ...get(POS_START), ...set(POS),
  ...block(loop([
    ...get(POS), ...get(POS_END), ...I32_GE_S, ...brIf(1),
    ...senAt(POS), ...set(WORD),
    ...rngNext,
    ...rngMod(WINDOW), ...set(A), // b; the window runs a = b .. 2 * window - b
    ...get(WINDOW), ...i32ConstS(1), ...I32_SHL, ...i32ConstS(1), ...I32_ADD, ...get(A), ...I32_SUB, ...set(A_END),
    ...block(loop([...get(A), ...get(A_END), ...I32_GE_S, ...brIf(1), ...context, ...add1(A), ...br(0)])),
    ...add1(POS),
    ...br(0),
  ])),
  ...get(RNG_PTR), ...get(RNG), ...i64Store(),
  0x0b,
];

export interface SkipgramKernel {
  sgNeg(
    sen: number, posStart: number, posEnd: number, len: number, window: number, negative: number, alpha: number,
    syn0: number, syn1neg: number, err: number, bytes: number, table: number, tableLen: number, vm1: number, expT: number, rngPtr: number,
  ): void;
}

let compiled: WasmModule | undefined | null;

/** The compiled module, or null where WebAssembly SIMD is unavailable. */
export function skipgramModule(): WasmModule | null {
  if (compiled === undefined) {
    const params = [I32, I32, I32, I32, I32, I32, F64, I32, I32, I32, I32, I32, I32, I32, I32, I32];
    compiled = compileModule(moduleBytes([{ name: 'sgNeg', params, results: [], body: funcBody([[10, I32], [3, F64], [1, I64], [6, V128]], body) }]));
  }
  return compiled;
}

export function skipgramKernel(memory: WasmMemory): SkipgramKernel | null {
  const mod = skipgramModule();
  return mod ? instantiate<SkipgramKernel>(mod, memory) : null;
}
