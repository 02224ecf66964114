// A/B of lexflow's later wasm kernels inside one process (issue 18):
//   node dist/bench/lm-neural-kernels.js [--rounds 5] [--arch lstm|transformer|both] [--softmax full|class]
// At bench/lm-neural's shapes (random ids: time does not depend on the data), one
// gradient step (forward + backward, no optimizer, so every arm sees the same
// weights) under each arm, the arms alternating round by round so that they share
// the machine's load; the median per arm. Arms: every kernel on ("new"); each of
// kernelSwitches off alone; all off ("old": the kernels before issue 18's work).
// Also checks that every arm gives the same loss (relative difference printed).
// The last line is one JSON object.

import os from 'node:os';
import { selectBackend, tf } from '../lib/nn/backend/index.js';
import { kernelSwitches } from '../lib/nn/backend/switches.js';
import { createModel } from '../stages/lm-neural/create.js';
import type { ModelConfig } from '../stages/lm-neural/model.js';
import type { SoftmaxKind } from '../lib/nn/output.js';
import { arg, randomIds as ids } from './common.js';

const rounds = Number(arg('rounds', '5'));
const which = arg('arch', 'both');
const softmax = arg('softmax', 'full') as SoftmaxKind;
const backend = await selectBackend('wasm');
console.log(`backend: ${backend.name} (${backend.reason})`);
console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (the arms alternate, so they share whatever load there is)`);

const shapes: Record<'lstm' | 'transformer', { cfg: ModelConfig; B: number; T: number }> = {
  lstm: { cfg: { arch: 'lstm', vocab: 10000, embed: 200, hidden: 200, layers: 2, heads: 1, context: 35, dropout: 0, tie: false, seed: 1, softmax }, B: 20, T: 35 },
  transformer: { cfg: { arch: 'transformer', vocab: 10000, embed: 128, hidden: 512, layers: 2, heads: 4, context: 64, dropout: 0, tie: false, seed: 1, softmax }, B: 32, T: 64 },
};

type Switches = typeof kernelSwitches;
const names = Object.keys(kernelSwitches) as (keyof Switches)[];
const all = (on: boolean): Switches => Object.fromEntries(names.map((k) => [k, on])) as Switches;
const arms: { name: string; set: Switches }[] = [
  { name: 'new', set: all(true) },
  ...names.map((k) => ({ name: `without ${k}`, set: { ...all(true), [k]: false } })),
  { name: 'old', set: all(false) },
];


const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const report: Record<string, unknown> = { backend: backend.name, rounds, softmax, load_average: os.loadavg()[0] };
for (const name of which === 'both' ? (['lstm', 'transformer'] as const) : [which as 'lstm' | 'transformer']) {
  const { cfg, B, T } = shapes[name];
  const m = createModel(cfg);
  const batch = { inputs: ids(B * T, cfg.vocab, 1), targets: ids(B * T, cfg.vocab, 2), B, T };
  const step = (): { ms: number; loss: number } => {
    m.resetState?.(); // the same start state in every arm
    const t0 = performance.now();
    const { value, grads } = tf.variableGrads(() => m.trainLoss(batch, 1), m.params);
    const loss = value.dataSync()[0]!;
    for (const g of Object.values(grads)) g.dataSync(); // every gradient computed
    const ms = performance.now() - t0;
    tf.dispose([value, ...Object.values(grads)]);
    return { ms, loss };
  };
  const times = new Map(arms.map((a) => [a.name, [] as number[]]));
  const losses = new Map<string, number>();
  for (let r = -1; r < rounds; r++)
    for (const a of r % 2 ? arms : [...arms].reverse()) {
      Object.assign(kernelSwitches, a.set);
      const { ms, loss } = step();
      if (r >= 0) times.get(a.name)!.push(ms); // round −1 warms every arm up
      losses.set(a.name, loss);
    }
  Object.assign(kernelSwitches, arms[0]!.set);
  const old = median(times.get('old')!);
  console.log(`\n${name} (${softmax} softmax, B ${B}, T ${T}): median ms per gradient step over ${rounds} rounds`);
  const out: Record<string, unknown> = {};
  for (const a of arms) {
    const ms = median(times.get(a.name)!);
    const dLoss = Math.abs(losses.get(a.name)! - losses.get('old')!) / Math.abs(losses.get('old')!);
    console.log(`  ${a.name.padEnd(26)} ${ms.toFixed(0).padStart(6)} ms  ${((B * T * 1000) / ms).toFixed(0).padStart(6)} tok/s  ${(old / ms).toFixed(2)}x of old  loss ${losses.get(a.name)!.toFixed(6)} (rel. diff from old ${dLoss.toExponential(1)})`);
    out[a.name] = { ms, tokens_per_s: (B * T * 1000) / ms, speedup: old / ms, loss_rel_diff: dLoss };
  }
  report[name] = out;
  for (const p of m.params) p.dispose();
  m.resetState?.();
}
console.log(JSON.stringify(report));
