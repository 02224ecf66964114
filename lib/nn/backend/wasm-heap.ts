// What lexflow's own wasm kernels need from the tfjs wasm backend's heap: a
// tensor's byte offset, the module's WebAssembly.Memory (so a kernel assembled
// with lib/wasm/asm.ts runs on the tensors in place, no copies), and "views":
// ids registered with the backend's C++ tensor registry that point INTO another
// tensor's memory, so a stock C++ kernel (XNNPACK's matMul) can run on one slice
// of a batched tensor. A view is never malloc'd and so is never freed, only
// unregistered.

import type * as tf from '@tensorflow/tfjs';
import { compileModule, instantiate, type WasmMemory, type WasmModule } from '../../wasm/asm.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
export type WasmBackend = any;

/** Byte offset of a tensor's data in the wasm heap. */
export function heapOffset(backend: WasmBackend, t: tf.TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset as number;
}

/** The C++ registry id of a tensor (what the C++ kernels take). */
export function tensorId(backend: WasmBackend, t: tf.TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).id as number;
}

/** Register `size` float32s at byte `offset` of the heap as a C++ tensor; returns its id. */
export function registerView(backend: WasmBackend, offset: number, size: number): number {
  const id = backend.dataIdNextNumber++ as number;
  backend.wasm.tfjs.registerTensor(id, size, offset);
  return id;
}

/** Unregister a view (its C++ disposal callbacks run, e.g. XNNPACK drops the operator packed from it); the memory stays its owner's. */
export function disposeView(backend: WasmBackend, id: number): void {
  backend.wasm.tfjs.disposeData(id);
}

/** The backend's WebAssembly.Memory (exported by its Emscripten module), or undefined if this build hides it. */
export function heapMemory(backend: WasmBackend): WasmMemory | undefined {
  const m = backend?.wasm?.asm?.memory;
  return m && typeof m === 'object' && 'buffer' in m ? (m as WasmMemory) : undefined;
}

/**
 * A module of lexflow kernels on the backend's heap: `bytes` assembled and compiled
 * once, instantiated once per backend module. The getter gives null where the
 * engine lacks WebAssembly SIMD or the heap is out of reach (then use tfjs's ops).
 */
export function heapKernels<T>(bytes: () => Uint8Array): (backend: WasmBackend) => T | null {
  let compiled: WasmModule | null | undefined;
  const instances = new WeakMap<object, T>();
  return (backend) => {
    if (compiled === undefined) compiled = compileModule(bytes());
    const memory = heapMemory(backend);
    if (!compiled || !memory) return null;
    let k = instances.get(backend.wasm);
    if (!k) instances.set(backend.wasm, (k = instantiate<T>(compiled, memory)));
    return k;
  };
}
/* eslint-enable @typescript-eslint/no-explicit-any */
