// The plain-JavaScript MD5 prefix (lib/hash/md5.ts) against node's crypto: the
// document split of every corpus depends on it, so it must be the same digest for
// every length (padding crosses a 64-byte block at 56) and for non-ASCII text.

import crypto from 'node:crypto';
import t from 'tap';
import { md5Prefix48 } from '../lib/hash/md5.js';
import { mulberry32 } from '../lib/random/mulberry32.js';

const reference = (s: string): number => crypto.createHash('md5').update(s, 'utf8').digest().readUIntBE(0, 6);

t.test('RFC 1321 test suite', async (t) => {
  // The digests printed in the RFC's appendix A.5, first 12 hex digits.
  const suite: [string, string][] = [
    ['', 'd41d8cd98f00'],
    ['a', '0cc175b9c0f1'],
    ['abc', '900150983cd2'],
    ['message digest', 'f96b697d7cb7'],
    ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192'],
    ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 'd174ab98d277'],
    ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', '57edf4a22be3'],
  ];
  for (const [s, hex] of suite) t.equal(md5Prefix48(s).toString(16).padStart(12, '0'), hex, JSON.stringify(s));
});

t.test('same as crypto for every length up to 200 and for any text', async (t) => {
  const rand = mulberry32(16);
  const alphabet = ['a', 'Z', '0', ':', '/', ' ', 'é', 'ß', 'д', '中', '😀', '\u0000', '\uffff'];
  let bad = 0;
  for (let len = 0; len <= 200; len++) {
    for (let k = 0; k < 5; k++) {
      let s = '';
      for (let i = 0; i < len; i++) s += k === 0 ? 'x' : alphabet[Math.floor(rand() * (k === 1 ? 5 : alphabet.length))]!;
      if (md5Prefix48(s) !== reference(s)) bad++;
    }
  }
  t.equal(bad, 0, 'no string differs');
  t.equal(md5Prefix48('corpus.txt:123456'), reference('corpus.txt:123456'), 'a record id');
});
