// A child process for kill and lock tests: runs the toy stages on a dataset.
// argv: out dataset sleepMs
import { registerToyStages, TOY } from './toy-stages.js';
import { runPipeline } from '../pipeline/runner.js';

registerToyStages();
const [out, dataset, sleep] = process.argv.slice(2);
await runPipeline({
  out: out!,
  dataset: dataset!,
  only: TOY,
  params: { 'toy-source': { 'sleep-ms': Number(sleep ?? 0) } },
  threads: 1,
  logLevel: 'quiet',
  progress: 'quiet',
});
