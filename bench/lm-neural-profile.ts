// Where a training step of the neural LMs goes, kernel by kernel (issue 18):
//   node dist/bench/lm-neural-profile.js [--steps 2] [--arch lstm|transformer|both] [--softmax full|class]
// One step of bench/lm-neural's shapes (LSTM emb 200, 2×200, V 10k, B 20, T 35;
// Transformer d 128, 4 heads, 2 layers, FFN 512, T 64, B 32, V 10k) on random ids
// (time does not depend on the data), forward and backward under tf.profile;
// prints each kernel's total milliseconds and share of the step, the kernels of the
// output layer summed, and one JSON line. Kernel times are wall times of a shared
// machine: the shares are what carries over, not the milliseconds.

import os from 'node:os';
import { selectBackend, tf } from '../lib/nn/backend/index.js';
import { createModel } from '../stages/lm-neural/create.js';
import type { ModelConfig } from '../stages/lm-neural/model.js';
import type { SoftmaxKind } from '../lib/nn/output.js';
import { arg, randomIds as ids } from './common.js';

const steps = Number(arg('steps', '2'));
const which = arg('arch', 'both');
const softmax = arg('softmax', 'full') as SoftmaxKind;
const backend = await selectBackend('auto');
console.log(`backend: ${backend.name} (${backend.reason})`);
console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);

const shapes: Record<'lstm' | 'transformer', { cfg: ModelConfig; B: number; T: number }> = {
  lstm: { cfg: { arch: 'lstm', vocab: 10000, embed: 200, hidden: 200, layers: 2, heads: 1, context: 35, dropout: 0, tie: false, seed: 1, softmax }, B: 20, T: 35 },
  transformer: { cfg: { arch: 'transformer', vocab: 10000, embed: 128, hidden: 512, layers: 2, heads: 4, context: 64, dropout: 0, tie: false, seed: 1, softmax }, B: 32, T: 64 },
};


const report: Record<string, unknown> = { backend: backend.name };
for (const name of which === 'both' ? (['lstm', 'transformer'] as const) : [which as 'lstm' | 'transformer']) {
  const { cfg, B, T } = shapes[name];
  const m = createModel(cfg);
  const batch = (k: number) => ({ inputs: ids(B * T, cfg.vocab, 2 * k + 1), targets: ids(B * T, cfg.vocab, 2 * k + 2), B, T });
  const step = (k: number): void => {
    const { value, grads } = tf.variableGrads(() => m.trainLoss(batch(k), k), m.params);
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
    m.commitState?.();
  };
  step(0); // warm-up: kernels set up, XNNPACK operators created
  const byKernel = new Map<string, { ms: number; calls: number }>();
  let wall = 0;
  for (let k = 1; k <= steps; k++) {
    const t0 = performance.now();
    const info = await tf.profile(() => step(k));
    wall += performance.now() - t0;
    for (const kr of info.kernels) {
      // Composite ops (logSoftmax, customGrad) show up as scopes around kernels already counted.
      if (kr.name.endsWith('__op') || kr.name === 'unnamed scope') continue;
      // A matMul's cost depends on its shapes: keep them apart.
      const key = kr.name === 'BatchMatMul' ? `BatchMatMul ${kr.inputShapes.map((s) => (s ?? []).join('x')).join(' · ')}` : kr.name;
      const e = byKernel.get(key) ?? { ms: 0, calls: 0 };
      e.ms += (await kr.kernelTimeMs) as number;
      e.calls++;
      byKernel.set(key, e);
    }
  }
  const total = [...byKernel.values()].reduce((s, e) => s + e.ms, 0);
  console.log(`\n${name} (${softmax} softmax), ${steps} steps: ${(wall / steps).toFixed(0)} ms per step (profiled), kernels ${(total / steps).toFixed(0)} ms per step`);
  const rows = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms);
  for (const [k, e] of rows.slice(0, 18)) console.log(`  ${k.padEnd(40)} ${(e.ms / steps).toFixed(1).padStart(8)} ms  ${((100 * e.ms) / total).toFixed(1).padStart(5)}%  ${(e.calls / steps).toFixed(0)} calls`);
  report[name] = { ms_per_step: wall / steps, kernels: Object.fromEntries(rows.map(([k, e]) => [k, +(e.ms / steps).toFixed(2)])) };
  for (const p of m.params) p.dispose();
  m.resetState?.();
}
console.log(JSON.stringify(report));
