// `sample --with-attention`: the Transformer's attention weights for a token
// sequence, one row per (layer, head, query position, key position ≤ query),
// written as an Arrow table.

import * as A from 'apache-arrow';
import { ArrowFileWriter, field, primitiveData } from '../../pipeline/arrow.js';
import { UsageError } from '../../pipeline/errors.js';
import { tf } from '../../lib/nn/backend/index.js';
import type { NeuralLM } from './model.js';
import type { AttentionMaps } from './transformer.js';

export const attentionSchema = new A.Schema([
  field('layer', new A.Int32()),
  field('head', new A.Int32()),
  field('query_pos', new A.Int32()),
  field('key_pos', new A.Int32()),
  field('weight', new A.Float32()),
]);

/**
 * Attention of `row` (ids starting with <s>; position 0 is <s>) through every
 * layer and head; the causal zeros above the diagonal are left out. Returns rows written.
 */
export async function writeAttention(model: NeuralLM, row: Int32Array, file: string): Promise<number> {
  const withAtt = model as NeuralLM & { attention?: (inputs: Int32Array, T: number) => { logits: tf.Tensor2D; maps: AttentionMaps } };
  if (model.config.arch !== 'transformer' || !withAtt.attention) throw new UsageError(`--with-attention needs a transformer model (this one is ${model.config.arch})`);
  const T = row.length;
  if (T > model.maxContext) throw new UsageError(`--with-attention: ${T} tokens exceed the model's context of ${model.maxContext}; ask for fewer tokens`);
  const { logits, maps } = withAtt.attention(row, T);
  logits.dispose();
  const H = model.config.heads;
  const n = maps.length * H * ((T * (T + 1)) / 2);
  const layer = new Int32Array(n);
  const head = new Int32Array(n);
  const q = new Int32Array(n);
  const k = new Int32Array(n);
  const w = new Float32Array(n);
  let i = 0;
  maps.forEach((m, l) => {
    const a = m.dataSync() as Float32Array; // (1, H, T, T)
    for (let h = 0; h < H; h++)
      for (let qi = 0; qi < T; qi++)
        for (let ki = 0; ki <= qi; ki++) {
          layer[i] = l;
          head[i] = h;
          q[i] = qi;
          k[i] = ki;
          w[i++] = a[(h * T + qi) * T + ki]!;
        }
  });
  tf.dispose(maps);
  const out = new ArrowFileWriter(file, attentionSchema);
  await out.writeColumns([primitiveData(new A.Int32(), layer), primitiveData(new A.Int32(), head), primitiveData(new A.Int32(), q), primitiveData(new A.Int32(), k), primitiveData(new A.Float32(), w)]);
  return out.close();
}
