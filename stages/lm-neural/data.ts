// Token shards -> the typed arrays training and evaluation read. A split is
// kept as two aligned streams, one entry per predicted token: for a sentence
// w1..wn, inputs are [<s> w1 .. wn] and targets [w1 .. wn </s>] — exactly the
// n-gram models' events (every word and one </s> per sentence are predicted,
// <s> never is). Ids at or above the model vocabulary become <unk>.

import { listTokenShards, readTokenShard, BOS, EOS, UNK } from '../../lib/formats/tokens.js';
import { InputError } from '../../pipeline/errors.js';
import type { Split } from '../../datasets/source.js';
import { permutation, mixSeed } from './random.js';
import type { Batch } from './model.js';

export interface SplitData {
  inputs: Int32Array;
  targets: Int32Array;
  /** Sentence s occupies [starts[s], starts[s+1]) in both streams. */
  starts: Int32Array;
  sentences: number;
  /** Targets that are <unk> after capping, and how many of those were in-vocabulary words before the cap. */
  unkTargets: number;
  cappedTargets: number;
}

/** Read every shard of `split` under a tokens-producing stage folder, mapping ids ≥ `vocab` to <unk>. */
export function loadSplit(tokDir: string, split: Split, vocab: number): SplitData {
  const files = listTokenShards(tokDir, split);
  const shards = files.map((f) => readTokenShard(f));
  const sentences = shards.reduce((s, x) => s + x.rows, 0);
  const total = shards.reduce((s, x) => s + x.ids.length, 0) + sentences;
  const inputs = new Int32Array(total);
  const targets = new Int32Array(total);
  const starts = new Int32Array(sentences + 1);
  let pos = 0;
  let sent = 0;
  let unk = 0;
  let capped = 0;
  shards.forEach((sh, k) => {
    for (let r = 0; r < sh.rows; r++) {
      starts[sent++] = pos;
      inputs[pos] = BOS;
      for (let j = sh.offsets[r]!; j < sh.offsets[r + 1]!; j++) {
        let id = sh.ids[j]!;
        if (id < 0) throw new InputError(files[k]!, `negative token id ${id}`, 'Rerun the tokenize stage');
        if (id === BOS || id === EOS) throw new InputError(files[k]!, `sentence contains the special id ${id}`, 'Token shards hold sentences without <s>/</s>; rerun the tokenize stage');
        if (id >= vocab) {
          id = UNK;
          capped++;
        }
        if (id === UNK) unk++;
        targets[pos] = id;
        inputs[++pos] = id;
      }
      targets[pos++] = EOS;
    }
  });
  starts[sentences] = pos;
  return { inputs, targets, starts, sentences, unkTargets: unk, cappedTargets: capped };
}

/**
 * Contiguous batching (Zaremba et al. 2014): the stream is cut into B rows of
 * equal length and batch k is columns [k·T, (k+1)·T) of every row, so row r of
 * batch k+1 continues row r of batch k and a carried hidden state stays valid.
 */
export class ContiguousBatches {
  readonly rowLen: number;
  readonly steps: number;
  constructor(
    private readonly data: SplitData,
    readonly B: number,
    readonly T: number,
  ) {
    this.rowLen = Math.floor(data.inputs.length / B);
    this.steps = Math.floor(this.rowLen / T);
  }
  batch(k: number): Batch {
    const { B, T, rowLen } = this;
    const inputs = new Int32Array(B * T);
    const targets = new Int32Array(B * T);
    for (let r = 0; r < B; r++) {
      const from = r * rowLen + k * T;
      inputs.set(this.data.inputs.subarray(from, from + T), r * T);
      targets.set(this.data.targets.subarray(from, from + T), r * T);
    }
    return { inputs, targets, B, T };
  }
}

/** Fixed-window examples (Bengio et al. 2003): a seeded shuffle of every predicted position per epoch. */
export class WindowBatches {
  readonly steps: number;
  private order: Int32Array | undefined;
  private orderEpoch = -1;
  constructor(
    private readonly data: SplitData,
    readonly B: number,
    readonly n1: number,
    private readonly seed: number,
  ) {
    this.steps = Math.floor(data.targets.length / B);
  }
  batch(epoch: number, k: number): Batch {
    if (this.orderEpoch !== epoch) {
      this.order = permutation(this.data.targets.length, mixSeed(this.seed, 7, epoch));
      this.orderEpoch = epoch;
    }
    const { B, n1 } = this;
    const inputs = new Int32Array(B * n1);
    const targets = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      const i = this.order![k * B + b]!;
      targets[b] = this.data.targets[i]!;
      windowContextAt(this.data.inputs, i, n1, inputs, b * n1);
    }
    return { inputs, targets, B, T: n1 };
  }
}

/** The n1 inputs ending at stream position i, read back no further than the sentence's <s>; earlier slots are <s>. */
export function windowContextAt(inputs: Int32Array, i: number, n1: number, out: Int32Array, at: number): void {
  let cur = i;
  let stop = false;
  for (let k = n1 - 1; k >= 0; k--) {
    if (stop || cur < 0) {
      out[at + k] = BOS;
      continue;
    }
    out[at + k] = inputs[cur]!;
    if (inputs[cur] === BOS) stop = true;
    cur--;
  }
}
