// The GloVe update (glove.c glove_thread's loop body, as update-js.ts spells it
// in JS) as one WebAssembly SIMD function over a block of entries, so that JS
// crosses into wasm once per block. V8 does not vectorize JS and spends most of
// an entry on the dot product and the two sqrt-divisions per component; here
// they run two doubles per instruction (f64x2), with a scalar step for the
// last component when dim is odd. W and gradsq live in one shared
// WebAssembly.Memory, so all workers update the same rows (Hogwild).
//
//   train(entries, n, gsDelta, dim, up, eta, clip) -> f64 cost of the block
//
// `entries` holds n records of ENTRY_BYTES (writeEntries fills them): i32 byte
// offset of w_i's row, i32 byte offset of w~_j's row, f64 log X_ij, f64 f(X_ij)
// (wasm has no log or pow, and JS's are the ones the reference uses). A row's
// AdaGrad sums sit gsDelta bytes after it. `up` is 2 * dim doubles of scratch
// for the pending updates, applied only if their sums are finite, as in glove.c.
// Doubles throughout, as GloVe's `real`, so the update stays glove.c's step for
// step. Storing W and gradsq as float32 gave the same cost per epoch to 6
// digits (WikiText-2, dim 100, 4 epochs, one thread), so an f32x4 kernel could
// halve the sqrt/div work; f64x2 already runs faster than glove.c, so it is
// not taken.

import {
  F64, F64_ADD, F64_EQ, F64_MAX, F64_MIN, F64_MUL, F64_SQRT, F64_DIV, F64_SUB, F64X2_ADD, F64X2_DIV, F64X2_MUL, F64X2_PMAX, F64X2_PMIN,
  F64X2_SPLAT, F64X2_SQRT, F64X2_SUB, I32, I32_ADD, I32_AND, I32_EQZ, I32_GE_U, I32_MUL, I32_SHL, I32_SHR_U, V128,
  block, br, brIf, compileModule, END, f64Const, f64Load, f64Store, f64x2ExtractLane, funcBody, i32Const, i32Load, ifThen, instantiate, localGet as get,
  localSet as set, localTee as tee, loop, moduleBytes, v128Load, v128Store, type WasmMemory, type WasmModule,
} from '../../lib/wasm/asm.js';
import type { GloveSettings } from './train.js';

export const ENTRY_BYTES = 24;

// params
const ENTRIES = 0, N = 1, GS = 2, DIM = 3, UP = 4, ETA = 5, CLIP = 6;
// i32 locals: record pointer, end of records, row offsets, AdaGrad row offsets, byte index, loop bounds, second scratch row
const R = 7, END_R = 8, L1 = 9, L2 = 10, G1 = 11, G2 = 12, B = 13, PAIR_BYTES = 14, DIM_BYTES = 15, UP2 = 16;
// f64 locals
const DIFF = 17, FDIFF = 18, COST = 19, S1 = 20, S2 = 21, T1 = 22, T2 = 23, U = 24, NCLIP = 25, ACC = 26;
// v128 locals (f64x2)
const VACC = 27, VF = 28, VETA = 29, VCLIP = 30, VNCLIP = 31, VT1 = 32, VT2 = 33, VS1 = 34, VS2 = 35, VU = 36;

/** The same element-wise code in two widths: f64x2 over pairs of components, f64 for the odd last one. */
interface Lanes {
  load: number[];
  store: number[];
  add: number[];
  sub: number[];
  mul: number[];
  div: number[];
  sqrt: number[];
  /** clip(x) = min(max(x, -c), c) */
  max: number[];
  min: number[];
  acc: number; f: number; eta: number; clip: number; nclip: number; t1: number; t2: number; s1: number; s2: number; u: number;
}

const PAIRS: Lanes = {
  load: v128Load(3), store: v128Store(3), // rows are 8-byte aligned (dim + 1 doubles)
  add: F64X2_ADD, sub: F64X2_SUB, mul: F64X2_MUL, div: F64X2_DIV, sqrt: F64X2_SQRT,
  max: F64X2_PMAX, min: F64X2_PMIN, // one maxpd / minpd each; f64x2.max/min add NaN and -0 fix-ups that a clip to +-c does not need
  acc: VACC, f: VF, eta: VETA, clip: VCLIP, nclip: VNCLIP, t1: VT1, t2: VT2, s1: VS1, s2: VS2, u: VU,
};

const SINGLE: Lanes = {
  load: f64Load(), store: f64Store(),
  add: F64_ADD, sub: F64_SUB, mul: F64_MUL, div: F64_DIV, sqrt: F64_SQRT, max: F64_MAX, min: F64_MIN,
  acc: ACC, f: FDIFF, eta: ETA, clip: CLIP, nclip: NCLIP, t1: T1, t2: T2, s1: S1, s2: S2, u: U,
};

const at = (base: number) => [...get(base), ...get(B), ...I32_ADD];

/** acc += w_i[b] * w~_j[b] */
const dotStep = (x: Lanes) => [...get(x.acc), ...at(L1), ...x.load, ...at(L2), ...x.load, ...x.mul, ...x.add, ...set(x.acc)];

/** One word's half of the AdaGrad step: t = clip(fdiff * other[b]) * eta; up[b] = t / sqrt(gs[b]); s += up[b]; gs[b] += t^2. */
function halfStep(x: Lanes, other: number, grad: number, up: number, t: number, s: number): number[] {
  return [
    ...get(x.f), ...at(other), ...x.load, ...x.mul, ...get(x.nclip), ...x.max, ...get(x.clip), ...x.min, ...get(x.eta), ...x.mul, ...set(t),
    ...at(up), ...get(t), ...at(grad), ...x.load, ...x.sqrt, ...x.div, ...tee(x.u), ...x.store,
    ...get(s), ...get(x.u), ...x.add, ...set(s),
    ...at(grad), ...at(grad), ...x.load, ...get(t), ...get(t), ...x.mul, ...x.add, ...x.store,
  ];
}

const gradStep = (x: Lanes) => [...halfStep(x, L2, G1, UP, x.t1, x.s1), ...halfStep(x, L1, G2, UP2, x.t2, x.s2)];

/** w[b] -= up[b] for both words */
const applyStep = (x: Lanes) => [
  ...at(L1), ...at(L1), ...x.load, ...at(UP), ...x.load, ...x.sub, ...x.store,
  ...at(L2), ...at(L2), ...x.load, ...at(UP2), ...x.load, ...x.sub, ...x.store,
];

/** for (b = 0; b < pairBytes; b += 16) pairStep; then, if dim is odd, the same step at b = pairBytes on one double. */
const overRow = (step: (x: Lanes) => number[]) => [
  ...i32Const(0), ...set(B),
  ...block(loop([...get(B), ...get(PAIR_BYTES), ...I32_GE_U, ...brIf(1), ...step(PAIRS), ...get(B), ...i32Const(16), ...I32_ADD, ...set(B), ...br(0)])),
  ...get(DIM), ...i32Const(1), ...I32_AND, ...ifThen(step(SINGLE)),
];

const isFinite = (local: number) => [...get(local), ...get(local), ...F64_SUB, ...f64Const(0), ...F64_EQ]; // x - x is 0 unless x is NaN or infinite
const lanesSum = (v: number, s: number) => [...get(v), ...f64x2ExtractLane(0), ...get(v), ...f64x2ExtractLane(1), ...F64_ADD, ...get(s), ...F64_ADD];
const splat = (from: number, to: number) => [...get(from), ...F64X2_SPLAT, ...set(to)];
const zero = (f64: number[], v128: number[]) => [...f64.flatMap((l) => [...f64Const(0), ...set(l)]), ...f64Const(0), ...F64X2_SPLAT, ...v128.flatMap((l, k) => (k === v128.length - 1 ? set(l) : tee(l)))];
const rowAt = (row: number, bytes: number) => [...get(row), ...get(bytes), ...I32_ADD];

/** The bias of a word: w[dim] -= fdiff / sqrt(gs[dim]) unless that is not finite. */
const biasStep = (row: number, grad: number) => [
  ...get(FDIFF), ...rowAt(grad, DIM_BYTES), ...f64Load(), ...F64_SQRT, ...F64_DIV, ...set(U),
  ...isFinite(U), ...ifThen([...rowAt(row, DIM_BYTES), ...rowAt(row, DIM_BYTES), ...f64Load(), ...get(U), ...F64_SUB, ...f64Store()]),
];
const biasGradSq = (grad: number) => [...rowAt(grad, DIM_BYTES), ...rowAt(grad, DIM_BYTES), ...f64Load(), ...get(U), ...F64_ADD, ...f64Store()];

function trainBody(): number[] {
  const entry = [
    ...get(R), ...i32Load(0), ...set(L1),
    ...get(R), ...i32Load(4), ...set(L2),
    ...get(L1), ...get(GS), ...I32_ADD, ...set(G1),
    ...get(L2), ...get(GS), ...I32_ADD, ...set(G2),
    // diff = w_i . w~_j + (b_i + b~_j - log X); fdiff = f(X) diff
    ...zero([ACC], [VACC]),
    ...overRow(dotStep),
    ...lanesSum(VACC, ACC),
    ...rowAt(L1, DIM_BYTES), ...f64Load(), ...rowAt(L2, DIM_BYTES), ...f64Load(), ...F64_ADD, ...get(R), ...f64Load(8), ...F64_SUB, ...F64_ADD, ...set(DIFF),
    ...get(R), ...f64Load(16), ...get(DIFF), ...F64_MUL, ...set(FDIFF),
    // skip the entry if either is not finite (glove.c "Caught NaN in diff")
    ...isFinite(DIFF), ...isFinite(FDIFF), ...I32_AND, ...I32_EQZ, ...brIf(0),
    ...get(COST), ...f64Const(0.5), ...get(FDIFF), ...F64_MUL, ...get(DIFF), ...F64_MUL, ...F64_ADD, ...set(COST),
    // AdaGrad on the vectors, applied only if both update sums are finite
    ...splat(FDIFF, VF),
    ...zero([S1, S2], [VS1, VS2]),
    ...overRow(gradStep),
    ...lanesSum(VS1, S1), ...set(S1), ...lanesSum(VS2, S2), ...set(S2),
    ...isFinite(S1), ...isFinite(S2), ...I32_AND, ...ifThen(overRow(applyStep)),
    // biases (no eta, as glove.c), then their AdaGrad sums
    ...biasStep(L1, G1), ...biasStep(L2, G2),
    ...get(FDIFF), ...get(FDIFF), ...F64_MUL, ...set(U),
    ...biasGradSq(G1), ...biasGradSq(G2),
  ];
  return [
    ...get(DIM), ...i32Const(1), ...I32_SHR_U, ...i32Const(4), ...I32_SHL, ...set(PAIR_BYTES),
    ...get(DIM), ...i32Const(3), ...I32_SHL, ...set(DIM_BYTES),
    ...get(UP), ...get(DIM_BYTES), ...I32_ADD, ...set(UP2),
    ...get(CLIP), ...f64Const(-1), ...F64_MUL, ...set(NCLIP),
    ...splat(ETA, VETA), ...splat(CLIP, VCLIP), ...splat(NCLIP, VNCLIP),
    ...f64Const(0), ...set(COST),
    ...get(ENTRIES), ...set(R),
    ...get(N), ...i32Const(ENTRY_BYTES), ...I32_MUL, ...get(ENTRIES), ...I32_ADD, ...set(END_R),
    ...block(loop([
      ...get(R), ...get(END_R), ...I32_GE_U, ...brIf(1),
      ...block(entry),
      ...get(R), ...i32Const(ENTRY_BYTES), ...I32_ADD, ...set(R),
      ...br(0),
    ])),
    ...get(COST),
    ...END,
  ];
}

export interface GloveKernel {
  train(entries: number, n: number, gsDelta: number, dim: number, up: number, eta: number, clip: number): number;
}

let compiled: WasmModule | undefined | null;

/** The compiled module, or null where WebAssembly SIMD is unavailable. */
export function gloveModule(): WasmModule | null {
  if (compiled === undefined)
    compiled = compileModule(
      moduleBytes([
        {
          name: 'train',
          params: [I32, I32, I32, I32, I32, F64, F64],
          results: [F64],
          body: funcBody([[10, I32], [10, F64], [10, V128]], trainBody()),
        },
      ]),
    );
  return compiled;
}

export function gloveKernel(memory: WasmMemory): GloveKernel | null {
  const mod = gloveModule();
  return mod ? instantiate<GloveKernel>(mod, memory) : null;
}

/**
 * Fill `n` kernel records from shuffled-file records (int32 i, int32 j, float32 X):
 * row byte offsets of w_i and w~_j (rows of dim + 1 doubles from byte 0 of the
 * memory), log X and f(X). Offsets past 2 GiB wrap in the Int32Array and read
 * back as the right unsigned address in wasm.
 */
export function writeEntries(out: { i32: Int32Array; f64: Float64Array }, rec: Int32Array, val: Float32Array, n: number, vocabSize: number, dim: number, settings: GloveSettings): void {
  const rowBytes = (dim + 1) * 8;
  const { xMax, alpha } = settings;
  const { i32, f64 } = out;
  for (let k = 0; k < n; k++) {
    const x = val[3 * k + 2]!;
    i32[6 * k] = rec[3 * k]! * rowBytes;
    i32[6 * k + 1] = (rec[3 * k + 1]! + vocabSize) * rowBytes;
    f64[3 * k + 1] = Math.log(x);
    f64[3 * k + 2] = x > xMax ? 1 : Math.pow(x / xMax, alpha);
  }
}
