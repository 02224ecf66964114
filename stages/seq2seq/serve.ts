// The translate box of `lexflow serve`: a sentence in, the beam's best
// translations out (as `lexflow translate --beam K`, with the GNMT length
// penalty of Wu et al. 2016). The model and TensorFlow.js load on the first
// call, not when the server starts, and stay loaded until the stage is rerun.

import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../pipeline/errors.js';
import { UNK } from '../../lib/formats/tokens.js';
import type { ServeEndpoint } from '../../pipeline/serve-endpoint.js';
import type { LoadedSeq2Seq } from '../../lib/seq2seq/artifacts.js';

const MAX_CHARS = 2000;
const MAX_BEAM = 20;

const loaded = new Map<string, Promise<LoadedSeq2Seq>>();

function modelOf(dir: string, fingerprint: string): Promise<LoadedSeq2Seq> {
  const key = `${dir}\u0000${fingerprint}`;
  let p = loaded.get(key);
  if (!p) {
    p = (async () => {
      const [{ selectBackend }, { loadSeq2Seq }] = await Promise.all([import('../../lib/nn/backend/index.js'), import('../../lib/seq2seq/artifacts.js')]);
      await selectBackend('auto');
      return loadSeq2Seq(dir);
    })();
    p.catch(() => loaded.delete(key));
    for (const k of loaded.keys()) if (k.startsWith(`${dir}\u0000`)) loaded.delete(k); // a rerun stage: the old model goes
    loaded.set(key, p);
  }
  return p;
}

function number(args: Record<string, unknown>, name: string, dflt: number, ok: (v: number) => boolean, want: string): number {
  const v = args[name] === undefined || args[name] === '' ? dflt : Number(args[name]);
  if (!ok(v)) throw new UsageError(`${name}: ${want}`);
  return v;
}

export const translateEndpoint: ServeEndpoint = {
  name: 'translate',
  describe: 'translate a sentence with the seq2seq model: the beam best translations, best first (beam 1: greedy)',
  fields: (dir) =>
    fs.existsSync(path.join(dir, 'model', 'model.json'))
      ? [
          { name: 'text', type: 'text', default: '' },
          { name: 'beam', type: 'number', default: 4 },
          { name: 'length-penalty', type: 'number', default: 0.6 },
        ]
      : null,
  async call({ dir, fingerprint, args }) {
    const text = typeof args.text === 'string' ? args.text.trim() : '';
    if (text === '') throw new UsageError('text: give a sentence to translate');
    if (text.length > MAX_CHARS) throw new UsageError(`text: ${text.length} characters; give a sentence of at most ${MAX_CHARS}`);
    const beam = number(args, 'beam', 4, (v) => Number.isInteger(v) && v >= 1 && v <= MAX_BEAM, `give a whole number from 1 to ${MAX_BEAM}`);
    const alpha = number(args, 'length-penalty', 0.6, (v) => Number.isFinite(v) && v >= 0 && v <= 5, 'give a number from 0 (none) to 5');
    const m = await modelOf(dir, fingerprint);
    if (beam > m.model.config.tgtVocab) throw new UsageError(`beam: ${beam} is wider than the model's target vocabulary (${m.model.config.tgtVocab} types)`);
    const [{ beamTranslate, greedyTranslate }, { decode, encode }] = await Promise.all([import('../../lib/seq2seq/decode.js'), import('../../lib/seq2seq/pieces.js')]);
    const ids = encode(m.src, m.segmenter.source(text));
    if (ids.length === 0) throw new UsageError('text: no token in it; give a sentence with words');
    const unknown = ids.filter((id) => id === UNK).length;
    const best = beam === 1 ? greedyTranslate(m.model, [ids]) : beamTranslate(m.model, ids, beam, alpha);
    return {
      rows: best.map((t, i) => ({
        rank: i + 1,
        translation: decode(m.tgt, t.ids),
        'log p': t.logProb,
        ...(i === 0 ? { note: unknown ? `${unknown} of ${ids.length} source tokens unknown to the model (<unk>)` : `${m.source} → ${m.target}` } : { note: '' }),
      })),
    };
  },
};
