// The fixed-window neural language model of Bengio, Ducharme, Vincent & Jauvin
// (2003), "A Neural Probabilistic Language Model", eq. 1 without the direct
// connections: y = b + U·tanh(d + H·x), x = the concatenated embeddings of the
// previous n−1 words. Positions before the sentence start read <s>, as an
// n-gram model pads its history.

import { tf } from './backend/index.js';
import { BOS } from '../../pipeline/tokens.js';
import { dropout, embed, makeParam, type Batch, type ModelConfig, type NeuralLM } from './model.js';
import { mixSeed, uniformArray } from './random.js';
import { labelLogProbs as labelLogProbsOf, sparseSoftmaxCrossEntropy } from './loss.js';

/**
 * Contexts of every target of rows that start at a sentence start: for target
 * t of row r, the inputs r[t−n+2 .. t], with positions before the row's start
 * read as <s>. inputs: [B, T] -> contexts: [B·T, n−1].
 */
export function windowContexts(inputs: Int32Array, B: number, T: number, n1: number): Int32Array {
  const out = new Int32Array(B * T * n1);
  for (let r = 0; r < B; r++)
    for (let t = 0; t < T; t++) {
      const o = (r * T + t) * n1;
      for (let k = 0; k < n1; k++) {
        const src = t - (n1 - 1) + k;
        out[o + k] = src >= 0 ? inputs[r * T + src]! : BOS;
      }
    }
  return out;
}

export function createWindowLM(c: ModelConfig): NeuralLM {
  const n1 = c.context; // n − 1 previous tokens
  const s = (i: number): number => mixSeed(c.seed, 1, i);
  const C = makeParam('embedding', [c.vocab, c.embed], uniformArray(c.vocab * c.embed, 0.1, s(0))); // (V, E)
  const inW = n1 * c.embed;
  const H = makeParam('hidden_w', [inW, c.hidden], uniformArray(inW * c.hidden, Math.sqrt(6 / (inW + c.hidden)), s(1))); // (n1·E, Hd)
  const d = makeParam('hidden_b', [c.hidden], new Float32Array(c.hidden));
  const U = c.tie ? undefined : makeParam('output_w', [c.hidden, c.vocab], uniformArray(c.hidden * c.vocab, Math.sqrt(6 / (c.hidden + c.vocab)), s(2)));
  const b = makeParam('output_b', [c.vocab], new Float32Array(c.vocab));
  if (c.tie && c.hidden !== c.embed) throw new Error('window --tie needs --hidden equal to --embed');

  /** contexts: [N, n1] -> logits [N, V] */
  const forward = (contexts: Int32Array, N: number, rate: number, seed: number): tf.Tensor2D => {
    const x = tf.reshape(embed(C, contexts), [N, inW]); // (N, n1·E)
    const h = dropout(tf.tanh(tf.add(tf.matMul(x, H), d)), rate, seed); // (N, Hd)
    const logits = U ? tf.matMul(h, U) : tf.matMul(h, C, false, true); // (N, V)
    return tf.add(logits, b) as tf.Tensor2D;
  };

  return {
    config: c,
    params: U ? [C, H, d, U, b] : [C, H, d, b],
    paramNames: U ? ['embedding', 'hidden_w', 'hidden_b', 'output_w', 'output_b'] : ['embedding', 'hidden_w', 'hidden_b', 'output_b'],
    maxContext: Infinity,
    // Training batches are contexts already: inputs [B, n1], targets [B].
    trainLoss(batch: Batch, seed: number) {
      return tf.tidy(() => {
        const logits = forward(batch.inputs, batch.B, c.dropout, seed);
        return lossOf(logits, batch);
      });
    },
    logits(inputs, B, T) {
      return tf.tidy(() => forward(windowContexts(inputs, B, T, n1), B * T, 0, 0));
    },
    scoreSequences(inputs, B, T, targets) {
      const lg = this.logits(inputs, B, T);
      const out = labelLogProbsOf(lg, targets);
      lg.dispose();
      return out;
    },
  };
}

function lossOf(logits: tf.Tensor2D, batch: Batch): tf.Scalar {
  return sparseSoftmaxCrossEntropy(logits, batch.targets, batch.weights);
}
