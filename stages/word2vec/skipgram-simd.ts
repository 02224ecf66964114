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
//         table, tableLen, vm1, expT, rngPtr, targets)
//
// trains centre positions [posStart, posEnd) of the sentence sen[0..len) (int32
// training indices), exactly as train.ts's JS loop does for one sentence:
//   b = next % window; for each context c0 in the window shrunk by b:
//     err = 0; for d in 0..negative: target = d ? noise() : word (a noise draw equal
//     to word is skipped); f = dot(syn0[c0], syn1neg[target]); g = (label - sigma(f)) * alpha;
//     err += g * syn1neg[target]; syn1neg[target] += g * syn0[c0];
//   then syn0[c0] += err.
// noise() = table[(hi32(next) * tableLen) >> 32], a 0 (</s>) replaced by next % vm1 + 1.
// The LCG state is read from and written back to rngPtr (8 bytes; the 4 after
// them are written too); `targets` has room for negative + 1 int32s. The same floats in the same order as that
// loop, in fewer passes over memory: a context's noise words are drawn before
// its first dot (the table lookups then overlap the arithmetic), one pass
// updates a target and takes the next target's dot (syn0[c0] read once for
// both), and the last target's pass also adds err into syn0[c0]. The dot keeps
// four accumulators (a chain of dependent adds is what limits a 100-float dot).
// Addresses are byte offsets into the shared memory, rows 16-byte aligned, `bytes`
// a multiple of 16.

import {
  F32_ADD, F32_DEMOTE_F64, F32X4_ADD, F32X4_MUL, F32X4_SPLAT, F64, F64_ADD, F64_GT, F64_LT, F64_MUL, F64_PROMOTE_F32, F64_SUB, I32, I32_ADD, I32_EQ, I32_EQZ,
  I32_GE_S, I32_GE_U, I32_GT_S, I32_LT_S, I32_LT_U, I32_MUL, I32_SHL, I32_SUB, I32_TRUNC_SAT_F64_S, I32_WRAP_I64, I32_XOR, I64, I64_ADD, I64_EXTEND_I32_U, I64_MUL,
  I64_REM_U, I64_SHR_U, V128, block, br, brIf, compileModule, f32Load, f32x4ExtractLane, f64Const, funcBody, i32ConstS, i32Load, i32Store, i64Const, i64Load, i64Store,
  ifElse, ifThen, instantiate, localGet as get, localSet as set, localTee as tee, loop, moduleBytes, v128F32, v128LoadAt, v128StoreAt, type WasmMemory, type WasmModule,
} from '../../lib/wasm/asm.js';
import { EXP_SCALE, MAX_EXP } from './kernels.js';

// parameters
const SEN = 0, POS_START = 1, POS_END = 2, LEN = 3, WINDOW = 4, NEGATIVE = 5, ALPHA = 6, SYN0 = 7, SYN1NEG = 8, ERR = 9, BYTES = 10;
const TABLE = 11, TABLE_LEN = 12, VM1 = 13, EXPT = 14, RNG_PTR = 15, TARGETS = 16;
// locals
const POS = 17, WORD = 18, A = 19, A_END = 20, C0 = 21, L1 = 22, D = 23, TARGET = 24, OUT = 25, N = 26, NEXT = 27;
const PTR = [28, 29, 30, 31], END = 32, TOUCHED = 33;
const LABEL = 34, F = 35, G = 36;
const RNG = 37;
const ACC = [38, 39, 40, 41], GV = 42, S = 43, X = 44;

const add1 = (l: number) => [...get(l), ...i32ConstS(1), ...I32_ADD, ...set(l)];
/** int32 array[index local] */
const int32At = (array: number, l: number) => [...get(array), ...get(l), ...i32ConstS(2), ...I32_SHL, ...I32_ADD, ...i32Load()];
/** next = next * 25214903917 + 11 (word2vec.c's next_random) */
const rngNext = [...get(RNG), ...i64Const(25214903917n), ...I64_MUL, ...i64Const(11n), ...I64_ADD, ...set(RNG)];
/** next % (u32 local), as an i32 */
const rngMod = (l: number) => [...get(RNG), ...get(l), ...I64_EXTEND_I32_U, ...I64_REM_U, ...I32_WRAP_I64];

/**
 * Walk `bytes` of the rows at the given base addresses together: pointer k (a
 * copy of base k) moves 64 bytes a step, body(o) working at offsets o = 0, 16,
 * 32, 48 from each, then 16 bytes at a time (body(0)). The pointers carry the
 * address, so each load and store is one instruction with a constant offset.
 */
function rows(bases: number[], body: (ptr: number[], offset: number) => number[]): number[] {
  const ptr = PTR.slice(0, bases.length);
  const step = (n: number) => ptr.flatMap((l) => [...get(l), ...i32ConstS(n), ...I32_ADD, ...set(l)]);
  return [
    ...bases.flatMap((b, k) => [...get(b), ...set(ptr[k]!)]),
    ...get(ptr[0]!), ...get(BYTES), ...I32_ADD, ...set(END),
    ...block(loop([
      ...get(END), ...get(ptr[0]!), ...i32ConstS(64), ...I32_ADD, ...I32_LT_U, ...brIf(1),
      ...body(ptr, 0), ...body(ptr, 16), ...body(ptr, 32), ...body(ptr, 48),
      ...step(64), ...br(0),
    ])),
    ...block(loop([
      ...get(ptr[0]!), ...get(END), ...I32_GE_U, ...brIf(1),
      ...body(ptr, 0),
      ...step(16), ...br(0),
    ])),
  ];
}
const load = (ptr: number, o: number) => [...get(ptr), ...v128LoadAt(o)];

// The dot's four accumulators: chunk o of a 64-byte step goes to ACC[o / 16], the
// remainder loop's chunks to ACC[0]; summed (a0 + a1) + (a2 + a3), then lanes 0..3 in order.
const acc = (o: number): number => ACC[(o / 16) % 4]!;
const zeroAcc = ACC.flatMap((a) => [...v128F32(0), ...set(a)]);
/** acc += x * row chunk, x on the stack */
const accumulate = (o: number, row: number) => [...load(row, o), ...F32X4_MUL, ...get(acc(o)), ...F32X4_ADD, ...set(acc(o))];
const reduce = [
  ...get(ACC[0]!), ...get(ACC[1]!), ...F32X4_ADD, ...get(ACC[2]!), ...get(ACC[3]!), ...F32X4_ADD, ...F32X4_ADD, ...set(ACC[0]!),
  ...get(ACC[0]!), ...f32x4ExtractLane(0), ...get(ACC[0]!), ...f32x4ExtractLane(1), ...F32_ADD,
  ...get(ACC[0]!), ...f32x4ExtractLane(2), ...F32_ADD, ...get(ACC[0]!), ...f32x4ExtractLane(3), ...F32_ADD,
];
/** F = dot(syn0[l1], row) */
const dotInto = (row: number) => [...zeroAcc, ...rows([L1, row], ([inp, r], o) => [...load(inp!, o), ...accumulate(o, r!)]), ...reduce, ...F64_PROMOTE_F32, ...set(F)];

/**
 * err += g * out; out += g * in (the output row read before its update); the in
 * (syn0[l1]) chunk left in X. The context's first target starts err at 0 + g * out
 * (the same floats as adding to a zeroed err, without zeroing it first).
 */
const updateChunk = (first: boolean) => ([out, inp, err]: number[], o: number) => [
  ...load(out!, o), ...set(S),
  ...load(inp!, o), ...set(X),
  ...get(err!), ...(first ? v128F32(0) : load(err!, o)), ...get(GV), ...get(S), ...F32X4_MUL, ...F32X4_ADD, ...v128StoreAt(o),
  ...get(out!), ...get(S), ...get(GV), ...get(X), ...F32X4_MUL, ...F32X4_ADD, ...v128StoreAt(o),
];
const update = rows([OUT, L1, ERR], updateChunk(false));
/** The update of OUT and, in the same pass over syn0[l1], F = dot(syn0[l1], NEXT) (NEXT is another row: the update does not touch it). */
const updateThenDot = (first: boolean) => [
  ...zeroAcc,
  ...rows([OUT, L1, ERR, NEXT], (ptr, o) => [...updateChunk(first)(ptr, o), ...get(X), ...accumulate(o, ptr[3]!)]),
  ...reduce, ...F64_PROMOTE_F32, ...set(F),
];
/** The last target's update, and syn0[l1] += err with the err it completes (word2vec.c adds err after the last target). */
const updateLast = (first: boolean) => rows([OUT, L1, ERR], ([out, inp, err], o) => [
  ...load(out!, o), ...set(S),
  ...load(inp!, o), ...set(X),
  ...get(out!), ...get(S), ...get(GV), ...get(X), ...F32X4_MUL, ...F32X4_ADD, ...v128StoreAt(o),
  ...get(inp!), ...get(X), ...(first ? v128F32(0) : load(err!, o)), ...get(GV), ...get(S), ...F32X4_MUL, ...F32X4_ADD, ...F32X4_ADD, ...v128StoreAt(o),
]);

/** g = (label - sigma(f)) * alpha, sigma from the table, clipped to 0/1 beyond +-MAX_EXP (kernels.ts nsStep); GV = g in four lanes */
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
  ...get(G), ...F32_DEMOTE_F64, ...F32X4_SPLAT, ...set(GV),
];

/**
 * targets[0] = word, then the noise draws that are not the word: N of them in all.
 * All drawn before any training, in the order the C loop draws them (nothing else
 * advances the LCG in between), so the table lookups do not wait on the updates.
 */
const rowOf = (target: number[]) => [...get(SYN1NEG), ...target, ...get(BYTES), ...I32_MUL, ...I32_ADD];
const drawTargets = [
  ...get(TARGETS), ...get(WORD), ...i32Store(),
  ...i32ConstS(1), ...set(N),
  ...i32ConstS(1), ...set(D),
  ...block(loop([
    ...get(D), ...get(NEGATIVE), ...I32_GT_S, ...brIf(1),
    ...rngNext,
    ...get(TABLE),
    ...get(RNG), ...i64Const(32n), ...I64_SHR_U, ...get(TABLE_LEN), ...I64_EXTEND_I32_U, ...I64_MUL, ...i64Const(32n), ...I64_SHR_U, ...I32_WRAP_I64,
    ...i32ConstS(2), ...I32_SHL, ...I32_ADD, ...i32Load(), ...tee(TARGET),
    ...I32_EQZ, ...ifThen([...rngMod(VM1), ...i32ConstS(1), ...I32_ADD, ...set(TARGET)]),
    // a draw of the centre word trains nothing
    ...block([
      ...get(TARGET), ...get(WORD), ...I32_EQ, ...brIf(0),
      ...get(TARGETS), ...get(N), ...i32ConstS(2), ...I32_SHL, ...I32_ADD, ...get(TARGET), ...i32Store(),
      ...add1(N),
      // Touch the noise word's row now: its cache misses overlap the centre word's dot.
      ...get(TOUCHED), ...rowOf(get(TARGET)), ...i32Load(), ...I32_XOR, ...set(TOUCHED),
    ]),
    ...add1(D), ...br(0),
  ])),
];


/**
 * One context position a of the centre word (skipped: the centre itself and positions outside the sentence):
 * its targets in order, each update fused with the next target's dot, the last with syn0[l1] += err.
 */
const context = block([
  ...get(A), ...get(WINDOW), ...I32_EQ, ...brIf(0),
  ...get(POS), ...get(WINDOW), ...I32_SUB, ...get(A), ...I32_ADD, ...tee(C0), ...i32ConstS(0), ...I32_LT_S, ...brIf(0),
  ...get(C0), ...get(LEN), ...I32_GE_S, ...brIf(0),
  ...get(SYN0), ...int32At(SEN, C0), ...get(BYTES), ...I32_MUL, ...I32_ADD, ...set(L1),
  ...drawTargets,
  // the centre word (label 1)
  ...rowOf(get(WORD)), ...set(OUT),
  ...dotInto(OUT),
  ...f64Const(1), ...set(LABEL),
  ...gradient,
  ...get(N), ...i32ConstS(1), ...I32_EQ,
  ...ifElse(updateLast(true), [
    // the noise words (label 0); the first is never the centre word, so never OUT's row
    ...i32ConstS(1), ...set(D),
    ...rowOf(int32At(TARGETS, D)), ...set(NEXT),
    ...updateThenDot(true),
    ...get(NEXT), ...set(OUT),
    ...f64Const(0), ...set(LABEL),
    ...block(loop([
      ...gradient,
      ...add1(D),
      ...get(D), ...get(N), ...I32_GE_S,
      ...ifThen([...updateLast(false), ...br(2)]), // depth 2: out of the if, the loop and the block
      ...rowOf(int32At(TARGETS, D)), ...set(NEXT),
      // a noise word drawn twice in a row: its dot must see the update
      ...get(NEXT), ...get(OUT), ...I32_EQ,
      ...ifElse([...update, ...dotInto(NEXT)], updateThenDot(false)),
      ...get(NEXT), ...set(OUT),
      ...br(0),
    ])),
  ]),
]);

const body = [
  ...get(RNG_PTR), ...i64Load(), ...set(RNG),
  ...get(POS_START), ...set(POS),
  ...block(loop([
    ...get(POS), ...get(POS_END), ...I32_GE_S, ...brIf(1),
    ...int32At(SEN, POS), ...set(WORD),
    ...rngNext,
    ...rngMod(WINDOW), ...set(A), // b; the window runs a = b .. 2 * window - b
    ...get(WINDOW), ...i32ConstS(1), ...I32_SHL, ...i32ConstS(1), ...I32_ADD, ...get(A), ...I32_SUB, ...set(A_END),
    ...block(loop([...get(A), ...get(A_END), ...I32_GE_S, ...brIf(1), ...context, ...add1(A), ...br(0)])),
    ...add1(POS),
    ...br(0),
  ])),
  ...get(RNG_PTR), ...get(RNG), ...i64Store(),
  ...get(RNG_PTR), ...get(TOUCHED), ...i32Store(8), // kept, so the touching loads are not dropped
  0x0b,
];

export interface SkipgramKernel {
  sgNeg(
    sen: number, posStart: number, posEnd: number, len: number, window: number, negative: number, alpha: number,
    syn0: number, syn1neg: number, err: number, bytes: number, table: number, tableLen: number, vm1: number, expT: number, rngPtr: number, targets: number,
  ): void;
}

let compiled: WasmModule | undefined | null;

/** The compiled module, or null where WebAssembly SIMD is unavailable. */
export function skipgramModule(): WasmModule | null {
  if (compiled === undefined) {
    const params = [I32, I32, I32, I32, I32, I32, F64, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32];
    compiled = compileModule(moduleBytes([{ name: 'sgNeg', params, results: [], body: funcBody([[17, I32], [3, F64], [1, I64], [7, V128]], body) }]));
  }
  return compiled;
}

export function skipgramKernel(memory: WasmMemory): SkipgramKernel | null {
  const mod = skipgramModule();
  return mod ? instantiate<SkipgramKernel>(mod, memory) : null;
}
