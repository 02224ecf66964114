// Writing ARPA text fast: an ARPA model is tens of millions of lines of a
// log10 number, the words and a backoff, and per-line strings (toPrecision,
// String(), TextEncoder) were most of lm-ngram's writing time. Here every line
// goes straight into a byte buffer: the words from one byte array of spellings,
// the numbers digit by digit (formatLog10, with lib/formats/decimal.ts), and a full buffer is written to the
// file by libuv's thread while the next one fills (KenLM likewise formats its
// floats itself and writes through a separate thread).

import fs from 'node:fs';
import { Digits, writeAscii, writeDigits } from '../../lib/formats/decimal.js';

const TAB = 9;
const SPACE = 32;
const NL = 10;

const digits = new Digits();

/** The numbers formatLog10 leaves to toPrecision: 0, -99 (log 0) and magnitudes outside [1e-4, 1e6). */
function rareNumber(x: number): string {
  if (x === -Infinity || x < -99) return '-99';
  if (x === 0) return '0';
  // 8 significant digits: within 1e-7 relative of the float32 (a few values need 9 to
  // round-trip exactly; 8 keeps the model's bytes as they were).
  return x.toPrecision(8);
}

/**
 * Write `x` (a float32 log10 value) with 8 significant digits and no trailing
 * zeros, as `String(Number(x.toPrecision(8)))` spells it, into `buf` at `pos`
 * (room for 24 bytes); returns the position after it. `-Infinity` and values
 * below -99 are written as -99, as lmplz writes log 0.
 */
export function formatLog10(buf: Uint8Array, pos: number, x: number): number {
  const a = Math.abs(x);
  if (x === 0 || x < -99 || !(a >= 1e-4 && a < 1e6)) return writeAscii(buf, pos, rareNumber(x));
  // The 8 significant digits as one integer (lib/formats/decimal.ts); a near-tie takes toPrecision's exact round.
  if (!digits.of(x, 8)) return writeAscii(buf, pos, String(Number(x.toPrecision(8))));
  return writeDigits(buf, pos, x < 0, digits.value, 8, digits.exponent);
}

/** Every word's UTF-8 bytes in one array: word id i is bytes[start[i] .. start[i+1]). */
export class Spellings {
  readonly bytes: Uint8Array;
  readonly start: Int32Array;
  /** The longest spelling, in bytes. */
  readonly longest: number;

  constructor(tokens: readonly string[]) {
    const enc = new TextEncoder();
    const each = tokens.map((t) => enc.encode(t));
    this.start = new Int32Array(each.length + 1);
    let total = 0;
    let longest = 0;
    for (let i = 0; i < each.length; i++) {
      this.start[i] = total;
      total += each[i]!.length;
      longest = Math.max(longest, each[i]!.length);
    }
    this.start[each.length] = total;
    this.bytes = new Uint8Array(total);
    for (let i = 0; i < each.length; i++) this.bytes.set(each[i]!, this.start[i]!);
    this.longest = longest;
  }
}

const BUFFER_BYTES = 1 << 22;

/**
 * An ARPA file being written: `\data\` with the counts, then each order's rows
 * (`lines`), then `\end\`. Two buffers: one fills while the other is written.
 */
export class ArpaWriter {
  private buf = new Uint8Array(BUFFER_BYTES);
  private spare = new Uint8Array(BUFFER_BYTES);
  private pos = 0;
  private pending: Promise<void> | undefined;

  private constructor(
    private readonly fd: number,
    private readonly spell: Spellings,
    private readonly order: number,
  ) {}

  /** Open `file` and write the `\data\` header for orders with `rows[n-1]` n-grams. */
  static open(file: string, tokens: readonly string[], rows: readonly number[]): ArpaWriter {
    const w = new ArpaWriter(fs.openSync(file, 'w'), new Spellings(tokens), rows.length);
    w.ascii('\\data\\\n');
    for (let n = 1; n <= rows.length; n++) w.ascii(`ngram ${n}=${rows[n - 1]}\n`);
    return w;
  }

  private ascii(s: string): void {
    for (let i = 0; i < s.length; i++) this.buf[this.pos++] = s.charCodeAt(i);
  }

  /** Start the `\n-grams:` section. */
  async section(n: number): Promise<void> {
    await this.room(32);
    this.ascii(`\n\\${n}-grams:\n`);
  }

  /**
   * Rows [from, to) of order n: `words` row-major (row r at r * n), `logprob`
   * and `backoff` by row (the backoff is written below the highest order only).
   */
  async lines(n: number, words: Int32Array, logprob: ArrayLike<number>, backoff: ArrayLike<number>, from: number, to: number): Promise<void> {
    const { bytes, start } = this.spell;
    const withBackoff = n < this.order;
    // A line: two numbers, n words and their separators.
    const longestLine = 2 * 24 + n * (this.spell.longest + 1) + 2;
    if (longestLine > BUFFER_BYTES) throw new Error(`ARPA line of up to ${longestLine} bytes: a word is longer than the write buffer`);
    let r = from;
    while (r < to) {
      await this.room(longestLine);
      const buf = this.buf;
      let pos = this.pos;
      const limit = BUFFER_BYTES - longestLine;
      for (; r < to && pos <= limit; r++) {
        pos = formatLog10(buf, pos, logprob[r]!);
        let sep = TAB;
        const base = r * n;
        for (let k = 0; k < n; k++) {
          buf[pos++] = sep;
          sep = SPACE;
          const w = words[base + k]!;
          const e = start[w + 1]!;
          for (let i = start[w]!; i < e; i++) buf[pos++] = bytes[i]!;
        }
        if (withBackoff) {
          buf[pos++] = TAB;
          pos = formatLog10(buf, pos, backoff[r]!);
        }
        buf[pos++] = NL;
      }
      this.pos = pos;
    }
  }

  /** Make room for `n` bytes: hand a fuller buffer to the file and continue in the spare one. */
  private async room(n: number): Promise<void> {
    if (this.pos + n <= BUFFER_BYTES) return;
    await this.handOff();
  }

  private async handOff(): Promise<void> {
    await this.pending;
    const full = this.buf;
    const len = this.pos;
    this.buf = this.spare;
    this.spare = full;
    this.pos = 0;
    this.pending = writeAll(this.fd, full, len);
  }

  /** Write `\end\`, everything still buffered, and close the file. */
  async end(): Promise<void> {
    await this.room(16);
    this.ascii('\n\\end\\\n');
    await this.handOff();
    await this.pending;
    fs.closeSync(this.fd);
  }

  /** Close the file after a failure (what was written stays, as a partial file). */
  async abandon(): Promise<void> {
    await this.pending?.catch(() => {});
    fs.closeSync(this.fd);
  }
}

/** Write buf[0 .. len) at the file's current position, on libuv's thread pool. */
async function writeAll(fd: number, buf: Uint8Array, len: number): Promise<void> {
  let off = 0;
  while (off < len) {
    off += await new Promise<number>((resolve, reject) => fs.write(fd, buf, off, len - off, null, (err, n) => (err ? reject(err) : resolve(n))));
  }
}
