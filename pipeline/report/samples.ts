// A sample from each language model of the run, with the decoders of
// `lexflow sample` (top-p 0.9, seed 1, from <s>), cached under the stage's
// fingerprint. An n-gram stage holds several models (models.json).

import fs from 'node:fs';
import path from 'node:path';
import { readBatches } from '../arrow.js';
import { languageModelKinds } from '../registry.js';
import type { RunInfo, Sample, Translation } from './data.js';
import { doneStages, manifestOf, type Cache } from './extract.js';

export const SAMPLE_SETTINGS = { strategy: 'top-p', p: 0.9, temperature: 1, seed: 1, maxTokens: 20, prompt: '' } as const;

/** The language models a run holds: [stage, model name or undefined for a one-model stage]. */
export function languageModels(run: RunInfo): { stage: string; model?: string; fingerprint: string }[] {
  const out: { stage: string; model?: string; fingerprint: string }[] = [];
  // Only the stages that declare a language-model kind: a seq2seq folder also holds model/model.json, but is no LM.
  const lmStages = new Set(languageModelKinds().map((k) => k.stage));
  for (const st of doneStages(run)) {
    if (!lmStages.has(st.name)) continue;
    const dir = path.join(run.dir, st.name);
    const modelsJson = path.join(dir, 'models.json');
    if (fs.existsSync(modelsJson)) {
      try {
        const info = JSON.parse(fs.readFileSync(modelsJson, 'utf8')) as { models?: Record<string, unknown> };
        for (const name of Object.keys(info.models ?? {})) out.push({ stage: st.name, model: name, fingerprint: st.fingerprint ?? '' });
      } catch {
        /* unreadable models.json: no samples from it */
      }
    } else if (fs.existsSync(path.join(dir, 'model', 'model.json'))) out.push({ stage: st.name, fingerprint: st.fingerprint ?? '' });
  }
  return out;
}

/** `cachedOnly`: only samples drawn by an earlier report (loading a model from disk costs seconds). */
export async function lmSamples(run: RunInfo, cache: Cache, notes: string[], cachedOnly = false, progress: (line: string) => void = () => {}): Promise<Sample[]> {
  const { runSample } = await import('../cli/sample.js');
  const out: Sample[] = [];
  let skipped = 0;
  for (const lm of languageModels(run)) {
    const s = SAMPLE_SETTINGS;
    const key = `sample-${lm.stage}-${lm.model ?? ''}-${lm.fingerprint}-${s.strategy}-${s.seed}-${s.maxTokens}`;
    if (cachedOnly && cache.peek(key) === undefined) {
      skipped++;
      continue;
    }
    try {
      const got = await cache.get(key, async () => {
        progress(`${lm.stage}${lm.model ? `/${lm.model}` : ''}: a sample (the model is loaded from disk)`);
        let text = '';
        const gens = await runSample(
          {
            model: path.join(run.dir, lm.stage),
            ...(lm.model ? { name: lm.model } : {}),
            strategy: s.strategy,
            prompt: s.prompt,
            'max-tokens': s.maxTokens,
            seed: s.seed,
            temperature: s.temperature,
            k: 10,
            p: s.p,
            beam: 1,
            count: 1,
          },
          (line) => (text += line),
        );
        return { text: text.split('\n')[0]!.replace(/^\S+\t/, ''), logProb: gens[0]?.logProb ?? NaN };
      });
      const arch = (manifestOf(run, lm.stage)?.metrics as { arch?: string } | undefined)?.arch;
      out.push({ stage: lm.stage, model: lm.model ?? arch ?? lm.stage, strategy: `${s.strategy} ${s.p}, seed ${s.seed}`, prompt: s.prompt, text: got.text, logProb: got.logProb });
    } catch (e) {
      notes.push(`${lm.stage}${lm.model ? `/${lm.model}` : ''}: no sample (${(e as Error).message.split('\n')[0]})`);
    }
  }
  if (skipped) notes.push(`samples: ${skipped} language model(s) not sampled here, to keep the end of \`lexflow run\` short; \`lexflow report\` draws them (each model is loaded from disk)`);
  return out;
}

export const TRANSLATIONS_FILE = 'translations.arrow';
const MAX_TRANSLATIONS = 20;

/**
 * The first translations of every stage folder holding a translations.arrow
 * (utf8 columns source and translation, and reference when there is one):
 * what a seq2seq stage writes for its test sentences.
 */
export async function stageTranslations(run: RunInfo, notes: string[]): Promise<Translation[]> {
  const out: Translation[] = [];
  for (const st of doneStages(run)) {
    const file = path.join(run.dir, st.name, TRANSLATIONS_FILE);
    if (!fs.existsSync(file)) continue;
    let n = 0;
    let total = 0;
    for await (const b of readBatches(file)) {
      const src = b.getChild('source');
      const hyp = b.getChild('translation');
      const ref = b.getChild('reference');
      if (!src || !hyp) {
        notes.push(`${st.name}/${TRANSLATIONS_FILE}: needs utf8 columns source and translation; not shown`);
        break;
      }
      total += b.numRows;
      for (let i = 0; i < b.numRows && n < MAX_TRANSLATIONS; i++, n++)
        out.push({ stage: st.name, source: String(src.get(i)), translation: String(hyp.get(i)), reference: ref ? String(ref.get(i)) : null });
    }
    if (total > n && n > 0) notes.push(`${st.name}: the first ${n} of ${total} translations`);
  }
  return out;
}
