// A seeded synthetic corpus for tests: sentences from a small bigram-ish
// generator over a Zipf-like vocabulary, so counts have the long tail of text.

import { seededRandom } from '../lib/random/seeded.js';

export function randomCorpus(sentences: number, seed: number, vocab = 60): string[] {
  const rnd = seededRandom(seed);
  const words = [...Array(vocab)].map((_, i) => `w${i}`);
  const zipf = (): number => Math.min(vocab - 1, Math.floor(Math.pow(vocab, rnd()) - 1));
  const out: string[] = [];
  for (let s = 0; s < sentences; s++) {
    const len = 1 + Math.floor(rnd() * 12);
    const line: string[] = [];
    let prev = zipf();
    for (let i = 0; i < len; i++) {
      // Half the time follow the previous word's favourite successor.
      const w = rnd() < 0.5 ? (prev * 7 + 3) % vocab : zipf();
      line.push(words[w]!);
      prev = w;
    }
    out.push(line.join(' '));
  }
  return out;
}
