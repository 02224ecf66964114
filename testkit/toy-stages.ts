// Two tiny stages for engine tests: `toy-source` reads the dataset and writes
// its word count; `toy-double` reads that and writes twice the count. They
// exercise the runner without depending on any real stage.

import fs from 'node:fs';
import path from 'node:path';
import { defineStage } from '../pipeline/stage.js';
import { registerStage, allStages } from '../pipeline/registry.js';

export const toySource = defineStage({
  name: 'toy-source',
  describe: 'count words of the dataset (test stage)',
  version: 1,
  inputs: [],
  source: true,
  params: {
    multiplier: { type: 'int', default: 1, min: 1, max: 100, describe: 'multiply the count' },
    'sleep-ms': { type: 'int', default: 0, min: 0, describe: 'sleep before writing (kill tests)', fingerprint: false },
    fail: { type: 'bool', default: false, describe: 'throw midway (atomicity tests)', fingerprint: false },
  },
  async run(ctx) {
    let words = 0;
    for (const f of await ctx.dataset!.files()) words += fs.readFileSync(f.path, 'utf8').split(/\s+/).filter(Boolean).length;
    fs.writeFileSync(path.join(ctx.outDir, 'partial.txt'), 'half written');
    if (ctx.params['sleep-ms'] > 0) await new Promise((r) => setTimeout(r, ctx.params['sleep-ms']));
    if (ctx.params.fail) throw new Error('toy-source failed on purpose');
    fs.writeFileSync(path.join(ctx.outDir, 'count.txt'), String(words * ctx.params.multiplier));
    return { rows: { 'count.txt': 1 }, metrics: { words } };
  },
});

export const toyDouble = defineStage({
  name: 'toy-double',
  describe: 'double the count (test stage)',
  version: 1,
  inputs: ['toy-source'],
  params: {},
  async run(ctx) {
    const n = Number(fs.readFileSync(path.join(ctx.input('toy-source').dir, 'count.txt'), 'utf8'));
    fs.writeFileSync(path.join(ctx.outDir, 'double.txt'), String(2 * n));
    return { rows: { 'double.txt': 1 } };
  },
});

export function registerToyStages(): void {
  if (!allStages().some((s) => s.name === 'toy-source')) {
    registerStage(toySource);
    registerStage(toyDouble);
  }
}

export const TOY = ['toy-source', 'toy-double'];
