// Greedy pair merging over weighted word types: the training loop that BPE and
// WordPiece share. Each word TYPE is stored once with its corpus frequency, as a run
// of symbol ids; merging the best pair (a, b) into z rewrites only the words that
// contain it and adjusts only the counts of the pairs next to each merged occurrence
// (Sennrich et al. 2016, with the incremental bookkeeping of fastBPE/HF tokenizers):
//
//   x a b y  ->  x z y :  (x,a) -= c, (x,z) += c, (b,y) -= c, (z,y) += c
//
// The words containing a pair are found through a linked list of occurrences per
// pair (append-only; a word that no longer holds the pair is skipped when scanned),
// and the best pair comes from a lazily invalidated max-heap, so nothing is recounted.
//
// Scores: 'frequency' (BPE) = count(ab); 'likelihood' (WordPiece, Schuster & Nakajima
// 2012 as popularised by BERT) = count(ab) / (count(a) * count(b)), which rewards
// pairs whose parts rarely occur apart. Ties go to the pair whose (left, right) texts
// sort first, so the result depends only on the input.

import { GrowFloat64, GrowInt32 } from './grow.js';
import { PairHeap } from './pair-heap.js';
import { PairTable } from './pair-table.js';

/** Symbol ids must fit the heap's and tables' int32s with room to spare. */
export const MAX_SYMBOLS = 4194304;

export interface MergeInput {
  /** Texts of the initial symbols; symbol id = index. */
  symbols: string[];
  /** Word w is syms[starts[w] .. starts[w] + lens[w]); -1 is a character outside the alphabet (it never pairs). Rewritten in place. */
  syms: Int32Array;
  starts: Int32Array;
  lens: Int32Array;
  /** Frequency of each word type. */
  counts: ArrayLike<number>;
  score: 'frequency' | 'likelihood';
  /** Text of the symbol made by merging left and right. */
  join(left: string, right: string): string;
  /** Texts a merge may not produce (skipped, training goes on with the next best pair). */
  isReserved(text: string): boolean;
  /** Pairs seen fewer times than this are never merged (default 1). */
  minPairCount?: number;
  /** Stop when this many distinct symbols exist (the initial ones included). */
  maxSymbols: number;
  onMerge?(symbols: number): void;
}

export interface MergeResult {
  /** Every symbol's text: the initial ones, then one per merge that made a new text. */
  symbols: string[];
  /** The merges in the order learned, as [left, right] symbol ids. */
  merges: Array<[number, number]>;
}

export function learnMerges(inp: MergeInput): MergeResult {
  const { syms, starts, lens, counts } = inp;
  const likelihood = inp.score === 'likelihood';
  const minPairCount = inp.minPairCount ?? 1;
  const text = inp.symbols.slice();
  const symbolOf = new Map<string, number>(text.map((t, i) => [t, i]));
  if (inp.maxSymbols > MAX_SYMBOLS) throw new Error(`learnMerges: at most ${MAX_SYMBOLS} symbols`);

  // Per symbol (likelihood only): occurrences, and the pairs it is part of.
  const symCount = new GrowFloat64(Math.max(16, text.length * 2));
  const symPairs: number[][] = [];
  for (let i = 0; i < text.length; i++) {
    symCount.push(0);
    symPairs.push([]);
  }

  // Per pair: its symbols, weighted count (-1 once merged or forbidden), head of its occurrence list.
  const pairOf = new PairTable(1 << 14);
  const pLeft = new GrowInt32(1 << 14);
  const pRight = new GrowInt32(1 << 14);
  const pCount = new GrowFloat64(1 << 14);
  const pHead = new GrowInt32(1 << 14);
  const pLastWord = new GrowInt32(1 << 14);
  const pTouched = new GrowInt32(1 << 14);
  const pListed = new GrowInt32(1 << 14); // 1 while in symPairs of both its symbols
  // Occurrence links: word, next link.
  const linkWord = new GrowInt32(1 << 16);
  const linkNext = new GrowInt32(1 << 16);

  let stamp = 1;
  const touched: number[] = [];
  const wordSeen = new Int32Array(lens.length);

  const pairId = (a: number, b: number): number => {
    let p = pairOf.get(a, b);
    if (p < 0) {
      p = pLeft.push(a);
      pRight.push(b);
      pCount.push(0);
      pHead.push(-1);
      pLastWord.push(-1);
      pTouched.push(0);
      pListed.push(0);
      pairOf.set(a, b, p);
    }
    return p;
  };

  const add = (a: number, b: number, delta: number, w: number): void => {
    if (a < 0 || b < 0) return;
    const p = pairId(a, b);
    if (pCount.a[p]! < 0) return;
    pCount.a[p]! += delta;
    if (delta <= 0) return;
    if (pLastWord.a[p] !== w) {
      // Link this word into the pair's occurrence list (once per word in a row).
      pLastWord.a[p] = w;
      linkNext.push(pHead.a[p]!);
      pHead.a[p] = linkWord.push(w);
    }
    if (pTouched.a[p] !== stamp) {
      pTouched.a[p] = stamp;
      touched.push(p);
    }
    if (likelihood && pListed.a[p] === 0) {
      pListed.a[p] = 1;
      symPairs[a]!.push(p);
      if (b !== a) symPairs[b]!.push(p);
    }
  };
  const score = (p: number): number => (likelihood ? pCount.a[p]! / (symCount.a[pLeft.a[p]!]! * symCount.a[pRight.a[p]!]!) : pCount.a[p]!);
  const tieLess = (p: number, q: number): boolean => {
    const lp = text[pLeft.a[p]!]!;
    const lq = text[pLeft.a[q]!]!;
    if (lp !== lq) return lp < lq;
    return text[pRight.a[p]!]! < text[pRight.a[q]!]!;
  };
  const heap = new PairHeap(tieLess);

  // Initial counts.
  for (let w = 0; w < lens.length; w++) {
    const c = counts[w]!;
    const st = starts[w]!;
    const n = lens[w]!;
    for (let i = 0; i < n; i++) {
      const s = syms[st + i]!;
      if (s >= 0) symCount.a[s]! += c;
      if (i + 1 < n) add(s, syms[st + i + 1]!, c, w);
    }
  }
  for (let p = 0; p < pLeft.length; p++) if (pCount.a[p]! > 0) heap.push(score(p), p);

  const mergeInWord = (w: number, a: number, b: number, z: number): void => {
    const st = starts[w]!;
    const n = lens[w]!;
    const c = counts[w]!;
    let r = 0;
    let out = 0;
    const link = (x: number, y: number, delta: number): void => add(x, y, delta, w);
    while (r < n) {
      const x = syms[st + r]!;
      if (x === a && r + 1 < n && syms[st + r + 1] === b) {
        if (out > 0) {
          const prev = syms[st + out - 1]!;
          link(prev, a, -c);
          link(prev, z, c);
        }
        if (r + 2 < n) {
          const next = syms[st + r + 2]!;
          link(b, next, -c);
          link(z, next, c);
        }
        if (likelihood) {
          symCount.a[a]! -= c;
          symCount.a[b]! -= c;
          symCount.a[z]! += c;
        }
        syms[st + out++] = z;
        r += 2;
      } else {
        syms[st + out++] = x;
        r += 1;
      }
    }
    lens[w] = out;
  };

  const merges: Array<[number, number]> = [];
  while (text.length < inp.maxSymbols && heap.size > 0) {
    const s = heap.topScore();
    const p = heap.pop();
    if (!(pCount.a[p]! > 0) || pCount.a[p]! < minPairCount) continue;
    const cur = score(p);
    if (cur !== s) {
      // A stale entry: the pair's score fell since (rises are always pushed).
      if (cur < s) heap.push(cur, p);
      continue;
    }
    const a = pLeft.a[p]!;
    const b = pRight.a[p]!;
    const joined = inp.join(text[a]!, text[b]!);
    if (inp.isReserved(joined)) {
      pCount.a[p] = -1;
      continue;
    }
    let z = symbolOf.get(joined);
    if (z === undefined) {
      z = text.length;
      text.push(joined);
      symbolOf.set(joined, z);
      symCount.push(0);
      symPairs.push([]);
    }
    stamp++;
    touched.length = 0;
    for (let link = pHead.a[p]!; link >= 0; link = linkNext.a[link]!) {
      const w = linkWord.a[link]!;
      if (wordSeen[w] === stamp) continue;
      wordSeen[w] = stamp;
      mergeInWord(w, a, b, z);
    }
    pCount.a[p] = -1;
    pHead.a[p] = -1;
    merges.push([a, b]);
    for (const q of touched) if (pCount.a[q]! > 0) heap.push(score(q), q);
    if (likelihood) {
      // count(a) and count(b) fell, so every pair with a or b scores higher now.
      for (const sym of a === b ? [a] : [a, b]) {
        const list = symPairs[sym]!;
        let keep = 0;
        for (const q of list) {
          if (pCount.a[q]! > 0) {
            list[keep++] = q;
            if (pTouched.a[q] !== stamp) heap.push(score(q), q);
          } else if (pListed.a[q] === 1) {
            pListed.a[q] = 0;
          }
        }
        list.length = keep;
      }
    }
    inp.onMerge?.(text.length);
  }
  return { symbols: text, merges };
}
