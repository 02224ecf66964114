// A child process that runs one stage directly (for kill-and-resume tests):
//   node run-stage-child.js STAGE INPUTS_JSON OUT_DIR CHECKPOINT_DIR PARAMS_JSON THREADS
import { runStageDirect } from '../testkit/stage-harness.js';
import { createPool } from '../pipeline/pool.js';
import type { StageDef } from '../pipeline/stage.js';

const [stage, inputs, outDir, checkpointDir, params, threads] = process.argv.slice(2);
const def = (await import(`../stages/${stage}/index.js`)).default as StageDef;
const pool = createPool(Number(threads));
const r = await runStageDirect(def, { inputs: JSON.parse(inputs!), outDir: outDir!, checkpointDir: checkpointDir!, pool, params: JSON.parse(params!) });
process.stdout.write(JSON.stringify(r.result.metrics) + '\n');
await pool.destroy();
