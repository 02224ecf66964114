// The model calls of `lexflow serve`: one entry per box on the page. An entry
// says which outputs it needs (`fields` returns null when the run has none, and
// the box is not shown), the form fields the page draws for it, and `call`,
// which answers with rows (a table) or text. The engine's own boxes (vectors,
// language models: every stage of those kinds is read the same way) are here;
// a stage's own model (translate, chat) is a box the stage declares in
// `defineStage({ serve })` (pipeline/serve-endpoint.ts), found through the registry.

import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { loadEmbeddings, type LoadedEmbeddings } from '../../lib/formats/vectors.js';
import { analogyQuery, nearest } from '../../lib/embeddings/neighbors.js';
import { lookupWord } from '../../lib/embeddings/wordsim.js';
import { languageModelKinds, serveEndpoints } from '../registry.js';
import type { ServeAnswer, ServeField } from '../serve-endpoint.js';
import { STRATEGIES } from '../cli/sample.js';
import { loadLanguageModel } from '../../lib/lm/find-model.js';
import type { LoadedLanguageModel } from '../../lib/lm/language-model.js';
import { greedy, type Generation } from '../../lib/lm/greedy.js';
import { beamSearch } from '../../lib/lm/beam.js';
import { sample } from '../../lib/lm/sampling.js';
import { seededRandom } from '../../lib/random/seeded.js';
import type { RunInfo } from './data.js';
import { doneStages } from './extract.js';
import { languageModels } from './samples.js';

export type Field = ServeField;
export type Answer = ServeAnswer;

export interface Endpoint {
  name: string;
  describe: string;
  fields(run: RunInfo): Field[] | null;
  /** `session` names the browser page that calls (a chat keeps its turns per page). */
  call(run: RunInfo, args: Record<string, unknown>, session: string): Promise<Answer>;
}

export function embeddingStages(run: RunInfo): string[] {
  return doneStages(run)
    .filter((s) => fs.existsSync(path.join(run.dir, s.name, 'embeddings.arrow')))
    .map((s) => s.name);
}

// Vectors stay loaded between calls; a rerun stage (new fingerprint) is loaded again.
const loaded = new Map<string, Promise<LoadedEmbeddings>>();
function vectorsOf(run: RunInfo, stage: string): Promise<LoadedEmbeddings> {
  if (!embeddingStages(run).includes(stage)) throw new UsageError(`embeddings "${stage}": not an embedding stage of this run; choose one of ${embeddingStages(run).join(', ') || '(none yet)'}`);
  const fp = run.stages.find((s) => s.name === stage)?.fingerprint ?? '';
  const key = `${run.dir}\u0000${stage}\u0000${fp}`;
  let p = loaded.get(key);
  if (!p) {
    p = loadEmbeddings(path.join(run.dir, stage, 'embeddings.arrow'));
    p.catch(() => loaded.delete(key));
    loaded.set(key, p);
  }
  return p;
}

function text(args: Record<string, unknown>, name: string): string {
  const v = args[name];
  if (typeof v !== 'string' || v.trim() === '') throw new UsageError(`${name}: give a word`);
  return v.trim();
}

function count(args: Record<string, unknown>, name: string, dflt: number, max: number): number {
  const v = args[name] === undefined || args[name] === '' ? dflt : Number(args[name]);
  if (!Number.isInteger(v) || v < 1 || v > max) throw new UsageError(`${name}: give a whole number from 1 to ${max}`);
  return v;
}

function rowOf(emb: LoadedEmbeddings, word: string): number {
  const r = emb.index.get(word) ?? lookupWord(emb.index, word);
  if (r < 0) throw new UsageError(`"${word}" has no vector in these embeddings`);
  return r;
}

export const ENDPOINTS: Endpoint[] = [
  {
    name: 'neighbors',
    describe: 'nearest words by cosine similarity, over the whole vocabulary',
    fields: (run) => {
      const st = embeddingStages(run);
      return st.length ? [{ name: 'embeddings', type: 'text', choices: st, default: st[0] }, { name: 'word', type: 'text', default: 'king' }, { name: 'k', type: 'number', default: 10 }] : null;
    },
    async call(run, args) {
      const emb = await vectorsOf(run, String(args.embeddings ?? embeddingStages(run)[0]));
      const r = rowOf(emb, text(args, 'word'));
      const best = nearest(emb.unit, emb.dim, emb.unit.subarray(r * emb.dim, (r + 1) * emb.dim), count(args, 'k', 10, 100), new Set([r]));
      return { rows: best.map((n, i) => ({ rank: i + 1, word: emb.tokens[n.row]!, cosine: n.cosine })) };
    },
  },
  {
    name: 'analogy',
    describe: 'a is to b as c is to ? (nearest words to b − a + c)',
    fields: (run) => {
      const st = embeddingStages(run);
      return st.length
        ? [{ name: 'embeddings', type: 'text', choices: st, default: st[0] }, { name: 'a', type: 'text', default: 'man' }, { name: 'b', type: 'text', default: 'king' }, { name: 'c', type: 'text', default: 'woman' }, { name: 'k', type: 'number', default: 5 }]
        : null;
    },
    async call(run, args) {
      const emb = await vectorsOf(run, String(args.embeddings ?? embeddingStages(run)[0]));
      const [a, b, c] = ['a', 'b', 'c'].map((n) => rowOf(emb, text(args, n))) as [number, number, number];
      const best = nearest(emb.unit, emb.dim, analogyQuery(emb.unit, emb.dim, a, b, c), count(args, 'k', 5, 100), new Set([a, b, c]));
      return { rows: best.map((n, i) => ({ rank: i + 1, word: emb.tokens[n.row]!, cosine: n.cosine })) };
    },
  },
  {
    name: 'sample',
    describe: 'text from a language model (as lexflow sample: top-k 10, top-p 0.9, beam 3)',
    fields: (run) => {
      const lms = languageModels(run).map((m) => (m.model ? `${m.stage}/${m.model}` : m.stage));
      return lms.length
        ? [
            { name: 'model', type: 'text', choices: lms, default: lms[0] },
            { name: 'prompt', type: 'text', default: 'the' },
            { name: 'strategy', type: 'text', choices: ['greedy', 'beam', 'temperature', 'top-k', 'top-p'], default: 'top-p' },
            { name: 'max-tokens', type: 'number', default: 20 },
            { name: 'seed', type: 'number', default: 1 },
          ]
        : null;
    },
    async call(run, args) {
      const lms = languageModels(run);
      const want = String(args.model ?? '');
      const lm = lms.find((m) => (m.model ? `${m.stage}/${m.model}` : m.stage) === want);
      if (!lm) throw new UsageError(`model "${want}": choose one of ${lms.map((m) => (m.model ? `${m.stage}/${m.model}` : m.stage)).join(', ')}`);
      const strategy = String(args.strategy ?? 'top-p');
      if (!(STRATEGIES as readonly string[]).includes(strategy)) throw new UsageError(`strategy "${strategy}": choose one of ${STRATEGIES.join(', ')}`);
      const seed = Number(args.seed ?? 1);
      if (!Number.isInteger(seed)) throw new UsageError('seed: give a whole number');
      const max = count(args, 'max-tokens', 20, 200);
      const loaded = await languageModelOf(run, lm.stage, lm.model, lm.fingerprint);
      const prompt = loaded.encodePrompt(String(args.prompt ?? ''));
      const gens: Generation[] =
        strategy === 'greedy'
          ? [await greedy(loaded.model, prompt, max)]
          : strategy === 'beam'
            ? await beamSearch(loaded.model, prompt, max, 3)
            : [await sample(loaded.model, prompt, max, strategy === 'top-k' ? { temperature: 1, topK: 10 } : strategy === 'top-p' ? { temperature: 1, topP: 0.9 } : { temperature: 1 }, seededRandom(seed))];
      return { rows: gens.map((g) => ({ 'log p': g.logProb, text: loaded.spell([...prompt, ...g.ids]) + (g.finished ? ' </s>' : '') })) };
    },
  },
];

// A model stays loaded between calls (loading one from disk takes seconds); a rerun stage is loaded again.
const models = new Map<string, Promise<LoadedLanguageModel>>();
function languageModelOf(run: RunInfo, stage: string, name: string | undefined, fingerprint: string): Promise<LoadedLanguageModel> {
  const key = `${run.dir}\u0000${stage}\u0000${name ?? ''}\u0000${fingerprint}`;
  let p = models.get(key);
  if (!p) {
    p = loadLanguageModel(languageModelKinds(), path.join(run.dir, stage), name ? { name } : {});
    p.catch(() => models.delete(key));
    models.set(key, p);
  }
  return p;
}

/** The boxes stages declare, each over that stage's folder when the run has finished it. */
function stageEndpoints(): Endpoint[] {
  return serveEndpoints().map(({ stage, endpoint }) => {
    const done = (run: RunInfo) => doneStages(run).find((s) => s.name === stage);
    return {
      name: endpoint.name,
      describe: endpoint.describe,
      fields(run) {
        const st = done(run);
        return st ? endpoint.fields(path.join(run.dir, stage)) : null;
      },
      call(run, args, session) {
        const st = done(run);
        if (!st) throw new UsageError(`${endpoint.name}: the ${stage} stage has not finished in this run`);
        return endpoint.call({ dir: path.join(run.dir, stage), fingerprint: st.fingerprint ?? '', args, session });
      },
    };
  });
}

/** Every box: the engine's, then the stages'. */
export function allEndpoints(): Endpoint[] {
  return [...ENDPOINTS, ...stageEndpoints()];
}

export function availableEndpoints(run: RunInfo): { name: string; describe: string; fields: Field[] }[] {
  const out: { name: string; describe: string; fields: Field[] }[] = [];
  for (const e of allEndpoints()) {
    const fields = e.fields(run);
    if (fields) out.push({ name: e.name, describe: e.describe, fields });
  }
  return out;
}
