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
/** Sentences shown per split: each under every setting, so the settings can be compared on the same sentences. */
export const SENTENCES_PER_SPLIT = 4;

/** `k` of the sorted distinct ids, evenly spaced (the first, then every (n/k)-th): reproducible, and spread over the split. */
export function spreadIds(ids: Int32Array, k: number): number[] {
  const sorted = Int32Array.from(new Set(ids)).sort();
  if (sorted.length <= k) return Array.from(sorted);
  return Array.from({ length: k }, (_, i) => sorted[Math.floor((i * sorted.length) / k)]!);
}

/**
 * A few translations of every stage folder holding a translations.arrow: per
 * split, SENTENCES_PER_SPLIT sentences spread over it, each under every
 * decoding setting, ordered split, sentence, setting. Read in two passes over
 * the record batches (ids first, then the chosen rows), so a large table is
 * never held whole.
 */
export async function stageTranslations(run: RunInfo, notes: string[]): Promise<Translation[]> {
  const out: Translation[] = [];
  for (const st of doneStages(run)) {
    const file = path.join(run.dir, st.name, TRANSLATIONS_FILE);
    if (!fs.existsSync(file)) continue;
    // Pass 1: the ids of each split, and the settings.
    const idsBySplit = new Map<string, number[]>();
    const settings = new Set<string>();
    let missing: string[] = [];
    for await (const b of readBatches(file)) {
      missing = ['id', 'source', 'hypothesis', 'split', 'setting'].filter((c) => !b.getChild(c));
      if (missing.length) break;
      const id = b.getChild('id')!;
      const split = b.getChild('split')!;
      const setting = b.getChild('setting')!;
      for (let i = 0; i < b.numRows; i++) {
        const sp = String(split.get(i));
        let l = idsBySplit.get(sp);
        if (!l) idsBySplit.set(sp, (l = []));
        l.push(Number(id.get(i)));
        settings.add(String(setting.get(i)));
      }
    }
    if (missing.length) {
      notes.push(`${st.name}/${TRANSLATIONS_FILE}: needs columns id, source, hypothesis, split, setting (has no ${missing.join(', ')}); not shown`);
      continue;
    }
    if (idsBySplit.size === 0) continue;
    const chosen = new Map<string, Set<number>>();
    const said: string[] = [];
    for (const [sp, ids] of idsBySplit) {
      const all = Int32Array.from(ids);
      const pick = spreadIds(all, SENTENCES_PER_SPLIT);
      chosen.set(sp, new Set(pick));
      const distinct = new Set(ids).size;
      said.push(`${pick.length} of ${distinct} ${sp} sentences`);
    }
    // Pass 2: the chosen rows.
    const rows: Translation[] = [];
    for await (const b of readBatches(file)) {
      const [id, source, hypothesis, reference, score, split, setting] = ['id', 'source', 'hypothesis', 'reference', 'score', 'split', 'setting'].map((c) => b.getChild(c));
      for (let i = 0; i < b.numRows; i++) {
        const sp = String(split!.get(i));
        const n = Number(id!.get(i));
        if (!chosen.get(sp)?.has(n)) continue;
        const sc = score?.get(i);
        const ref = reference?.get(i);
        rows.push({
          stage: st.name,
          id: n,
          split: sp,
          setting: String(setting!.get(i)),
          source: String(source!.get(i)),
          hypothesis: String(hypothesis!.get(i)),
          reference: ref === null || ref === undefined ? null : String(ref),
          score: sc === null || sc === undefined || !Number.isFinite(Number(sc)) ? null : Number(Number(sc).toPrecision(6)),
        });
      }
    }
    const splitOrder = (s: string): number => (['test', 'valid', 'train'].indexOf(s) + 4) % 4; // test first, unknown splits last
    rows.sort((a, b) => splitOrder(a.split) - splitOrder(b.split) || a.split.localeCompare(b.split) || a.id - b.id || a.setting.localeCompare(b.setting));
    out.push(...rows);
    notes.push(`${st.name} translations: ${said.join(', ')} (spread evenly over each split), each under every setting (${[...settings].sort().join(', ')})`);
  }
  return out;
}
