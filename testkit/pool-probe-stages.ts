// Two stages for the test that a run hands a finished stage's memory back
// before the next stage starts (test/engine/stage-memory.test.ts). Each runs one
// probe task per pool thread and writes what the tasks saw (probe.json);
// `probe-first` also allocates a large buffer on the main thread and drops it,
// and `probe-second` records how many ArrayBuffer bytes the main thread holds
// when it starts.

import fs from 'node:fs';
import path from 'node:path';
import { defineStage, type StageContext } from '../pipeline/stage.js';
import { allStages, registerStage } from '../pipeline/registry.js';
import type { ParamSchema } from '../pipeline/params.js';
import type { ProbeResult, ProbeTask } from './pool-probe.task.js';

export const PROBE_TASK = new URL('./pool-probe.task.js', import.meta.url).href;
export const PROBE_HOLD_BYTES = 32 << 20;
export const PROBE_MAIN_BYTES = 256 << 20;
/** How long each probe task keeps its thread busy. */
export const PROBE_BUSY_MS = 300;

export interface ProbeFile {
  tasks: ProbeResult[];
  /** process.memoryUsage().arrayBuffers when the stage started. */
  mainArrayBuffersAtStart: number;
}

async function probeTasks(ctx: StageContext<ParamSchema>, mainAtStart: number): Promise<Record<string, number>> {
  const task: ProbeTask = { holdBytes: PROBE_HOLD_BYTES, busyMs: PROBE_BUSY_MS };
  const step = ctx.progress.step('probing threads', ctx.pool.threads, 'tasks');
  const tasks = await Promise.all(
    [...Array(ctx.pool.threads)].map(async () => {
      const r = await ctx.pool.run<ProbeResult>(PROBE_TASK, task);
      step.tick();
      return r;
    }),
  );
  step.done();
  const out: ProbeFile = { tasks, mainArrayBuffersAtStart: mainAtStart };
  fs.writeFileSync(path.join(ctx.outDir, 'probe.json'), JSON.stringify(out));
  return { 'probe.json': 1 };
}

export const probeFirst = defineStage({
  name: 'probe-first',
  describe: 'hold memory in pool threads and on the main thread (test stage)',
  version: 1,
  inputs: [],
  source: true,
  params: {},
  async run(ctx) {
    const at = process.memoryUsage().arrayBuffers;
    // Dead when the stage returns, but V8 collects it only when this thread next needs memory.
    const big = new Uint8Array(PROBE_MAIN_BYTES).fill(2);
    const rows = await probeTasks(ctx, at);
    return { rows, metrics: { checksum: big[big.length - 1]! } };
  },
});

export const probeSecond = defineStage({
  name: 'probe-second',
  describe: 'report what the stage before left (test stage)',
  version: 1,
  inputs: ['probe-first'],
  params: {},
  async run(ctx) {
    return { rows: await probeTasks(ctx, process.memoryUsage().arrayBuffers) };
  },
});

export function registerProbeStages(): void {
  if (!allStages().some((s) => s.name === 'probe-first')) {
    registerStage(probeFirst);
    registerStage(probeSecond);
  }
}

export const PROBE = ['probe-first', 'probe-second'];
