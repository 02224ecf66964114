// The report page in a real browser (Debian's chromium via puppeteer-core):
// every section has its elements, as many as the run's manifests say, with no
// console error and no network request; screenshots go to a temp folder.
// Skips when /usr/bin/chromium is absent (.ci/run installs it).

import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readManifest } from '../../pipeline/manifest.js';
import { runStatus } from '../../pipeline/status.js';
import { writeReport } from '../../pipeline/report/commands.js';
import { startReportServer } from '../../pipeline/report/server.js';
import { buildReportRun } from '../../testkit/report-run.js';
import { collectErrors, collectForeignRequests, hasChromium, launchChromium } from '../../testkit/browser.js';
import { tmpDir } from '../../testkit/tmp.js';

/** The little of the DOM these checks touch (the project compiles without DOM types). */
interface Dom {
  dataset: Record<string, string>;
}

if (!hasChromium()) {
  t.plan(0, 'chromium is not installed at /usr/bin/chromium (apt-get install -y chromium)');
} else {
  const dir = tmpDir(t, 'lexflow-report-browser-');
  const { out } = await buildReportRun(dir);
  // A second run to compare against: the same run copied, so its curve overlays the first.
  const other = path.join(dir, 'other');
  fs.cpSync(out, other, { recursive: true });
  const { file } = await writeReport(out, { compare: [other] });
  const shots = fs.mkdtempSync(path.join(os.tmpdir(), 'lexflow-report-shots-'));
  t.comment(`screenshots in ${shots}`);

  const chrome = await launchChromium();
  t.teardown(() => chrome.close());

  t.test('the report of a small run, section by section', async (t) => {
    const page = await chrome.browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    const errors = collectErrors(page);
    const foreign = collectForeignRequests(page);
    await page.goto(`file://${file}`, { waitUntil: 'load', timeout: 30_000 });
    await page.waitForFunction('window.lexflowReport && window.lexflowReport.ready', { timeout: 30_000 });

    const lmNgram = readManifest(path.join(out, 'lm-ngram'))!;
    const models = String(lmNgram.params.model).split(',').length + 1; // + lm-neural
    const runs = 2;
    const count = (sel: string): Promise<number> => page.$$eval(sel, (els) => els.length);

    // The run: one graph node and one table row per stage.
    const states = await runStatus(out);
    t.equal(await count('#run svg.graph g.node'), states.length, 'a node per registered stage');
    t.equal(await count('#run table.stages tbody tr'), states.length, 'a row per registered stage');
    t.equal(await count('#run svg.graph g.node.state-done'), states.filter((s) => s.state === 'done').length, 'done as status says');
    t.equal(await count('#run svg.graph g.node.state-done'), 9, 'the nine stages of the run');
    // Perplexity: a row per model of each run (this run and the compared copy).
    t.equal(await count('#perplexity tbody tr'), models * runs, 'a row per model and run');
    // Sorting by test ppl puts the rows in ascending order.
    await page.click('#perplexity th:nth-child(5)');
    const ppl = await page.$$eval('#perplexity tbody tr td:nth-child(5)', (tds) => tds.map((td) => Number((td as unknown as Dom).dataset.v)));
    t.same(ppl, [...ppl].sort((a, b) => a - b), 'sorted ascending');
    // Curves: one series per trained model and run, in both charts.
    const series = await page.$$eval('#curves .chart', (cs) => cs.map((c) => [(c as unknown as Dom).dataset.series, c.querySelectorAll('.u-legend .u-series').length - 1]));
    t.same(series, [[String(runs), runs], [String(runs), runs]], 'train loss and validation ppl, one curve per model and run');
    // Embeddings: a map per embedding stage, with every mapped word drawn.
    const maps = await page.$$eval('#embeddings .embedding', (es) => es.map((e) => [(e as unknown as Dom).dataset.stage, Number((e.querySelector('.chart.map') as unknown as Dom).dataset.points)]));
    const { buildReportData } = await import('../../pipeline/report/extract.js');
    const data = await buildReportData(out, { samples: false });
    t.same(maps, data.embeddings.map((e) => [e.stage, e.words.length]), 'points = mapped words');
    t.ok(data.embeddings.every((e) => e.words.length > 10));
    // Searching a word shows its precomputed neighbours.
    const svd = data.embeddings.find((e) => e.stage === 'svd')!;
    await page.type('#embeddings .embedding[data-stage="svd"] input[type=search]', svd.words[0]!);
    const shown = await page.$$eval('#embeddings .embedding[data-stage="svd"] .neighbors li', (lis) => lis.map((li) => li.firstChild!.textContent!.trim()));
    t.same(shown, Array.from({ length: svd.k }, (_, j) => svd.words[svd.neighbors[j]!]), 'neighbours of the searched word');
    // The t-SNE view draws too.
    await page.select('#embeddings .embedding[data-stage="svd"] select', 'tsne');
    t.equal(await page.$eval('#embeddings .embedding[data-stage="svd"] .chart.map', (c) => Number((c as unknown as Dom).dataset.points)), svd.tsne.length / 2);
    // Attention: a heatmap per layer and head of the Transformer LM.
    const p = readManifest(path.join(out, 'lm-neural'))!.params as { layers: number; heads: number };
    t.equal(await count('#attention canvas.heat'), p.layers * p.heads, 'a heatmap per head');
    // Samples: one per language model.
    t.equal(await count('#samples table.samples tbody tr'), models, 'a sample per model');

    const status = (await page.evaluate('window.lexflowReport')) as { firstChartMs: number; charts: number };
    t.ok(status.firstChartMs < 2000, `first chart after ${status.firstChartMs} ms`);
    await page.screenshot({ path: path.join(shots, 'report.png'), fullPage: true });
    t.same(errors, [], 'no console error');
    t.same(foreign, [], 'no request leaves the file');
    await page.close();
  });

  t.test('lexflow serve: the live page grows as a stage finishes, and its boxes call the models', async (t) => {
    // glove is "not finished yet": its folder is moved away and comes back while the page is open.
    const away = path.join(dir, 'glove-away');
    fs.renameSync(path.join(out, 'glove'), away);
    const srv = await startReportServer(out, { port: 0, samples: false, pollMs: 200 });
    t.teardown(() => srv.close());
    t.match(srv.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await chrome.browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    const errors = collectErrors(page);
    const foreign = collectForeignRequests(page, srv.url.replace(/\/$/, ''));
    await page.goto(srv.url, { waitUntil: 'load', timeout: 30_000 });
    await page.waitForFunction('window.lexflowReport && window.lexflowReport.ready', { timeout: 30_000 });
    t.equal(await page.$$eval('#run svg.graph g.node.state-done', (n) => n.length), 8, 'glove not there yet');
    t.equal(await page.$$eval('#embeddings .embedding', (n) => n.length), 2);
    fs.renameSync(away, path.join(out, 'glove'));
    await page.waitForFunction('document.querySelectorAll("#run svg.graph g.node.state-done").length === 9', { timeout: 20_000 });
    t.equal(await page.$$eval('#embeddings .embedding', (n) => n.length), 3, 'its map appears');
    // The neighbours box answers with k rows.
    await page.waitForSelector('#models form[data-endpoint="neighbors"]', { timeout: 10_000 });
    t.same((await page.$$eval('#models form.endpoint', (f) => f.map((x) => (x as unknown as Dom).dataset.endpoint))).sort(), ['analogy', 'neighbors', 'sample']);
    const form = '#models form[data-endpoint="neighbors"]';
    await page.$eval(`${form} input[name=word]`, (i) => ((i as unknown as { value: string }).value = 'a1'));
    await page.$eval(`${form} input[name=k]`, (i) => ((i as unknown as { value: string }).value = '4'));
    await page.click(`${form} button`);
    await page.waitForSelector(`${form} .answer table tbody tr`, { timeout: 20_000 });
    t.equal(await page.$$eval(`${form} .answer table tbody tr`, (r) => r.length), 4, 'four neighbours');
    await page.screenshot({ path: path.join(shots, 'serve.png'), fullPage: true });
    t.same(errors, [], 'no console error');
    t.same(foreign, [], 'no request but to the server');
    await page.close();
  });

  t.test('the chart library keeps a 50k-point curve and a 10k-point scatter quick', async (t) => {
    const { pageAssets } = await import('../../pipeline/report/page.js');
    const page = await chrome.browser.newPage();
    const errors = collectErrors(page);
    await page.setContent(`<!doctype html><body><div id="a"></div><div id="b"></div><script>${pageAssets().uplotJs}</script></body>`);
    // Timed from construction to the end of uPlot's draw hook (it draws after a microtask).
    const ms = (await page.evaluate(`(async () => {
      const timed = (opts, data, el) => new Promise((resolve) => {
        const t0 = performance.now();
        opts.hooks = { draw: [() => resolve(performance.now() - t0)] };
        new uPlot(opts, data, el);
      });
      const n = 50000, xs = new Float64Array(n), ys = new Float64Array(n);
      for (let i = 0; i < n; i++) { xs[i] = i; ys[i] = 5 * Math.exp(-i / 1e4) + 0.1 * Math.sin(i); }
      const line = await timed({ width: 900, height: 300, series: [{}, { stroke: 'blue' }], scales: { x: { time: false } } }, [xs, ys], document.getElementById('a'));
      const m = 10000, sx = [], sy = [];
      for (let i = 0; i < m; i++) { sx.push(Math.sin(i * 12.9898) * 43758.5453 % 1); sy.push(Math.cos(i * 78.233) * 12345.678 % 1); }
      const order = sx.map((_, i) => i).sort((a, b) => sx[a] - sx[b]);
      const scatter = await timed({ width: 900, height: 420, series: [{}, { paths: () => null, points: { show: true, size: 4 } }], scales: { x: { time: false } } }, [order.map((i) => sx[i]), order.map((i) => sy[i])], document.getElementById('b'));
      return [line, scatter];
    })()`)) as [number, number];
    t.comment(`uPlot: 50k-point curve in ${ms[0].toFixed(1)} ms, 10k-point scatter in ${ms[1].toFixed(1)} ms`);
    t.ok(ms[0] < 1000 && ms[1] < 1000, 'each drawn in under a second, even on a busy machine');
    t.same(errors, []);
    await page.close();
  });
}
