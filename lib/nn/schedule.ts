// Learning-rate schedules: linear warm-up, then step decay (Zaremba et al.
// 2014), cosine decay (Loshchilov & Hutter 2017), or the inverse square root
// of the Transformer (Vaswani et al. 2017, eq. 3, scaled so the peak is `lr`).

export type Decay = 'none' | 'step' | 'cosine' | 'rsqrt';

export interface ScheduleOptions {
  lr: number;
  /** Linear warm-up over this many steps. */
  warmup: number;
  decay: Decay;
  /** `step`: multiply by this every epoch from `decayStart` on (Zaremba et al. 2014: 0.5 after epoch 4). */
  lrDecay: number;
  decayStart: number;
}

/** Learning rate at an optimizer step (0-based) in an epoch. */
export function learningRate(o: ScheduleOptions, step: number, epoch: number, totalSteps: number): number {
  if (o.decay === 'rsqrt') {
    // lr · min(s/w, √(w/s)) with s = step + 1: the peak lr at s = w, then ∝ 1/√s.
    const s = step + 1;
    const w = Math.max(1, o.warmup);
    return o.lr * Math.min(s / w, Math.sqrt(w / s));
  }
  const warm = o.warmup > 0 ? Math.min(1, (step + 1) / o.warmup) : 1;
  let decay = 1;
  if (o.decay === 'step') decay = o.lrDecay ** Math.max(0, epoch - o.decayStart + 1);
  else if (o.decay === 'cosine') decay = 0.5 * (1 + Math.cos((Math.PI * Math.min(step, totalSteps)) / Math.max(1, totalSteps)));
  return o.lr * warm * decay;
}
