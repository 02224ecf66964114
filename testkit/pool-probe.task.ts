// Pool task of the probe stages (pool-probe-stages.ts): says which thread it ran
// in and what that thread still held from tasks before it, then holds `holdBytes`
// more in a module-level table, as a WebAssembly memory or a cache would (never
// handed back while the thread lives).

import { threadId } from 'node:worker_threads';

export interface ProbeTask {
  holdBytes: number;
  /** Keep the thread busy this long, so that concurrent tasks land on different threads. */
  busyMs: number;
}

export interface ProbeResult {
  threadId: number;
  /** Bytes this thread held before the task: what earlier tasks left in it. */
  inherited: number;
}

const held: Uint8Array[] = [];

export default async function probe(t: ProbeTask): Promise<ProbeResult> {
  const inherited = held.reduce((s, b) => s + b.byteLength, 0);
  held.push(new Uint8Array(t.holdBytes).fill(1));
  await new Promise((r) => setTimeout(r, t.busyMs));
  return { threadId, inherited };
}
