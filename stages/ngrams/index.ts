// The ngrams stage: counts of every order 1..N over the train split, with `<s>`
// and `</s>` as KenLM counts them, in `ngrams/order-N.arrow` (w1..wN int32,
// count uint32), sorted by w1, ..., wN so that lookups and estimation stream.
//
//   1. counting n-grams     shard groups counted in parallel; past --memory, sorted runs spill to disk
//   2. merging runs         k-way merge of the order-N runs; lower orders derived from it (derive.ts), pruning by --prune

import fs from 'node:fs';
import path from 'node:path';
import { defineStage } from '../../pipeline/stage.js';
import { UsageError, InputError } from '../../pipeline/errors.js';
import { listTokenShards } from '../../lib/formats/tokens.js';
import type { CountResult, CountTask } from './count.js';
import type { DeriveTask } from './derive.js';
import { TASKS } from './tasks.js';

export const MAX_ORDER = 8;
export const NGRAMS_DIR = 'ngrams';

export function orderFile(dir: string, n: number): string {
  return path.join(dir, NGRAMS_DIR, `order-${n}.arrow`);
}

/** KenLM's --prune: one threshold per order, non-decreasing, the last repeated; unigrams are never pruned. */
export function pruneThresholds(given: number[], order: number): number[] {
  if (given.length > order) throw new UsageError(`--prune has ${given.length} thresholds but --order is ${order}`);
  for (let i = 1; i < given.length; i++)
    if (given[i]! < given[i - 1]!) throw new UsageError(`--prune thresholds must be non-decreasing (got ${given.join(',')})`);
  if (given[0]! !== 0) throw new UsageError(`--prune: unigrams cannot be pruned; the first threshold must be 0 (got ${given.join(',')})`);
  const out = given.slice();
  while (out.length < order) out.push(out[out.length - 1]!);
  return out;
}

export default defineStage({
  name: 'ngrams',
  describe: 'n-gram counts of orders 1..N with <s>/</s> (ngrams/order-N.arrow: w1..wN, count), external sort past --memory',
  version: 1,
  tasks: TASKS,
  inputs: ['tokenize'],
  params: {
    order: { type: 'int', default: 5, min: 1, max: MAX_ORDER, describe: 'highest n-gram order (1..8)' },
    memory: { type: 'size', default: '1G', fingerprint: false, describe: 'budget for the in-memory count tables; past it, sorted runs spill to disk' },
    prune: { type: 'numbers', default: [0], min: 0, describe: 'drop n-grams of order i with count <= the i-th value (KenLM --prune 0 0 1); the last value repeats' },
  },
  async run(ctx) {
    const order = ctx.params.order;
    const prune = pruneThresholds(ctx.params.prune, order);
    const tokDir = ctx.input('tokenize').dir;
    const shards = listTokenShards(tokDir, 'train');
    if (shards.length === 0)
      throw new InputError(path.join(tokDir, 'tokens'), 'no train shards (train-NNNNN.arrow)', 'Run the tokenize stage with a train split first');

    const spillDir = path.join(ctx.outDir, '.runs');
    fs.mkdirSync(spillDir, { recursive: true });
    fs.mkdirSync(path.join(ctx.outDir, NGRAMS_DIR), { recursive: true });

    // 1. Counting: one task per thread, shards dealt round-robin (each a bounded size).
    const tasks = Math.max(1, Math.min(ctx.pool.threads, shards.length));
    const perTask = Math.max(1 << 16, Math.floor(ctx.params.memory / tasks));
    const step1 = ctx.progress.step('1/2 counting n-grams', shards.length, 'shards');
    const results = await Promise.all(
      [...Array(tasks)].map(async (_, t) => {
        const task: CountTask = { shards: shards.filter((_, i) => i % tasks === t), order, memoryBytes: perTask, spillDir, tag: `t${t}` };
        const r = await ctx.pool.run<CountResult>(TASKS.count, task);
        step1.tick(task.shards.length);
        return r;
      }),
    );
    const sentences = results.reduce((s, r) => s + r.sentences, 0);
    const tokens = results.reduce((s, r) => s + r.tokens, 0);
    const spills = results.reduce((s, r) => s + r.spills, 0);
    step1.done(`${tokens} tokens, ${sentences} sentences, ${spills} spills past --memory`);
    if (sentences === 0) throw new InputError(path.join(tokDir, 'tokens'), 'the train split has no sentences', 'Check the corpus and the tokenize settings');
    if (spills > 0) ctx.log.info(`counting spilled ${spills} times past --memory ${ctx.params.memory} bytes`);

    // 2. Merging: one k-way merge of the order-N runs, lower orders derived on the way.
    // One pool task with nothing to count from here (it may run on another machine): no total, so no bar
    // stuck at 0 of N orders; a TTY shows the step's name while it runs.
    const step2 = ctx.progress.step('2/2 merging runs, deriving lower orders');
    const task: DeriveTask = {
      runs: [...Array(order)].map((_, k) => results.flatMap((r) => r.runs[k]!)),
      outFiles: [...Array(order)].map((_, k) => orderFile(ctx.outDir, k + 1)),
      prune,
    };
    const totals = await ctx.pool.run<number[]>(TASKS.derive, task);
    const rows: Record<string, number> = {};
    totals.forEach((n, k) => (rows[`${NGRAMS_DIR}/order-${k + 1}.arrow`] = n));
    step2.done(`${totals.join('/')} n-grams of orders 1-${order}`);
    fs.rmSync(spillDir, { recursive: true, force: true });
    return {
      rows,
      metrics: { order, sentences, tokens, spills, ngrams: totals, prune },
    };
  },
});
