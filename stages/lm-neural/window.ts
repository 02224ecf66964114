// The fixed-window neural language model of Bengio, Ducharme, Vincent & Jauvin
// (2003), "A Neural Probabilistic Language Model", eq. 1 without the direct
// connections: y = b + U·tanh(d + H·x), x = the concatenated embeddings of the
// previous n−1 words. Positions before the sentence start read <s>, as an
// n-gram model pads its history.

import { tf } from './backend/index.js';
import { BOS } from '../../lib/formats/tokens.js';
import { dropout, embed, makeParam, type Batch, type ModelConfig, type NeuralLM } from './model.js';
import { mixSeed, uniformArray } from './random.js';
import { outputLayerFor } from './output.js';

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
  if (c.tie && c.hidden !== c.embed) throw new Error('window --tie needs --hidden equal to --embed');
  // Glorot-uniform on (hidden, count / hidden), as the full output matrix had.
  const out = outputLayerFor(c, c.hidden, C, (name, count) => uniformArray(count, Math.sqrt(6 / (c.hidden + count / c.hidden)), s(name === 'output_w' ? 2 : name === 'class_w' ? 3 : 4)));

  /** contexts: [N, n1] -> hidden layer [N, Hd] */
  const forward = (contexts: Int32Array, N: number, rate: number, seed: number): tf.Tensor2D => {
    const x = tf.reshape(embed(C, contexts), [N, inW]); // (N, n1·E)
    return dropout(tf.tanh(tf.add(tf.matMul(x, H), d)), rate, seed) as tf.Tensor2D; // (N, Hd)
  };

  return {
    config: c,
    params: [C, H, d, ...out.params],
    paramNames: ['embedding', 'hidden_w', 'hidden_b', ...out.paramNames],
    maxContext: Infinity,
    // Training batches are contexts already: inputs [B, n1], targets [B].
    trainLoss(batch: Batch, seed: number) {
      return tf.tidy(() => out.loss(forward(batch.inputs, batch.B, c.dropout, seed), batch.targets, batch.weights));
    },
    logits(inputs, B, T) {
      return tf.tidy(() => out.logits(forward(windowContexts(inputs, B, T, n1), B * T, 0, 0)));
    },
    scoreSequences(inputs, B, T, targets) {
      const h = tf.tidy(() => forward(windowContexts(inputs, B, T, n1), B * T, 0, 0));
      const lp = out.labelLogProbs(h, targets);
      h.dispose();
      return lp;
    },
  };
}
