// Prompts and output of a language model trained on subword pieces: encoded
// with the tokenizer.json of the token folder the model read, spelled back as
// words. Without a tokenizer, words are looked up as they are.

import fs from 'node:fs';
import path from 'node:path';
import { UNK } from '../formats/tokens.js';
import type { TokenizerKind } from './language-model.js';

export interface PromptCodec {
  encodePrompt(text: string): Int32Array;
  spell(ids: readonly number[]): string;
  /** Set when the model reads pieces: the tokenizer file used. */
  tokenizer?: string;
}

/** `tokenizers`: the kinds the registered stages write (subword's tokenizer.json); the first found in `tokensDir` is used. */
export function promptCodec(tokensDir: string | undefined, tokens: readonly string[], index: ReadonlyMap<string, number>, tokenizers: readonly TokenizerKind[] = []): PromptCodec {
  const kind = tokensDir ? tokenizers.find((k) => fs.existsSync(path.join(tokensDir, k.file))) : undefined;
  const file = kind && tokensDir ? path.join(tokensDir, kind.file) : undefined;
  const words: PromptCodec = {
    encodePrompt: (text) => Int32Array.from(text.split(/\s+/).filter(Boolean), (w) => index.get(w) ?? index.get(w.toLowerCase()) ?? UNK),
    spell: (ids) => ids.map((i) => tokens[i]).join(' '),
  };
  if (!kind || !file) return words;
  const tok = kind.load(file);
  const pieceIndex = new Map(tok.pieces.map((p, i) => [p, i]));
  return {
    tokenizer: file,
    // The model's ids are its vocabulary's; the tokenizer's are its pieces': map through the spelling.
    encodePrompt: (text) => Int32Array.from(tok.encode(text), (id) => index.get(tok.pieces[id]!) ?? UNK),
    spell: (ids) => {
      const out: string[] = [];
      let run: number[] = [];
      const flush = (): void => {
        if (run.length) out.push(tok.decode(run));
        run = [];
      };
      for (const i of ids) {
        const pid = pieceIndex.get(tokens[i]!);
        if (pid === undefined) {
          flush();
          out.push(tokens[i]!); // <s>, </s>, <unk>
        } else run.push(pid);
      }
      flush();
      return out.join(' ');
    },
  };
}
