// Strict UTF-8 decoding of a block. The fast path is TextDecoder with
// `fatal`; only when it fails do we walk the bytes to say where (byte offset)
// and how many bad sequences there are. Bad sequences are counted as the
// WHATWG Encoding Standard replaces them (one U+FFFD per maximal subpart),
// so `replaced` equals the number of U+FFFD that `--on-invalid replace` inserts.

const strict = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8', { fatal: false });

export interface Utf8Errors {
  /** Number of invalid sequences (each becomes one U+FFFD when replaced). */
  count: number;
  /** Byte index of the first one, or -1. */
  first: number;
}

/** Find invalid UTF-8 sequences (WHATWG "maximal subpart" rule). */
export function findUtf8Errors(b: Uint8Array): Utf8Errors {
  const n = b.length;
  let count = 0;
  let first = -1;
  let i = 0;
  while (i < n) {
    const x = b[i]!;
    if (x < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (x >= 0xc2 && x <= 0xdf) need = 1;
    else if (x >= 0xe0 && x <= 0xef) {
      need = 2;
      if (x === 0xe0) lo = 0xa0;
      else if (x === 0xed) hi = 0x9f; // no surrogates
    } else if (x >= 0xf0 && x <= 0xf4) {
      need = 3;
      if (x === 0xf0) lo = 0x90;
      else if (x === 0xf4) hi = 0x8f; // nothing above U+10FFFF
    } else {
      if (first < 0) first = i;
      count++;
      i++;
      continue;
    }
    let j = i + 1;
    let ok = true;
    for (let k = 0; k < need; k++, j++) {
      const y = b[j];
      if (y === undefined || y < lo || y > hi) {
        ok = false;
        break;
      }
      lo = 0x80;
      hi = 0xbf;
    }
    if (!ok) {
      if (first < 0) first = i;
      count++;
    }
    i = j; // on failure the offending byte is looked at again as a lead byte
  }
  return { count, first };
}

export interface Decoded {
  text: string;
  /** Invalid sequences replaced by U+FFFD (0 unless `replace`). */
  replaced: number;
  /** Byte index (in the block) of the first invalid sequence, when not replacing; -1 when valid. */
  invalidAt: number;
}

/** Decode a block; with `replace` false an invalid block reports where instead of decoding. */
export function decodeUtf8(bytes: Uint8Array, replace: boolean): Decoded {
  try {
    return { text: strict.decode(bytes), replaced: 0, invalidAt: -1 };
  } catch {
    const errs = findUtf8Errors(bytes);
    if (!replace) return { text: '', replaced: 0, invalidAt: errs.first };
    return { text: lenient.decode(bytes), replaced: errs.count, invalidAt: -1 };
  }
}
