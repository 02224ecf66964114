// lexflow's own version, recorded in every manifest and run.json.
import fs from 'node:fs';

const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
export const LEXFLOW_VERSION: string = pkg.version;
