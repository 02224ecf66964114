// The stage registry: stages/index.ts registers every stage, one line each.
// Order of registration is irrelevant; the DAG order comes from `inputs`.

import { UsageError } from './errors.js';
import type { ParamSchema } from './params.js';
import type { StageDef } from './stage.js';
import type { LanguageModelKind, TokenizerKind } from '../lib/lm/language-model.js';
import type { ServeEndpoint } from './serve-endpoint.js';

import { STAGES } from '../stages/index.js';

const stages = new Map<string, StageDef>();

export function registerStage<P extends ParamSchema>(def: StageDef<P>): void {
  if (stages.has(def.name)) throw new Error(`stage ${def.name} registered twice`);
  stages.set(def.name, def as unknown as StageDef);
}

for (const s of STAGES) registerStage(s);

export function getStage(name: string): StageDef {
  const s = stages.get(name);
  if (!s) throw new UsageError(`unknown stage "${name}"; stages: ${[...stages.keys()].join(', ')}`);
  return s;
}

export function allStages(): StageDef[] {
  return [...stages.values()];
}

/** Every kind of language model the registered stages write, for `sample` and `eval ppl`. */
export function languageModelKinds(): LanguageModelKind[] {
  return allStages().flatMap((s) => (s.languageModel ? [s.languageModel] : []));
}

/** Every tokenizer file the registered stages write (subword's tokenizer.json). */
export function tokenizerKinds(): TokenizerKind[] {
  return allStages().flatMap((s) => (s.tokenizer ? [s.tokenizer] : []));
}

/** Every box of `lexflow serve` a registered stage declares, with the stage that declares it. */
export function serveEndpoints(): { stage: string; endpoint: ServeEndpoint }[] {
  return allStages().flatMap((s) => (s.serve ?? []).map((endpoint) => ({ stage: s.name, endpoint })));
}

/** Stages in dependency order (inputs first); ties by registration order. Throws on a cycle or a missing input. */
export function topoOrder(defs: readonly StageDef[] = allStages()): StageDef[] {
  const byName = new Map(defs.map((d) => [d.name, d]));
  const out: StageDef[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (d: StageDef, chain: string[]): void => {
    const st = state.get(d.name);
    if (st === 'done') return;
    if (st === 'visiting') throw new Error(`stage cycle: ${[...chain, d.name].join(' -> ')}`);
    state.set(d.name, 'visiting');
    for (const inp of d.inputs) {
      const up = byName.get(inp);
      if (!up) throw new Error(`stage ${d.name} needs input "${inp}", which is not registered`);
      visit(up, [...chain, d.name]);
    }
    state.set(d.name, 'done');
    out.push(d);
  };
  for (const d of defs) visit(d, []);
  return out;
}

/** Every stage downstream of `name` (not including it). */
export function downstreamOf(name: string, defs: readonly StageDef[] = allStages()): Set<string> {
  const out = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const d of defs) {
      if (out.has(d.name)) continue;
      if (d.inputs.some((i) => i === name || out.has(i))) {
        out.add(d.name);
        grew = true;
      }
    }
  }
  return out;
}
