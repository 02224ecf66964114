// One `lexflow run` process runs every stage: what a finished stage allocated
// must be handed back before the next one starts, so that a run's peak RSS is
// its largest stage's, not the sum of them (pipeline/pool.ts recycle,
// pipeline/memory.ts). The probe stages hold memory in their pool threads and
// drop a large buffer on the main thread; the stage after them must see neither.

import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { runPipeline } from '../../pipeline/runner.js';
import { readManifest } from '../../pipeline/manifest.js';
import { PROBE, PROBE_BUSY_MS, PROBE_MAIN_BYTES, registerProbeStages, type ProbeFile } from '../../testkit/pool-probe-stages.js';
import { tmpDir } from '../../testkit/tmp.js';

registerProbeStages();

t.test("a finished stage's pool threads and main-thread garbage do not reach the next stage", async (t) => {
  const data = tmpDir(t);
  fs.writeFileSync(path.join(data, 'doc.txt'), 'a b c\n');
  const out = tmpDir(t);
  const r = await runPipeline({ out, dataset: data, only: PROBE, threads: 2, logLevel: 'quiet', progress: 'quiet' });
  t.same(r.stages.map((s) => s.status), ['ran', 'ran']);
  const read = (stage: string): ProbeFile => JSON.parse(fs.readFileSync(path.join(out, stage, 'probe.json'), 'utf8')) as ProbeFile;
  const first = read('probe-first');
  const second = read('probe-second');
  t.equal(first.tasks.length, 2);
  // Not asserted: that the first stage's two tasks used two threads (on a loaded machine the
  // second thread may start after the first is free again); either way none may serve the second stage.
  const earlier = new Set(first.tasks.map((x) => x.threadId));
  t.same(second.tasks.filter((x) => earlier.has(x.threadId)).map((x) => x.threadId), [], "no thread of the first stage runs the second stage's tasks");
  t.same(second.tasks.map((x) => x.inherited), [0, 0], 'the second stage starts with nothing held in its threads');
  t.ok(
    second.mainArrayBuffersAtStart < first.mainArrayBuffersAtStart + PROBE_MAIN_BYTES / 4,
    `the main thread's dropped ${PROBE_MAIN_BYTES >> 20} MB buffer is collected before the next stage (${second.mainArrayBuffersAtStart >> 20} MB of ArrayBuffers at its start)`,
  );
});

t.test("the manifest records each progress step's wall time", async (t) => {
  const data = tmpDir(t);
  fs.writeFileSync(path.join(data, 'doc.txt'), 'a b c\n');
  const out = tmpDir(t);
  await runPipeline({ out, dataset: data, only: PROBE, threads: 1, logLevel: 'quiet', progress: 'quiet' });
  for (const stage of PROBE) {
    const m = readManifest(path.join(out, stage))!;
    t.same(m.steps!.map((s) => s.name), ['probing threads'], `${stage}: its one step`);
    const s = m.steps![0]!.seconds;
    // One task on one thread, busy PROBE_BUSY_MS: the step lasts at least that, and no longer than the stage.
    t.ok(s >= PROBE_BUSY_MS / 1000 - 0.01 && s <= m.wallSeconds, `${stage}: ${s} s, within [${PROBE_BUSY_MS / 1000}, ${m.wallSeconds}]`);
  }
});
