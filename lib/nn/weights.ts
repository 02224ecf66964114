// A model's weights as TensorFlow.js artifacts: `weights.bin` (float32,
// little-endian, in manifest order) and the `weightsManifest` of model.json, so
// tf.io.decodeWeights and other tfjs tools read them. Shared by every neural stage.

import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../../pipeline/errors.js';
import { tf } from './backend/index.js';

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}
export type WeightsManifest = { paths: string[]; weights: WeightSpec[] }[];

export const WEIGHTS_FILE = 'weights.bin';

/** Write `params` to `dir/weights.bin`; returns the manifest to put in model.json. */
export function writeWeights(dir: string, params: readonly tf.Tensor[], names: readonly string[]): WeightsManifest {
  const fd = fs.openSync(path.join(dir, WEIGHTS_FILE), 'w');
  try {
    for (const p of params) {
      const a = p.dataSync() as Float32Array;
      fs.writeSync(fd, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    }
  } finally {
    fs.closeSync(fd);
  }
  return [{ paths: [WEIGHTS_FILE], weights: params.map((p, i) => ({ name: names[i]!, shape: p.shape as number[], dtype: 'float32' as const })) }];
}

/**
 * Assign `dir/weights.bin` to `params` by name. A file of the wrong size or a
 * missing weight is an InputError whose fix is `rerun`.
 */
export function loadWeightsInto(dir: string, manifest: WeightsManifest, params: readonly tf.Variable[], names: readonly string[], rerun: string): void {
  const file = path.join(dir, WEIGHTS_FILE);
  const buf = fs.readFileSync(file);
  const specs = manifest[0]!.weights;
  const need = specs.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (buf.length !== need) throw new InputError(file, `is ${buf.length} bytes, the manifest needs ${need}`, rerun);
  const named = tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length), specs);
  try {
    params.forEach((p, i) => {
      const t = named[names[i]!];
      if (!t) throw new InputError(path.join(dir, 'model.json'), `weight ${names[i]} is missing`, rerun);
      p.assign(t as tf.Tensor);
    });
  } finally {
    tf.dispose(Object.values(named));
  }
}
