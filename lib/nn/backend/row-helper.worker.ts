// The helper thread of row-helper.ts: it instantiates the softmax kernels on the
// shared memory and runs one call per request, the request and its arguments in
// the shared control block; Atomics.wait blocks it between requests.

import { workerData } from 'node:worker_threads';
import { instantiate, type WasmMemory, type WasmModule } from '../../wasm/asm.js';
import { CTRL, ROW_KERNELS } from './row-helper.js';
import type { SoftmaxKernels } from './wasm-softmax-xent.js';

const { module, memory, ctrl } = workerData as { module: WasmModule; memory: WasmMemory; ctrl: Int32Array };
const kernels = instantiate<SoftmaxKernels>(module, memory);
const table = ROW_KERNELS.map((name) => kernels[name] as (...a: number[]) => void);

Atomics.store(ctrl, CTRL.started, 1);
let seen = 0;
for (;;) {
  Atomics.wait(ctrl, CTRL.request, seen);
  seen = Atomics.load(ctrl, CTRL.request);
  try {
    table[ctrl[CTRL.kernel]!]!(...Array.from(ctrl.subarray(CTRL.args, CTRL.args + 6)));
  } catch {
    ctrl[CTRL.failed] = 1;
  }
  Atomics.store(ctrl, CTRL.done, seen);
  Atomics.notify(ctrl, CTRL.done);
}
