// How a translation model cuts each side's text into the tokens its vocabularies
// hold, saved with the model so that translating new text cuts it the same way.
//
// - words: the reversible word tokenizer of pieces.ts (words and punctuation; a
//   token after a space carries "▁"; unspaced scripts by character).
// - bpe: byte-pair encoding (Sennrich et al. 2016) learned on the training pairs with
//   lib/subword's trainer, over whitespace-separated words as sentencepiece does
//   (Kudo & Richardson 2018): every word starts with "▁", so the pieces join back
//   into the text exactly as word tokens do (pieces.detokenize). `joint` learns one
//   merge table over both sides (the usual choice for related languages: a name or
//   cognate is cut the same way on both sides); otherwise each side has its own.
//   Characters seen in training only are kept (coverage 1, no byte fallback), so a
//   character never seen becomes <unk>, as an unknown word does with `words`.

import { trainSubword } from '../subword/train.js';
import { tokenizerFromSpec } from '../subword/tokenizer.js';
import type { TokenizerSpec } from '../subword/spec.js';
import { tokenize as wordTokens } from './pieces.js';

export type SegmenterSpec = { kind: 'words' } | { kind: 'bpe'; joint: boolean; source: TokenizerSpec; target: TokenizerSpec };

export interface Segmenter {
  readonly spec: SegmenterSpec;
  source(text: string): string[];
  target(text: string): string[];
}

const words = (text: string): string[] => text.normalize('NFC').split(/\s+/u).filter((w) => w.length > 0);

/** Tokens of a text under one side's BPE model; each distinct word is encoded once. */
function bpeSide(spec: TokenizerSpec): (text: string) => string[] {
  const tok = tokenizerFromSpec(spec);
  const cache = new Map<string, string[]>();
  const ids: number[] = [];
  return (text) => {
    const out: string[] = [];
    for (const w of words(text)) {
      let pieces = cache.get(w);
      if (!pieces) {
        ids.length = 0;
        tok.encodeWord(w, ids);
        pieces = ids.map((id) => spec.pieces[id]!);
        if (cache.size < 1 << 20) cache.set(w, pieces);
      }
      for (const p of pieces) out.push(p);
    }
    return out;
  };
}

export function segmenterFromSpec(spec: SegmenterSpec): Segmenter {
  if (spec.kind === 'words') return { spec, source: wordTokens, target: wordTokens };
  const source = bpeSide(spec.source);
  return { spec, source, target: spec.joint ? source : bpeSide(spec.target) };
}

/** Word types of `lines` with their counts, added into `counts`. */
function countWords(lines: readonly string[], counts: Map<string, number>): void {
  for (const line of lines) for (const w of words(line)) counts.set(w, (counts.get(w) ?? 0) + 1);
}

function trainBpe(counts: Map<string, number>, vocabSize: number): TokenizerSpec {
  // Sorted so that the merges depend on the text only, not on the order of the lines' first occurrences.
  const types = [...counts.keys()].sort();
  return trainSubword(
    types,
    types.map((w) => counts.get(w)!),
    { kind: 'bpe', vocabSize, byteFallback: false, characterCoverage: 1, maxChars: Number.MAX_SAFE_INTEGER },
  );
}

/** Learn BPE of `vocabSize` pieces (specials and alphabet included) on the training sides. */
export function trainBpeSegmenter(sourceLines: readonly string[], targetLines: readonly string[], vocabSize: number, joint: boolean): Segmenter {
  const src = new Map<string, number>();
  countWords(sourceLines, src);
  if (joint) {
    countWords(targetLines, src);
    const spec = trainBpe(src, vocabSize);
    return segmenterFromSpec({ kind: 'bpe', joint, source: spec, target: spec });
  }
  const tgt = new Map<string, number>();
  countWords(targetLines, tgt);
  return segmenterFromSpec({ kind: 'bpe', joint, source: trainBpe(src, vocabSize), target: trainBpe(tgt, vocabSize) });
}

/** A one-line description for logs and manifests. */
export function describeSegmenter(spec: SegmenterSpec): string {
  if (spec.kind === 'words') return 'word tokens';
  return spec.joint ? `joint BPE, ${spec.source.pieces.length} pieces` : `BPE per side, ${spec.source.pieces.length} / ${spec.target.pieces.length} pieces`;
}
