// The WebAssembly SIMD GloVe update (stages/glove/simd.ts) against the plain-JS
// reference (update-js.ts, glove.c's loop line for line) on hand-made matrices:
// same W, gradsq and cost to 1e-12 relative after several epochs, for odd and
// even dims, with clipped gradients, weights above and below x_max, entries
// that glove.c skips (X = 0 gives an infinite diff), and slices that span
// several blocks.

import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { allocateParameters, initParameters } from '../stages/glove/parameters.js';
import { gloveModule } from '../stages/glove/simd.js';
import { BLOCK, trainGloveSlice, type GloveSettings, type GloveShared } from '../stages/glove/train.js';
import { tmpDir } from '../testkit/tmp.js';

/** The shuffled-file records of a V x V matrix (int32 i, int32 j, float32 X), in a pseudo-random order. */
function writeRecords(file: string, V: number, x: (i: number, j: number) => number): number {
  const recs: [number, number, number][] = [];
  for (let i = 0; i < V; i++) for (let j = 0; j < V; j++) if (x(i, j) >= 0) recs.push([i, j, x(i, j)]);
  for (let k = recs.length - 1; k > 0; k--) {
    const m = (k * 7919 + 13) % (k + 1);
    [recs[k], recs[m]] = [recs[m]!, recs[k]!];
  }
  const buf = new ArrayBuffer(recs.length * 12);
  const i32 = new Int32Array(buf);
  const f32 = new Float32Array(buf);
  recs.forEach(([i, j, w], k) => {
    i32[3 * k] = i;
    i32[3 * k + 1] = j;
    f32[3 * k + 2] = w;
  });
  fs.writeFileSync(file, new Uint8Array(buf));
  return recs.length;
}

function maxRelDiff(a: Float64Array, b: Float64Array): number {
  let worst = 0;
  for (let k = 0; k < a.length; k++) worst = Math.max(worst, Math.abs(a[k]! - b[k]!) / Math.max(1e-300, Math.abs(b[k]!)));
  return worst;
}

const simd = gloveModule() !== null;

const cases = [
  { name: 'dim 1 (scalar step only), V 7', V: 7, dim: 1, clip: 100 },
  { name: 'dim 4, V 7, clipped gradients', V: 7, dim: 4, clip: 0.002 },
  { name: 'dim 5 (pairs and an odd step), V 9', V: 9, dim: 5, clip: 100 },
  { name: 'dim 100, V 11', V: 11, dim: 100, clip: 100 },
  { name: 'dim 3, V 110: more entries than a block', V: 110, dim: 3, clip: 100 },
];

for (const c of cases)
  t.test(`SIMD update equals the JS reference: ${c.name}`, { skip: simd ? false : 'no WebAssembly SIMD in this engine' }, async (t) => {
    const file = path.join(tmpDir(t), 'shuffled.bin');
    // X above and below x_max, and a few X = 0 entries (log 0: glove.c skips them)
    const n = writeRecords(file, c.V, (i, j) => (i === j ? -1 : (i + 2 * j) % 13 === 0 ? 0 : ((i * 31 + j * 17) % 97) * 0.7 + 0.25));
    if (c.V > 100) t.ok(n > BLOCK, `${n} entries span blocks of ${BLOCK}`);
    const settings: GloveSettings = { eta: 0.05, xMax: 10, alpha: 0.75, gradClip: c.clip };
    const wasm = allocateParameters(c.V, c.dim, 2);
    t.ok(wasm.wasm, 'parameters in a wasm memory');
    initParameters(wasm.W, wasm.gradsq, c.dim, 3);
    const W0 = Float64Array.from(wasm.W);
    const js: GloveShared = { W: Float64Array.from(wasm.W), gradsq: Float64Array.from(wasm.gradsq), vocabSize: c.V, dim: c.dim };
    for (let epoch = 0; epoch < 8; epoch++) {
      // two slices in turn, the second through scratch slot 1, as two threads would (here one after the other)
      const half = Math.floor(n / 2);
      let costW = 0;
      let costJ = 0;
      for (const [slot, start, end] of [[0, 0, half], [1, half, n]] as const) {
        const a = trainGloveSlice({ shared: wasm, settings, file, start, end, slot });
        const b = trainGloveSlice({ shared: js, settings, file, start, end, slot });
        t.equal(a.entries, b.entries);
        costW += a.cost;
        costJ += b.cost;
      }
      if (!(Math.abs(costW - costJ) <= 1e-12 * costJ)) t.fail(`epoch ${epoch}: cost ${costW} vs ${costJ}`);
    }
    const dW = maxRelDiff(wasm.W, js.W);
    const dG = maxRelDiff(wasm.gradsq, js.gradsq);
    t.ok(dW <= 1e-12, `W within 1e-12 relative (${dW.toExponential(2)})`);
    t.ok(dG <= 1e-12, `gradsq within 1e-12 relative (${dG.toExponential(2)})`);
    t.ok(js.W.every(Number.isFinite) && wasm.W.every(Number.isFinite), 'no NaN or infinity reached W');
    t.ok(maxRelDiff(wasm.W, W0) > 0.1, 'training moved W');
  });
