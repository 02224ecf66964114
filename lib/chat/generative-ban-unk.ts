// A generative bot never says <unk>. Its reply vocabulary leaves the rare
// training words out (--gen-min-count), so the model learns to predict <unk>
// for them (and a held-out perplexity has a finite cost for a word it cannot
// spell); but "<unk>" in a reply says nothing to a user. At decoding time the
// <unk> entry is removed and the others are renormalized, p(w | w ≠ <unk>),
// as OpenNMT-py's `ban_unk_token` does. Teacher-forced scoring (perplexity)
// keeps <unk> as a type, as a language model's perplexity does.

import { tf } from '../nn/backend/index.js';
import { UNK } from '../formats/tokens.js';
import type { Seq2SeqModel } from '../seq2seq/model.js';

/** Far below any log-probability, finite so that no Inf − Inf makes a NaN. */
const BANNED = -1e9;

/** `model` whose decoding steps give <unk> no probability (the rest renormalized); everything else is the model's own. */
export function withoutUnk(model: Seq2SeqModel): Seq2SeqModel {
  const banned: Seq2SeqModel = Object.create(model);
  let mask: tf.Tensor2D | undefined; // (1, V): BANNED at <unk>, 0 elsewhere; kept for the model's life
  banned.step = (enc, state, prev) => {
    const r = model.step(enc, state, prev);
    if (!mask) {
      const m = new Float32Array(r.logProbs.shape[1]);
      m[UNK] = BANNED;
      mask = tf.keep(tf.tensor2d(m, [1, m.length]));
    }
    const logProbs = tf.tidy(() => tf.logSoftmax(tf.add(r.logProbs, mask!)) as tf.Tensor2D);
    r.logProbs.dispose();
    return { ...r, logProbs };
  };
  return banned;
}
