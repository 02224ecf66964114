// Decimal numbers written digit by digit into a byte buffer. Text formats of
// many numbers (ARPA models, word2vec vectors.txt) spent most of their writing
// time in toPrecision / String() and the strings they make; here the digits
// come from one multiply and a round, with the same text as JavaScript's
// `String(Number(x.toPrecision(p)))` (tested against it). Numbers outside the
// plain-decimal range, and the rare product that lands within 1e-6 of a
// rounding tie, where a double's error could flip the round, are left to the
// caller's exact path (toPrecision).

/** POW10[k + 8] = 10^k for k = -8..22 (10^0..10^22 are exact doubles). */
const POW10 = Float64Array.from({ length: 31 }, (_, i) => Number(`1e${i - 8}`));
const pow10 = (k: number): number => POW10[k + 8]!;

const MINUS = 45;
const POINT = 46;
const ZERO = 48;

/** Smallest and largest magnitudes writeDigits formats itself (JavaScript writes below 1e-6 with an exponent). */
export const PLAIN_MIN = 1e-6;
export const PLAIN_MAX = 1e6;

/**
 * The p significant digits of |x| (6 <= p <= 9) rounded half up as toPrecision
 * rounds, as an integer in [10^(p-1), 10^p), with `exponent` the power of ten
 * of the first digit; NaN when |x| is outside [PLAIN_MIN, PLAIN_MAX) or the
 * round is too close to a tie to trust.
 */
export class Digits {
  value = NaN;
  exponent = 0;

  of(x: number, p: number): boolean {
    const a = Math.abs(x);
    this.value = NaN;
    if (!(a >= PLAIN_MIN && a < PLAIN_MAX)) return false;
    let e = Math.floor(Math.log10(a));
    // |x| * 10^k has p digits before the point; k <= 8 + 6, so 10^k is exact and the product is rounded once.
    let scaled = a * pow10(p - 1 - e);
    let d = Math.round(scaled);
    // log10 may land one off at a power of ten, and rounding up may carry into a new digit.
    if (d >= pow10(p)) {
      e++;
      scaled = a * pow10(p - 1 - e);
      d = Math.round(scaled);
    } else if (d < pow10(p - 1)) {
      e--;
      scaled = a * pow10(p - 1 - e);
      d = Math.round(scaled);
    }
    // Within 1e-6 of .5 the double product may sit on the wrong side of the exact value's tie.
    if (Math.abs(scaled - Math.floor(scaled) - 0.5) < 1e-6) return false;
    this.value = d;
    this.exponent = e;
    return true;
  }

  /** The number these digits spell (a double, as Number() would read the text back). */
  read(p: number, negative: boolean): number {
    const k = p - 1 - this.exponent;
    const v = this.value / pow10(k);
    return negative ? -v : v;
  }
}

/**
 * Write the digits `d` (p significant digits, first digit at 10^exponent) as
 * JavaScript prints a number in plain decimal: no trailing zeros, no exponent,
 * "0." before a fraction. `buf` needs room for 24 bytes at `pos`; returns the position after.
 */
export function writeDigits(buf: Uint8Array, pos: number, negative: boolean, digits: number, p: number, exponent: number): number {
  let d = digits;
  let n = p;
  while (d % 10 === 0 && n > 1) {
    d = d / 10;
    n--;
  }
  if (negative) buf[pos++] = MINUS;
  // Digits are at most 10^9: int32 arithmetic from here.
  d |= 0;
  if (exponent < 0) {
    buf[pos++] = ZERO;
    buf[pos++] = POINT;
    for (let z = -1; z > exponent; z--) buf[pos++] = ZERO;
    for (let i = n - 1; i >= 0; i--) {
      const q = (d / 10) | 0;
      buf[pos + i] = ZERO + (d - q * 10);
      d = q;
    }
    return pos + n;
  }
  // exponent + 1 digits before the point: zero-padded when fewer are significant, else a point after them.
  const before = exponent + 1;
  if (n <= before) {
    for (let i = n - 1; i >= 0; i--) {
      const q = (d / 10) | 0;
      buf[pos + i] = ZERO + (d - q * 10);
      d = q;
    }
    for (let i = n; i < before; i++) buf[pos + i] = ZERO;
    return pos + before;
  }
  for (let i = n - 1; i >= 0; i--) {
    const q = (d / 10) | 0;
    buf[pos + i + (i >= before ? 1 : 0)] = ZERO + (d - q * 10);
    d = q;
  }
  buf[pos + before] = POINT;
  return pos + n + 1;
}

/** Write an ASCII string (the slow paths' toPrecision text) at `pos`; returns the position after. */
export function writeAscii(buf: Uint8Array, pos: number, s: string): number {
  for (let i = 0; i < s.length; i++) buf[pos++] = s.charCodeAt(i);
  return pos;
}
