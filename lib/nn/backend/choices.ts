// The backend names a stage's `--backend` accepts; here, apart from index.ts, so
// that a stage definition can list them without loading TensorFlow.js.

export type BackendChoice = 'auto' | 'node' | 'wasm' | 'cpu';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'node', 'wasm', 'cpu'];
