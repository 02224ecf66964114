// The part of a streamed model (kneser-ney-stream.ts) that scoring the held-out
// splits can touch, loaded in memory bounded by those splits instead of by the
// model: every unigram, and of each higher order only the n-grams that occur in
// the held-out text (with its words mapped to <unk> as perplexity.ts maps them).
// Scoring looks up only such n-grams (the predicted n-gram and its contexts are
// all windows of the mapped sentence), so every lookup finds the same row
// values as in the whole model and the perplexities are the same to the bit.

import { BOS, EOS, UNK, readTokenShard } from '../../lib/formats/tokens.js';
import { chunks, FlatCursor } from '../../lib/spill/flat-file.js';
import { BackoffModel, makeBackoffOrder, type BackoffOrder } from './backoff-model.js';
import { NgramIndex } from './ngram-index.js';
import { logprobOf } from './streamed-model-files.js';
import type { StreamedOrder } from './kneser-ney-stream.js';

class Growable<T extends Int32Array | Float32Array> {
  length = 0;
  constructor(public data: T) {}
  push(v: number): void {
    if (this.length === this.data.length) {
      const d = new (this.data.constructor as new (n: number) => T)(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.length++] = v;
  }
}

export function heldOutModel(orders: StreamedOrder[], vocabSize: number, shards: string[]): BackoffModel {
  const N = orders.length;
  const loadOrder = (o: StreamedOrder, keep?: NgramIndex): BackoffOrder => {
    const words = new Growable(new Int32Array(1024));
    const lp = new Growable(new Float32Array(1024));
    const bo = new Growable(new Float32Array(1024));
    const prob = new FlatCursor(o.prob, Float64Array, 1 << 16);
    const backoff = o.backoff ? new FlatCursor(o.backoff, Float32Array, 1 << 16) : undefined;
    for (const c of chunks(o.words, Int32Array, o.n, 1 << 16)) {
      for (let r = 0; r < c.rows; r++) {
        if (keep && keep.find(c.data, r * o.n) < 0) continue;
        for (let k = 0; k < o.n; k++) words.push(c.data[r * o.n + k]!);
        lp.push(logprobOf(prob.at(c.start + r)));
        bo.push(backoff ? backoff.at(c.start + r) : 0);
      }
    }
    prob.close();
    backoff?.close();
    return makeBackoffOrder(o.n, words.data.slice(0, words.length), lp.data.slice(0, lp.length), bo.data.slice(0, bo.length));
  };
  const uni = loadOrder(orders[0]!);
  const unigrams = new BackoffModel([uni], vocabSize);
  if (N === 1) return unigrams;

  // Windows of length 2..N of every mapped held-out sentence.
  const windows = [...Array(N + 1)].map(() => new Growable(new Int32Array(1024)));
  let seq = new Int32Array(256);
  for (const file of shards) {
    const s = readTokenShard(file);
    for (let r = 0; r < s.rows; r++) {
      const from = s.offsets[r]!;
      const len = s.offsets[r + 1]! - from;
      if (seq.length < len + 2) seq = new Int32Array(2 * len + 2);
      seq[0] = BOS;
      for (let i = 0; i <= len; i++) {
        const w = i < len ? s.ids[from + i]! : EOS;
        seq[i + 1] = w === UNK || !unigrams.knows(w) ? UNK : w;
      }
      const L = len + 2;
      for (let n = 2; n <= N; n++) for (let i = 0; i + n <= L; i++) for (let k = 0; k < n; k++) windows[n]!.push(seq[i + k]!);
    }
  }
  const out: BackoffOrder[] = [uni];
  for (let n = 2; n <= N; n++) {
    const w = windows[n]!;
    out.push(loadOrder(orders[n - 1]!, new NgramIndex(w.data, n, w.length / n)));
  }
  return new BackoffModel(out, vocabSize);
}
