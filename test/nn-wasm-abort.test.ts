// The wasm backend's out-of-memory abort becomes one usage line naming what to lower;
// any other error passes through unchanged.

import t from 'tap';
import { UsageError } from '../pipeline/errors.js';
import { explainWasmAbort, isWasmAbort } from '../lib/nn/wasm-abort.js';

// Node's WebAssembly.RuntimeError (the project's TypeScript libs do not declare WebAssembly).
const RuntimeError = (globalThis as unknown as { WebAssembly: { RuntimeError: ErrorConstructor } }).WebAssembly.RuntimeError;

t.test('the abort is recognised and explained; other errors pass', async (t) => {
  const abort = new RuntimeError('Aborted(). Build with -sASSERTIONS for more info.');
  t.ok(isWasmAbort(abort));
  const e = explainWasmAbort(abort, 'seq2seq', 'lower --batch-tokens (2000 now)');
  t.ok(e instanceof UsageError);
  t.equal((e as Error).message, 'seq2seq: the TensorFlow.js wasm backend ran out of memory (its heap is 4 GB at most); lower --batch-tokens (2000 now)');
  const other = new RuntimeError('unreachable');
  t.equal(explainWasmAbort(other, 'seq2seq', 'x'), other);
  const plain = new Error('Aborted()');
  t.equal(explainWasmAbort(plain, 'seq2seq', 'x'), plain, 'only the wasm RuntimeError');
});
