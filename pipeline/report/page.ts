// The report page: one HTML file with everything inlined (uPlot, its CSS, the
// client script, the data as JSON), so it opens from file:// with no network.

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ReportData } from './data.js';

const require = createRequire(import.meta.url);

/** The repository root: the nearest folder above this file with lexflow's package.json (source or dist/ layout). */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj) && (JSON.parse(fs.readFileSync(pj, 'utf8')) as { name?: string }).name === 'lexflow') return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('lexflow: cannot find the package root (package.json) above pipeline/report');
    dir = up;
  }
}

let assets: { uplotJs: string; uplotCss: string; clientJs: string; clientCss: string } | undefined;

/** The inlined files, read once. uPlot's minified IIFE build defines the global `uPlot`. */
export function pageAssets(): NonNullable<typeof assets> {
  if (assets) return assets;
  const uplotDir = path.dirname(require.resolve('uplot/package.json'));
  const client = path.join(packageRoot(), 'pipeline', 'report', 'client');
  assets = {
    uplotJs: fs.readFileSync(path.join(uplotDir, 'dist', 'uPlot.iife.min.js'), 'utf8'),
    uplotCss: fs.readFileSync(path.join(uplotDir, 'dist', 'uPlot.min.css'), 'utf8'),
    clientJs: fs.readFileSync(path.join(client, 'report.js'), 'utf8'),
    clientCss: fs.readFileSync(path.join(client, 'report.css'), 'utf8'),
  };
  return assets;
}

/** JSON that is safe inside <script>: no `</script>`, no `<!--`; ±Infinity kept as strings (JSON has no Infinity). */
export function scriptJson(data: unknown): string {
  return JSON.stringify(data, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? (Number.isNaN(v) ? null : v > 0 ? 'Infinity' : '-Infinity') : v))
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const escapeHtml = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** Inline script text must not close its own element. */
const inlineScript = (js: string): string => js.replace(/<\/script/gi, '<\\/script');

export function renderPage(data: ReportData): string {
  const a = pageAssets();
  const title = `lexflow report: ${data.runs.map((r) => r.name).join(' vs ')}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'">
<title>${escapeHtml(title)}</title>
<style>${a.uplotCss}</style>
<style>${a.clientCss}</style>
</head>
<body>
<div id="app"><p>Loading the report…</p></div>
<script type="application/json" id="lexflow-data">${scriptJson(data)}</script>
<script>${inlineScript(a.uplotJs)}</script>
<script>${inlineScript(a.clientJs)}</script>
</body>
</html>
`;
}

/** Write report/index.html into the run directory (atomically); returns its path. */
export function writePage(runDir: string, html: string): string {
  const dir = path.join(runDir, 'report');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'index.html');
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, html);
  fs.renameSync(tmp, file);
  return file;
}
