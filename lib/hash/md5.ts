// MD5 (RFC 1321) of a short string, in plain JavaScript. The document split
// hashes every line of a one-file corpus (datasets/split.ts), and
// crypto.createHash costs a native object and a digest Buffer per call, which
// took a fifth of a tokenize worker's time; this is the same digest at a small
// fraction of that. Not for long inputs or anything security-related.

// Per-round shift amounts and the constants floor(abs(sin(i + 1)) * 2^32).
const S = Int32Array.from([7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21]);
const K = Int32Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0);

const encoder = new TextEncoder();
let buf = new Uint8Array(128);
const words = new Int32Array(16);

/** The string's UTF-8 bytes in `buf` with MD5's padding and length; returns the padded length. */
function pad(s: string): number {
  let n = s.length;
  let ascii = true;
  for (let i = 0; i < n; i++) if (s.charCodeAt(i) > 0x7f) ascii = false;
  let bytes: Uint8Array | undefined;
  if (!ascii) {
    bytes = encoder.encode(s);
    n = bytes.length;
  }
  const total = (((n + 8) >> 6) + 1) << 6;
  if (total > buf.length) buf = new Uint8Array(total);
  if (bytes) buf.set(bytes);
  else for (let i = 0; i < n; i++) buf[i] = s.charCodeAt(i);
  buf.fill(0, n, total);
  buf[n] = 0x80;
  const bits = n * 8;
  buf[total - 8] = bits & 0xff;
  buf[total - 7] = (bits >>> 8) & 0xff;
  buf[total - 6] = (bits >>> 16) & 0xff;
  buf[total - 5] = (bits >>> 24) & 0xff;
  const high = Math.floor(bits / 2 ** 32);
  buf[total - 4] = high & 0xff;
  buf[total - 3] = (high >>> 8) & 0xff;
  return total;
}

/** The first 6 bytes of md5(UTF-8 of s), read big-endian: a number in [0, 2^48). */
export function md5Prefix48(s: string): number {
  const total = pad(s);
  let a0 = 0x67452301;
  let b0 = 0xefcdab89 | 0;
  let c0 = 0x98badcfe | 0;
  let d0 = 0x10325476;
  for (let off = 0; off < total; off += 64) {
    for (let j = 0; j < 16; j++) {
      const p = off + 4 * j;
      words[j] = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    }
    let a = a0;
    let b = b0;
    let c = c0;
    let d = d0;
    for (let i = 0; i < 64; i++) {
      let f: number;
      let g: number;
      if (i < 16) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (i < 32) {
        f = (d & b) | (~d & c);
        g = (5 * i + 1) & 15;
      } else if (i < 48) {
        f = b ^ c ^ d;
        g = (3 * i + 5) & 15;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) & 15;
      }
      const x = (a + f + K[i]! + words[g]!) | 0;
      a = d;
      d = c;
      c = b;
      b = (b + ((x << S[i]!) | (x >>> (32 - S[i]!)))) | 0;
    }
    a0 = (a0 + a) | 0;
    b0 = (b0 + b) | 0;
    c0 = (c0 + c) | 0;
    d0 = (d0 + d) | 0;
  }
  // The digest is a0, b0, ... as little-endian bytes; its first six, big-endian.
  const byte = (w: number, k: number): number => (w >>> (8 * k)) & 0xff;
  const hi = (byte(a0, 0) << 16) | (byte(a0, 1) << 8) | byte(a0, 2);
  const lo = (byte(a0, 3) << 16) | (byte(b0, 0) << 8) | byte(b0, 1);
  return hi * 2 ** 24 + lo;
}
