// The glove stage: GloVe vectors (Pennington et al. 2014) from the cooccur
// stage's matrix, trained as GloVe's `shuffle` + `glove` do it:
//   1. shuffle the entries with bounded memory (shuffle.ts)
//   2. each epoch, every pool thread takes its slice of the shuffled entries and
//      updates the shared W and AdaGrad sums without locks (Hogwild), a block of
//      entries per call of the WebAssembly SIMD kernel (train.ts, simd.ts); the
//      cost per epoch is printed as GloVe prints it
//   3. write W + W~ (--model 2, GloVe's default) or W (--model 1)
// A checkpoint after each epoch lets a killed run continue.

import fs from 'node:fs';
import path from 'node:path';
import { readBatches } from '../../pipeline/arrow.js';
import { InputError } from '../../pipeline/errors.js';
import { inputRows } from '../../pipeline/input-rows.js';
import { hogwild } from '../../pipeline/stage.js';
import { defineStage, type StageContext } from '../../pipeline/stage.js';
import { writeVectorFiles } from '../../lib/formats/vector-files.js';
import { gloveParams } from './params.js';
import { allocateParameters, initParameters, viewBytes } from './parameters.js';
import { RECORD_BYTES, shuffleCooccurrences } from './shuffle.js';
import type { GloveEpochResult, GloveEpochTask } from './train.js';
import { TASKS } from './tasks.js';

type Ctx = StageContext<typeof gloveParams>;

interface GloveCheckpoint {
  epoch: number;
  costs: number[];
  seconds: number[];
}

/** The matrix vocabulary in index order: marginals.arrow lists (id, token) per row. */
async function readMatrixVocab(dir: string): Promise<{ tokens: string[]; indexOf: Map<number, number> }> {
  const file = path.join(dir, 'marginals.arrow');
  if (!fs.existsSync(file)) throw new InputError(file, 'missing (the vocabulary of cooccur.arrow)', 'Rerun the cooccur stage');
  const tokens: string[] = [];
  const indexOf = new Map<number, number>();
  for await (const b of readBatches(file)) {
    const id = b.getChild('id');
    const tok = b.getChild('token');
    if (!id || !tok) throw new InputError(file, 'needs columns id and token', 'Rerun the cooccur stage');
    for (let i = 0; i < b.numRows; i++) {
      indexOf.set(id.get(i) as number, tokens.length);
      tokens.push(tok.get(i) as string);
    }
  }
  return { tokens, indexOf };
}

export default defineStage({
  name: 'glove',
  describe: 'GloVe vectors: AdaGrad weighted least squares on the co-occurrence matrix, Hogwild across the pool',
  version: 2, // 2: SIMD update (the dot product sums in pairs, so vectors differ from 1 in the last bits)
  tasks: TASKS,
  inputs: ['cooccur'],
  params: gloveParams,
  async run(ctx: Ctx) {
    const p = ctx.params;
    const dir = ctx.input('cooccur').dir;
    const cooccurFile = path.join(dir, 'cooccur.arrow');
    const { tokens, indexOf } = await readMatrixVocab(dir);
    const V = tokens.length;
    const dim = p.dim;
    if (V < 2) throw new InputError(path.join(dir, 'marginals.arrow'), `the matrix has ${V} word(s)`, 'Lower the cooccur stage\'s --min-count or use a larger corpus');
    fs.mkdirSync(ctx.checkpointDir, { recursive: true });

    // 1. Shuffle (kept in the checkpoint folder, so a resumed run reuses it)
    const shuffled = path.join(ctx.checkpointDir, 'shuffled.bin');
    const shuffledDone = path.join(ctx.checkpointDir, 'shuffled.json');
    let entries: number;
    if (fs.existsSync(shuffledDone)) {
      entries = (JSON.parse(fs.readFileSync(shuffledDone, 'utf8')) as { entries: number }).entries;
    } else {
      // Two passes (shuffled chunks, then their merge) over every entry.
      const step = ctx.progress.step('shuffling co-occurrences (2 passes)', 2 * (await inputRows(ctx.input('cooccur'), 'cooccur.arrow')), 'entries');
      entries = await shuffleCooccurrences(cooccurFile, indexOf, shuffled, ctx.checkpointDir, p['shuffle-chunk'], p.seed, (n) => step.tick(n));
      fs.writeFileSync(shuffledDone, JSON.stringify({ entries }));
      step.done(`${entries} entries`);
    }
    if (entries === 0) throw new InputError(cooccurFile, 'has no entries', 'Rerun the cooccur stage on a corpus with sentences of two words or more');
    if (fs.statSync(shuffled).size !== entries * RECORD_BYTES) throw new Error(`${shuffled}: size does not match ${entries} entries`);

    // 2. Parameters, fresh or from the last epoch's checkpoint
    const threads = ctx.pool.threads;
    const shared = allocateParameters(V, dim, threads);
    const { W, gradsq } = shared;
    const ckFile = path.join(ctx.checkpointDir, 'epoch.json');
    const weightsFile = path.join(ctx.checkpointDir, 'weights.bin');
    let state: GloveCheckpoint = { epoch: 0, costs: [], seconds: [] };
    if (fs.existsSync(ckFile) && fs.existsSync(weightsFile)) {
      state = JSON.parse(fs.readFileSync(ckFile, 'utf8')) as GloveCheckpoint;
      const fd = fs.openSync(weightsFile, 'r');
      fs.readSync(fd, viewBytes(W), 0, W.byteLength, 0);
      fs.readSync(fd, viewBytes(gradsq), 0, gradsq.byteLength, W.byteLength);
      fs.closeSync(fd);
      ctx.log.info(`glove: resuming after epoch ${state.epoch}`);
    } else {
      initParameters(W, gradsq, dim, p.seed);
    }
    ctx.log.info(`glove: ${V} words, ${entries} entries, dim ${dim}, x-max ${p['x-max']}, alpha ${p.alpha}, ${threads} threads, ${shared.wasm ? 'WebAssembly SIMD' : 'JS'} update`);

    // 3. Epochs: threads take equal slices, as glove.c's lines_per_thread
    const settings = { eta: p.eta, xMax: p['x-max'], alpha: p.alpha, gradClip: p['grad-clip'] };
    const step = ctx.progress.step('training GloVe', p.epochs, 'epochs');
    step.set(state.epoch);
    for (let epoch = state.epoch; epoch < p.epochs; epoch++) {
      const t0 = performance.now();
      const per = Math.floor(entries / threads);
      const results = await Promise.all(
        Array.from({ length: threads }, (_, t) => {
          const task: GloveEpochTask = { shared, settings, file: shuffled, start: per * t, end: t === threads - 1 ? entries : per * (t + 1), slot: t };
          return ctx.pool.run<GloveEpochResult>(TASKS.train, task);
        }),
      );
      const cost = results.reduce((s, r) => s + r.cost, 0) / entries;
      const seconds = (performance.now() - t0) / 1000;
      state = { epoch: epoch + 1, costs: [...state.costs, cost], seconds: [...state.seconds, seconds] };
      ctx.log.info(`glove: iter: ${String(epoch + 1).padStart(3, '0')}, cost: ${cost.toFixed(6)}`);
      // checkpoint: weights first, then the epoch record that names them done
      const tmp = `${weightsFile}.tmp`;
      const fd = fs.openSync(tmp, 'w');
      fs.writeSync(fd, viewBytes(W));
      fs.writeSync(fd, viewBytes(gradsq));
      fs.closeSync(fd);
      fs.renameSync(tmp, weightsFile);
      fs.writeFileSync(ckFile, JSON.stringify(state));
      step.set(epoch + 1);
    }
    step.done(`final cost ${state.costs.at(-1)?.toFixed(6)}`);

    // 4. Output: W + W~ (model 2) or W (model 1), without biases
    const vectors = new Float32Array(V * dim);
    const stride = dim + 1;
    for (let a = 0; a < V; a++)
      for (let b = 0; b < dim; b++) vectors[a * dim + b] = W[a * stride + b]! + (p.model === 2 ? W[(V + a) * stride + b]! : 0);
    const rows = await writeVectorFiles(ctx.outDir, { arrow: 'embeddings', base: 'vectors' }, { tokens, dim, vectors }, (m) => ctx.warn(m));
    return {
      ...(threads > 1 ? { notReproducible: hogwild(threads) } : {}),
      rows,
      metrics: { vocabSize: V, entries, epochs: p.epochs, costPerEpoch: state.costs, secondsPerEpoch: state.seconds, finalCost: state.costs.at(-1) },
    };
  },
});
