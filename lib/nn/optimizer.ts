// Adam (Kingma & Ba 2015, Algorithm 1) and plain SGD over a list of tf.Variables,
// written out so that their state is a list of arrays: a checkpoint saves it and
// a resumed run continues bit for bit. Gradient clipping by global norm
// (Pascanu et al. 2013) happens before the update. On wasm an Adam update is one
// SIMD pass per parameter (backend/wasm-adam.ts).

import { tf } from './backend/index.js';
import { assignArrays } from './params.js';
import { kernelSwitches } from './backend/switches.js';
import { adamAvailable, adamUpdate } from './backend/wasm-adam.js';

/* eslint-disable-next-line @typescript-eslint/no-explicit-any */
function fusedAdamBackend(): any {
  if (!kernelSwitches.fusedAdam || tf.getBackend() !== 'wasm') return undefined;
  const backend = tf.backend();
  return adamAvailable(backend) ? backend : undefined;
}

export type OptimizerKind = 'adam' | 'sgd';

export interface OptimizerState {
  kind: OptimizerKind;
  /** Updates applied so far (Adam's t). */
  t: number;
  /** Adam's first and second moments, two per parameter, in parameter order. */
  slots: Float32Array[];
}

export class Optimizer {
  t = 0;
  private m: tf.Variable[] = [];
  private v: tf.Variable[] = [];

  constructor(
    readonly kind: OptimizerKind,
    private readonly params: tf.Variable[],
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly eps = 1e-8,
  ) {
    if (kind === 'adam') {
      this.m = params.map((p) => tf.variable(tf.zerosLike(p), false));
      this.v = params.map((p) => tf.variable(tf.zerosLike(p), false));
    }
  }

  /** Scale `grads` so their global L2 norm is at most `clip` (0 = no clipping); returns the norm before clipping. */
  static clip(grads: tf.Tensor[], clip: number): { grads: tf.Tensor[]; norm: number } {
    const normT = tf.tidy(() => tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))));
    const norm = normT.dataSync()[0]!;
    normT.dispose();
    if (!(clip > 0) || !(norm > clip)) return { grads, norm };
    const scaled = grads.map((g) => tf.mul(g, clip / norm));
    return { grads: scaled, norm };
  }

  /** One update with learning rate `lr`. `grads` are in parameter order and are not disposed here. */
  apply(grads: tf.Tensor[], lr: number): void {
    this.t++;
    tf.tidy(() => {
      if (this.kind === 'sgd') {
        this.params.forEach((p, i) => p.assign(tf.sub(p, tf.mul(grads[i]!, lr))));
        return;
      }
      const { beta1: b1, beta2: b2, eps, t } = this;
      // Bias corrections folded into the step size (Algorithm 1's efficient form).
      const step = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
      const backend = fusedAdamBackend();
      this.params.forEach((p, i) => {
        const g = grads[i]!;
        if (backend) {
          // One SIMD pass per parameter (backend/wasm-adam.ts), the same float32 operations.
          const [po, mo, vo] = adamUpdate(backend, p, g, this.m[i]!, this.v[i]!, { beta1: b1, beta2: b2, eps, step }).map((t) => tf.engine().makeTensorFromTensorInfo(t));
          this.m[i]!.assign(mo!);
          this.v[i]!.assign(vo!);
          p.assign(po!);
          return;
        }
        const m = tf.add(tf.mul(this.m[i]!, b1), tf.mul(g, 1 - b1));
        const v = tf.add(tf.mul(this.v[i]!, b2), tf.mul(tf.square(g), 1 - b2));
        this.m[i]!.assign(m);
        this.v[i]!.assign(v);
        p.assign(tf.sub(p, tf.mul(tf.div(m, tf.add(tf.sqrt(v), eps)), step)));
      });
    });
  }

  getState(): OptimizerState {
    const slots = this.kind === 'adam' ? this.params.flatMap((_, i) => [this.m[i]!.dataSync().slice() as Float32Array, this.v[i]!.dataSync().slice() as Float32Array]) : [];
    return { kind: this.kind, t: this.t, slots };
  }

  setState(s: OptimizerState): void {
    if (s.kind !== this.kind) throw new Error(`optimizer state is ${s.kind}, this run uses ${this.kind}`);
    this.t = s.t;
    if (this.kind === 'adam')
      assignArrays(
        [...this.m, ...this.v],
        [...this.params.map((_, i) => s.slots[2 * i]!), ...this.params.map((_, i) => s.slots[2 * i + 1]!)],
      );
  }

  dispose(): void {
    for (const x of [...this.m, ...this.v]) x.dispose();
  }
}
