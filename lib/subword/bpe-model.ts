// Applying learned BPE merges to one word (Sennrich et al. 2016, section 3.2): spell
// the word as "▁" + its characters, then repeatedly merge the adjacent pair that was
// learned earliest, until no learned pair is left. Applying the merges in training
// order gives exactly the segmentation training produced for that word.

import { UNK } from '../formats/tokens.js';
import { BYTE_PIECES, WORD_START, bytePieceValue } from './pieces.js';
import { PairTable } from './pair-table.js';
import type { TokenizerSpec } from './spec.js';

const utf8 = new TextEncoder();

export class BpeModel {
  private readonly charId = new Map<string, number>();
  private readonly rank: PairTable;
  private readonly mergeResult: Int32Array;
  /** Piece id of each byte value, or -1 without byte fallback. */
  private readonly byteId = new Int32Array(256).fill(-1);
  private readonly wordStartId: number;

  constructor(readonly spec: TokenizerSpec) {
    const idOf = new Map<string, number>();
    spec.pieces.forEach((p, i) => idOf.set(p, i));
    this.wordStartId = idOf.get(WORD_START)!;
    spec.pieces.forEach((p, i) => {
      if (i < 4 || p === WORD_START) return;
      if (bytePieceValue(p) >= 0) {
        if (spec.settings.byteFallback) this.byteId[bytePieceValue(p)] = i;
        return;
      }
      const cp = p.codePointAt(0)!;
      if (p.length === (cp > 0xffff ? 2 : 1)) this.charId.set(p, i);
    });
    const merges = spec.merges ?? [];
    this.rank = new PairTable(merges.length);
    this.mergeResult = new Int32Array(merges.length);
    merges.forEach(([l, r], k) => {
      const a = idOf.get(l)!;
      const b = idOf.get(r)!;
      if (this.rank.get(a, b) < 0) this.rank.set(a, b, k);
      this.mergeResult[k] = idOf.get(l + r)!;
    });
  }

  /** Append the piece ids of one pre-tokenized word to `out`. */
  encodeWord(word: string, out: number[]): void {
    const s: number[] = [this.wordStartId];
    for (const ch of word) {
      const id = this.charId.get(ch);
      if (id !== undefined) s.push(id);
      else if (this.byteId[0]! >= 0) for (const b of utf8.encode(ch)) s.push(this.byteId[b]!);
      else s.push(UNK);
    }
    let n = s.length;
    for (;;) {
      let best = Infinity;
      for (let i = 0; i + 1 < n; i++) {
        const r = this.rank.get(s[i]!, s[i + 1]!);
        if (r >= 0 && r < best) best = r;
      }
      if (best === Infinity) break;
      const z = this.mergeResult[best]!;
      let w = 0;
      for (let i = 0; i < n; ) {
        if (i + 1 < n && this.rank.get(s[i]!, s[i + 1]!) === best) {
          s[w++] = z;
          i += 2;
        } else s[w++] = s[i++]!;
      }
      n = w;
    }
    for (let i = 0; i < n; i++) out.push(s[i]!);
  }

  /** Pieces back to pre-tokenized text: "▁" becomes a space, byte pieces their bytes, <unk> the word "<unk>"; the first space is dropped. */
  decode(ids: ArrayLike<number>): string {
    const bytes: number[] = [];
    const pieces = this.spec.pieces;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id === 1 || id === 2 || id === 3) continue;
      // <unk> reads as a word of its own: in the pipeline it mostly stands for a whole
      // word the tokenize stage left out of its vocabulary.
      const p = id === UNK ? WORD_START + pieces[id]! : pieces[id]!;
      const b = bytePieceValue(p);
      if (b >= 0 && this.byteId[b] === id) {
        bytes.push(b);
        continue;
      }
      const t = p.startsWith(WORD_START) ? ' ' + p.slice(WORD_START.length) : p;
      for (const x of utf8.encode(t)) bytes.push(x);
    }
    const text = new TextDecoder().decode(Uint8Array.from(bytes));
    return text.startsWith(' ') ? text.slice(1) : text;
  }
}

export { BYTE_PIECES };
