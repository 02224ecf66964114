// Training with lexflow's later wasm kernels (batched matMul, the wide weight
// gradient by transpose, tiled transposes, fused softmax cross-entropy) gives the losses of the kernels before them: a few Adam steps
// of the LSTM and the Transformer LM, each run twice in one process, the kernels
// switched on and off (lib/nn/backend/switches.ts); losses equal to 1e-5 relative.

import t from 'tap';
import { selectBackend, tf } from '../lib/nn/backend/index.js';
import { kernelSwitches } from '../lib/nn/backend/switches.js';
import { Optimizer } from '../lib/nn/optimizer.js';
import { createModel } from '../stages/lm-neural/create.js';
import { disposeModel, type Arch, type ModelConfig } from '../stages/lm-neural/model.js';

/** Every switch on, or every one off (the kernels before them). */
function switchAll(on: boolean): void {
  for (const k of Object.keys(kernelSwitches) as (keyof typeof kernelSwitches)[]) kernelSwitches[k] = on;
}

function lossesOver(arch: Arch, on: boolean, steps: number): number[] {
  switchAll(on);
  const cfg: ModelConfig = { arch, vocab: 4099, embed: 16, hidden: arch === 'lstm' ? 16 : 32, layers: 2, heads: 2, context: 16, dropout: 0.1, tie: false, softmax: 'full', seed: 3 };
  const m = createModel(cfg);
  const o = new Optimizer('adam', m.params);
  // 256 tokens over 4099 types: large enough for the wide weight-gradient path and the tiled transposes.
  const [B, T] = [16, 16];
  const losses: number[] = [];
  for (let k = 0; k < steps; k++) {
    // The same batch every step (a learnable target); the LSTM carries its state across steps.
    const inputs = Int32Array.from({ length: B * T }, (_, i) => 1 + ((i * 13) % 4098));
    const targets = Int32Array.from({ length: B * T }, (_, i) => 1 + ((i * 11 + 3) % 4098));
    const weights = Float32Array.from({ length: B * T }, (_, i) => (i % 7 === 6 ? 0 : 1));
    const { value, grads } = tf.variableGrads(() => m.trainLoss({ inputs, targets, weights, B, T }, k), m.params);
    losses.push(value.dataSync()[0]!);
    const gl = m.params.map((p) => grads[p.name]!);
    o.apply(gl, 3e-3);
    m.commitState?.();
    tf.dispose([value, ...gl]);
  }
  o.dispose();
  disposeModel(m);
  switchAll(true);
  return losses;
}

for (const arch of ['lstm', 'transformer'] as const)
  t.test(`${arch}: 8 Adam steps give the same losses with the new kernels and the old`, async (t) => {
    await selectBackend('wasm');
    const fresh = lossesOver(arch, true, 8);
    const old = lossesOver(arch, false, 8);
    const worst = Math.max(...fresh.map((l, i) => Math.abs(l - old[i]!) / old[i]!));
    t.ok(worst <= 1e-5, `largest relative difference ${worst} (new ${fresh.map((l) => l.toFixed(5)).join(' ')}; old ${old.map((l) => l.toFixed(5)).join(' ')})`);
    t.ok(fresh[7]! < fresh[0]! - 0.02, `and the model learns (${fresh[0]} -> ${fresh[7]})`);
  });
