// WordPiece encoding as BERT does it: greedy longest-match-first from the start of
// the word; pieces after the first carry the "##" continuation prefix; a word longer
// than maxChars, or with a position where no piece matches, becomes one <unk>
// ([UNK], id 0) whole.

import { UNK } from '../formats/tokens.js';
import { CONTINUATION } from './pieces.js';
import type { TokenizerSpec } from './spec.js';

export class WordPieceModel {
  private readonly idOf = new Map<string, number>();
  private readonly maxPieceChars: number;

  constructor(readonly spec: TokenizerSpec) {
    let longest = 1;
    spec.pieces.forEach((p, i) => {
      if (i < 4) return;
      this.idOf.set(p, i);
      const body = p.startsWith(CONTINUATION) ? p.slice(CONTINUATION.length) : p;
      longest = Math.max(longest, Array.from(body).length);
    });
    this.maxPieceChars = longest;
  }

  encodeWord(word: string, out: number[]): void {
    // at[i] = UTF-16 offset of the i-th character, so candidates are plain slices.
    const at: number[] = [];
    for (let i = 0; i < word.length; i += word.codePointAt(i)! > 0xffff ? 2 : 1) at.push(i);
    const n = at.length;
    at.push(word.length);
    if (n > this.spec.settings.maxChars) {
      out.push(UNK);
      return;
    }
    const found: number[] = [];
    for (let start = 0; start < n; ) {
      let id = -1;
      let end = Math.min(n, start + this.maxPieceChars);
      for (; end > start; end--) {
        const body = word.slice(at[start], at[end]);
        const hit = this.idOf.get(start > 0 ? CONTINUATION + body : body);
        if (hit !== undefined) {
          id = hit;
          break;
        }
      }
      if (id < 0) {
        out.push(UNK);
        return;
      }
      found.push(id);
      start = end;
    }
    for (const id of found) out.push(id);
  }

  /** Pieces back to words joined by one space; "##" pieces glue to the word before. */
  decode(ids: ArrayLike<number>): string {
    let text = '';
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id === 1 || id === 2 || id === 3) continue;
      const p = this.spec.pieces[id]!;
      if (p.startsWith(CONTINUATION) && text.length > 0) text += p.slice(CONTINUATION.length);
      else text += (text.length > 0 ? ' ' : '') + p;
    }
    return text;
  }
}
