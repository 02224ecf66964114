// How long each step of a stage took, for its manifest (`steps`): where a
// stage's time goes (its parallel counting against its one merge) is what a
// projection to more machines needs, and it is known only while the stage runs.

import type { Progress, Step } from './progress.js';

export interface StepTime {
  /** The step's name as the progress line shows it ("1/2 counting n-grams"). */
  name: string;
  /** Wall seconds from the step's start to its `done()`, to the millisecond. */
  seconds: number;
}

/** `progress`, recording each step's wall time in `into` when it is done. */
export function timingSteps(progress: Progress, into: StepTime[]): Progress {
  return {
    step(name, total, unit): Step {
      const inner = progress.step(name, total, unit);
      const t0 = performance.now();
      let recorded = false;
      return {
        tick: (n) => inner.tick(n),
        set: (d) => inner.set(d),
        ...(inner.deadline ? { deadline: (s: number) => inner.deadline!(s) } : {}),
        done(summary) {
          if (!recorded) {
            recorded = true;
            into.push({ name, seconds: Math.round(performance.now() - t0) / 1000 });
          }
          inner.done(summary);
        },
      };
    },
    print: (line) => progress.print(line),
  };
}
