// The word2vec C tool's random generator, next = next * 25214903917 + 11 (mod 2^64),
// kept as two uint32 halves so the hot loop never touches BigInt. Same seed, same
// sequence as the C tool's `next_random`.

const M_HI = 0x5; // 25214903917 = 0x5_DEECE66D
const M_LO = 0xdeece66d;
const TWO32 = 4294967296;

export class Lcg {
  hi: number;
  lo: number;

  constructor(seed: bigint | number) {
    const s = BigInt.asUintN(64, BigInt(seed));
    this.hi = Number(s >> 32n);
    this.lo = Number(s & 0xffffffffn);
  }

  /** Advance one step (C: next_random = next_random * 25214903917 + 11). */
  next(): void {
    const a = this.lo;
    // 64-bit product lo * M_LO from 16-bit pieces (each partial product < 2^32, exact in a double).
    const a0 = a & 0xffff;
    const a1 = a >>> 16;
    const b0 = M_LO & 0xffff;
    const b1 = M_LO >>> 16;
    const p00 = a0 * b0;
    const p01 = a0 * b1;
    const p10 = a1 * b0;
    const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
    const prodHi = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
    const prodLo = ((mid & 0xffff) * 65536 + (p00 & 0xffff)) + 11;
    const carry = prodLo >= TWO32 ? 1 : 0;
    this.lo = prodLo >>> 0;
    this.hi = (prodHi + Math.imul(this.hi, M_LO) + a * M_HI + carry) >>> 0;
  }

  /** The low 16 bits (C: next_random & 0xFFFF). */
  low16(): number {
    return this.lo & 0xffff;
  }

  /** next_random % n for 0 < n < 2^21 (exact: (hi % n) * 2^32 + lo < 2^53). */
  mod(n: number): number {
    return ((this.hi % n) * TWO32 + this.lo) % n;
  }

  /** (next_random >> 16) % n: the 48-bit value is exact in a double. */
  shr16mod(n: number): number {
    return ((this.hi * 65536) + (this.lo >>> 16)) % n;
  }

  get state(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }
}

/** next_random % n for any n below 2^32, exactly (slow path for huge vocabularies). */
export function lcgModBig(rng: Lcg, n: number): number {
  return Number(rng.state % BigInt(n));
}
