// `lexflow report` on a small real run: the page's data matches what the run's
// manifests and Arrow tables say, computed here independently; the page is one
// self-contained file; bad usage gets one line and exit 2.

import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as A from 'apache-arrow';
import { ArrowFileWriter, field, primitiveData, utf8Data } from '../../pipeline/arrow.js';
import { readManifest } from '../../pipeline/manifest.js';
import { SPECIALS } from '../../lib/formats/tokens.js';
import { buildReportData } from '../../pipeline/report/extract.js';
import { renderPage, scriptJson } from '../../pipeline/report/page.js';
import { buildReportRun } from '../../testkit/report-run.js';
import { cliPath, tmpDir } from '../../testkit/tmp.js';

const dir = tmpDir(t, 'lexflow-report-');
const { out } = await buildReportRun(dir);

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, LEXFLOW_DATA: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Independent reads: the whole (small) table with apache-arrow itself. */
const table = (file: string): A.Table => A.tableFromIPC(fs.readFileSync(file));

t.test('the data of the page is the run, read independently', async (t) => {
  const data = await buildReportData(out, { samples: true });
  const lmNgram = readManifest(path.join(out, 'lm-ngram'))!;
  const lmNeural = readManifest(path.join(out, 'lm-neural'))!;

  // One perplexity row per language model: the n-gram models listed in the manifest, plus the neural one.
  const ngramModels = String(lmNgram.params.model).split(',');
  t.equal(data.perplexity.length, ngramModels.length + 1, 'one row per model');
  for (const name of ngramModels) {
    const row = data.perplexity.find((r) => r.stage === 'lm-ngram' && r.model === name)!;
    const m = lmNgram.metrics[name] as Record<string, number>;
    t.equal(row.testPpl, m.test_ppl, `${name} test ppl`);
    t.equal(row.validPpl, m.valid_ppl, `${name} valid ppl`);
    t.equal(row.testPplExclOov, m.test_ppl_excl_oov, `${name} excl. OOV`);
  }
  const neural = data.perplexity.find((r) => r.stage === 'lm-neural')!;
  t.equal(neural.testPpl, (lmNeural.metrics as { testPpl: number }).testPpl, 'neural test ppl');
  t.equal(neural.model, 'transformer');

  // One curve per trained model, with every logged train loss of history.arrow (short: nothing thinned).
  t.equal(data.curves.length, 1);
  const hist = table(path.join(out, 'lm-neural', 'history.arrow'));
  const loss = Array.from(hist.getChild('train_loss')!.toArray() as Float32Array);
  const steps = Array.from(hist.getChild('step')!.toArray() as Int32Array);
  const finite = loss.map((v, i) => [steps[i]!, v] as const).filter(([, v]) => Number.isFinite(v));
  t.same(data.curves[0]!.train.step, finite.map(([s]) => s), 'train steps');
  t.ok(data.curves[0]!.train.loss.every((v, i) => Math.abs(v - finite[i]![1]) < 1e-4), 'train losses');
  const validRows = Array.from(hist.getChild('valid_ppl')!.toArray() as Float32Array).filter(Number.isFinite);
  t.equal(data.curves[0]!.valid.ppl.length, validRows.length, 'one point per validation');

  // One map per embedding stage, of its first rows without the special tokens.
  t.same(data.embeddings.map((e) => e.stage).sort(), ['glove', 'svd', 'word2vec']);
  for (const e of data.embeddings) {
    const tokens = (table(path.join(out, e.stage, 'embeddings.arrow')).getChild('token')!.toArray() as string[]).filter((w) => !(SPECIALS as readonly string[]).includes(w));
    t.same(e.words, tokens.slice(0, 1500), `${e.stage}: the mapped words`);
    t.equal(e.pca.length, 2 * e.words.length);
    t.equal(e.tsne.length, 2 * Math.min(400, e.words.length));
  }

  // The Transformer's attention: one map per layer and head, each row (query) a distribution over keys ≤ it.
  const p = lmNeural.params as { layers: number; heads: number };
  t.equal(data.attention.length, p.layers * p.heads, 'layers × heads maps');
  const m0 = data.attention[0]!;
  for (let q = 0; q < m0.targets; q++) {
    const row = m0.weights.slice(q * m0.sources, (q + 1) * m0.sources);
    const sum = row.reduce<number>((s, w) => s + (w ?? 0), 0);
    t.ok(Math.abs(sum - 1) < 0.01, `query ${q} sums to 1 (${sum})`);
    t.ok(row.slice(q + 1).every((w) => w === null), `query ${q}: no weight on later keys`);
  }

  // A sample from every language model.
  t.equal(data.samples.length, ngramModels.length + 1);
  t.ok(data.samples.every((s) => s.text.length > 0));
  t.same(data.runs[0]!.stages.filter((s) => s.state === 'done').map((s) => s.name).sort(), ['cooccur', 'glove', 'lm-ngram', 'lm-neural', 'ngrams', 'pmi', 'svd', 'tokenize', 'word2vec'].sort());
});

t.test('an attention.arrow in a stage folder is drawn (the seq2seq layout)', async (t) => {
  const file = path.join(out, 'glove', 'attention.arrow');
  const schema = new A.Schema([
    field('sentence', new A.Utf8()),
    field('layer', new A.Int32()),
    field('head', new A.Int32()),
    field('target_pos', new A.Int32()),
    field('source_pos', new A.Int32()),
    field('weight', new A.Float32()),
    field('target_token', new A.Utf8()),
    field('source_token', new A.Utf8()),
  ]);
  // Two target words over three source words, two heads; head 1 leaves one cell out.
  const rows: [number, number, number, number, string, string][] = [];
  const src = ['le', 'chat', 'dort'];
  const tgt = ['cat', 'sleeps'];
  for (let h = 0; h < 2; h++) for (let ti = 0; ti < 2; ti++) for (let s = 0; s < 3; s++) if (!(h === 1 && ti === 1 && s === 0)) rows.push([h, ti, s, (h + 1) * 0.1 + ti * 0.01 + s * 0.001, tgt[ti]!, src[s]!]);
  const w = new ArrowFileWriter(file, schema);
  await w.writeColumns([
    utf8Data(rows.map(() => 'le chat dort')),
    primitiveData(new A.Int32(), Int32Array.from(rows, () => 0)),
    primitiveData(new A.Int32(), Int32Array.from(rows, (r) => r[0])),
    primitiveData(new A.Int32(), Int32Array.from(rows, (r) => r[1])),
    primitiveData(new A.Int32(), Int32Array.from(rows, (r) => r[2])),
    primitiveData(new A.Float32(), Float32Array.from(rows, (r) => r[3])),
    utf8Data(rows.map((r) => r[4])),
    utf8Data(rows.map((r) => r[5])),
  ]);
  await w.close();
  t.teardown(() => fs.rmSync(file, { force: true }));
  const data = await buildReportData(out, { samples: false });
  const maps = data.attention.filter((m) => m.stage === 'glove');
  t.equal(maps.length, 2, 'one map per head');
  const h1 = maps.find((m) => m.head === 1)!;
  t.same([h1.targets, h1.sources], [2, 3]);
  t.same(h1.sourceTokens, src);
  t.same(h1.targetTokens, tgt);
  t.equal(h1.weights[1 * 3 + 0], null, 'the missing cell stays empty');
  t.ok(Math.abs(h1.weights[1 * 3 + 2]! - (0.2 + 0.01 + 0.002)) < 1e-6, 'a weight where it belongs');
});

t.test('translations.arrow in a stage folder is shown (what a seq2seq stage writes)', async (t) => {
  const file = path.join(out, 'word2vec', 'translations.arrow');
  t.teardown(() => fs.rmSync(file, { force: true }));
  // The seq2seq stage's schema: id, source, hypothesis, reference, score, split, setting.
  const schema = new A.Schema([
    field('id', new A.Int32()),
    field('source', new A.Utf8()),
    field('hypothesis', new A.Utf8()),
    field('reference', new A.Utf8()),
    field('score', new A.Float32()),
    field('split', new A.Utf8()),
    field('setting', new A.Utf8()),
  ]);
  type Row = [number, string, string, string, number, string, string];
  const rows: Row[] = [];
  for (const [split, n] of [
    ['test', 10],
    ['valid', 3],
  ] as const)
    for (const setting of ['greedy', 'beam4'])
      for (let i = 0; i < n; i++) rows.push([i, `le chat ${split} ${i}`, `the cat ${i} (${setting})`, `a cat ${i}`, -0.5 * (i + 1), split, setting]);
  const w = new ArrowFileWriter(file, schema);
  // Three record batches, so the rows of one sentence lie in different batches.
  for (let at = 0; at < rows.length; at += 11) {
    const part = rows.slice(at, at + 11);
    await w.writeColumns([
      primitiveData(new A.Int32(), Int32Array.from(part, (r) => r[0])),
      utf8Data(part.map((r) => r[1])),
      utf8Data(part.map((r) => r[2])),
      utf8Data(part.map((r) => r[3])),
      primitiveData(new A.Float32(), Float32Array.from(part, (r) => r[4])),
      utf8Data(part.map((r) => r[5])),
      utf8Data(part.map((r) => r[6])),
    ]);
  }
  await w.close();
  const data = await buildReportData(out, { samples: false });
  // Test: 4 of ids 0..9 spread evenly, floor(i * 10 / 4) for i = 0..3 -> 0, 2, 5, 7; valid: all three. Each in both settings.
  t.same(
    data.translations.map((x) => `${x.split} ${x.id} ${x.setting}`),
    ['test 0 beam4', 'test 0 greedy', 'test 2 beam4', 'test 2 greedy', 'test 5 beam4', 'test 5 greedy', 'test 7 beam4', 'test 7 greedy', 'valid 0 beam4', 'valid 0 greedy', 'valid 1 beam4', 'valid 1 greedy', 'valid 2 beam4', 'valid 2 greedy'],
    'test first, then valid; by sentence, then setting',
  );
  t.same(data.translations[5], { stage: 'word2vec', id: 5, split: 'test', setting: 'greedy', source: 'le chat test 5', hypothesis: 'the cat 5 (greedy)', reference: 'a cat 5', score: -3 });
  t.ok(data.notes.includes('word2vec translations: 4 of 10 test sentences, 3 of 3 valid sentences (spread evenly over each split), each under every setting (beam4, greedy)'), data.notes.join('\n'));

  // The page draws one row per sentence and a column per setting.
  const html = renderPage(data);
  t.match(html, /"hypothesis":"the cat 7 \(beam4\)"/);

  // The older columns (source, translation) are named in a note, not shown.
  const old = new ArrowFileWriter(file, new A.Schema([field('source', new A.Utf8()), field('translation', new A.Utf8())]));
  await old.writeColumns([utf8Data(['le chat']), utf8Data(['the cat'])]);
  await old.close();
  const again = await buildReportData(out, { samples: false });
  t.same(again.translations, []);
  t.ok(again.notes.includes('word2vec/translations.arrow: needs columns id, source, hypothesis, split, setting (has no id, hypothesis, split, setting); not shown'), again.notes.join('\n'));
});

t.test('the page is one self-contained file', async (t) => {
  const r = cli('report', '--out', out);
  t.equal(r.code, 0, r.stderr);
  const file = path.join(out, 'report', 'index.html');
  t.match(r.stdout, `report: ${file}`);
  const html = fs.readFileSync(file, 'utf8');
  t.notMatch(html, /<script[^>]+src=/i, 'no external script');
  t.notMatch(html, /<link[^>]+href=/i, 'no external stylesheet');
  t.notMatch(html, /(src|href)=["']?https?:/i, 'no network reference');
  t.match(html, /uPlot/, 'uPlot inlined');
  const json = html.match(/<script type="application\/json" id="lexflow-data">([\s\S]*?)<\/script>/)![1]!;
  const data = JSON.parse(json);
  t.equal(data.perplexity.length, 4);
  t.ok(fs.statSync(file).size < 10 * 2 ** 20, 'under 10 MB');
  // The inlined JSON cannot end its <script> early.
  t.notMatch(scriptJson({ s: '</script><script>alert(1)</script>' }), /<\/script/i);
  t.match(scriptJson({ a: Infinity, b: NaN }), '"a":"Infinity","b":null');
  t.match(renderPage({ ...data, runs: [{ ...data.runs[0], name: '<b>x</b>' }] }), /<title>lexflow report: &lt;b&gt;x&lt;\/b&gt;<\/title>/);
});

t.test('bad usage: one line naming the file or flag, exit 2', async (t) => {
  const missing = path.join(dir, 'nope');
  for (const [args, want] of [
    [['report', '--out', missing], new RegExp(`${missing.replace(/[/\\]/g, '.')}: no such run directory \\(--out\\)`)],
    [['report', '--out', dir], /not a lexflow run directory: no run.json \(--out\)/],
    [['report', '--out', out, '--compare', missing], /no such run directory \(--compare\)/],
    [['report', '--out', out, '--map-words', '0'], /--map-words 0: give a whole number/],
    [['serve', '--out', out, '--port', '70000'], /--port 70000: give a port number from 0 to 65535/],
  ] as const) {
    const r = cli(...args);
    t.equal(r.code, 2, `${args.join(' ')}: exit 2`);
    const lines = r.stderr.trim().split('\n');
    t.equal(lines.length, 1, `one line: ${r.stderr}`);
    t.match(lines[0], want);
    t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

t.test('similarity and analogy scores side by side, as a brute force computes them', async (t) => {
  const data = path.join(dir, 'eval-data');
  fs.mkdirSync(path.join(data, 'wordsim'), { recursive: true });
  fs.mkdirSync(path.join(data, 'analogy'), { recursive: true });
  const pairs: [string, string, number][] = [['a1', 'a2', 9], ['a1', 'b1', 1], ['a3', 'a4', 8], ['b2', 'b3', 7], ['a5', 'b5', 2], ['b6', 'a7', 0.5]];
  fs.writeFileSync(path.join(data, 'wordsim', 'TINY.txt'), pairs.map((p) => p.join('\t')).join('\n') + '\n');
  const questions = [['a1', 'a2', 'b1', 'b2'], ['a3', 'a4', 'b3', 'b4'], ['b5', 'b6', 'a5', 'a6'], ['a1', 'zzz', 'b1', 'b2']];
  fs.writeFileSync(path.join(data, 'analogy', 'questions-words.txt'), ': family\n' + questions.map((q) => q.join(' ')).join('\n') + '\n');
  const saved = process.env.LEXFLOW_DATA;
  process.env.LEXFLOW_DATA = data;
  t.teardown(() => {
    if (saved === undefined) delete process.env.LEXFLOW_DATA;
    else process.env.LEXFLOW_DATA = saved;
  });
  fs.rmSync(path.join(out, 'report', 'cache'), { recursive: true, force: true });

  // The end of `lexflow run` (cheap): similarity yes, analogies left to `lexflow report`, and said.
  const cheap = await buildReportData(out, { samples: false, cheap: true });
  t.same(cheap.embeddingScores.map((s) => s.stage).sort(), ['glove', 'svd', 'word2vec']);
  t.ok(cheap.embeddingScores.every((s) => s.rows.every((r) => r.metric === 'spearman')), 'only similarity');
  t.ok(cheap.notes.some((n) => /svd: analogy accuracy not computed here/.test(n)));

  const full = await buildReportData(out, { samples: false });
  for (const stage of ['svd', 'word2vec', 'glove']) {
    const tab = table(path.join(out, stage, 'embeddings.arrow'));
    const tokens = tab.getChild('token')!.toArray() as string[];
    const unit = tokens.map((_, i) => {
      const v = Array.from(tab.getChild('vector')!.get(i)!.toArray() as Float32Array);
      const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
      return v.map((x) => x / n);
    });
    const dot = (a: number[], b: number[]): number => a.reduce((s, x, i) => s + x * b[i]!, 0);
    const row = (w: string): number[] => unit[tokens.indexOf(w)]!;
    // Spearman: Pearson correlation of the ranks (no ties here).
    const ranks = (xs: number[]): number[] => xs.map((x) => xs.filter((y) => y < x).length + 1);
    const human = ranks(pairs.map((p) => p[2]));
    const model = ranks(pairs.map(([a, b]) => dot(row(a), row(b))));
    const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
    const [mh, mm] = [mean(human), mean(model)];
    const rho = human.reduce((s, h, i) => s + (h - mh) * (model[i]! - mm), 0) / Math.sqrt(human.reduce((s, h) => s + (h - mh) ** 2, 0) * model.reduce((s, m) => s + (m - mm) ** 2, 0));
    const scores = full.embeddingScores.find((s) => s.stage === stage)!;
    const sp = scores.rows.find((r) => r.metric === 'spearman' && r.set === 'TINY')!;
    t.ok(Math.abs(sp.value! - rho) < 1e-6, `${stage}: rho ${sp.value} = ${rho}`);
    t.same([sp.found, sp.total], [6, 6]);
    // 3CosAdd: the nearest unit row to b - a + c, a, b and c excluded; the question with an unknown word is not seen.
    let right = 0;
    for (const [a, b, c, d] of questions.slice(0, 3)) {
      const q = row(b!).map((x, i) => x - row(a!)[i]! + row(c!)[i]!);
      let best = -1;
      let bs = -Infinity;
      tokens.forEach((tk, i) => {
        if ([a, b, c].includes(tk)) return;
        const s = dot(unit[i]!, q);
        if (s > bs) {
          bs = s;
          best = i;
        }
      });
      if (tokens[best] === d) right++;
    }
    const add = scores.rows.find((r) => r.metric === '3cosadd' && r.set === 'total')!;
    t.same([add.found, add.total], [3, 4], `${stage}: 3 of 4 questions seen`);
    t.ok(Math.abs(add.value! - right / 3) < 1e-9, `${stage}: 3CosAdd ${add.value} = ${right}/3`);
    t.match(scores.source, /computed by the report/);
  }
  // Now cached: the cheap page shows the analogies too.
  const again = await buildReportData(out, { samples: false, cheap: true });
  t.ok(again.embeddingScores.every((s) => s.rows.some((r) => r.metric === '3cosadd')), 'analogies from the cache');
});

t.test('a model still training: its curve comes from the checkpoint and is marked live', async (t) => {
  const stageDir = path.join(out, 'lm-neural');
  const away = path.join(dir, 'lm-neural-away');
  fs.renameSync(stageDir, away);
  const tmp = `${stageDir}.tmp-${process.pid}-abc123`;
  fs.mkdirSync(tmp);
  const ck = path.join(out, '.checkpoints', 'lm-neural-0123456789ab');
  fs.mkdirSync(ck, { recursive: true });
  const history = [
    { step: 10, epoch: 0, trainLoss: 3.5, validPpl: null, tokensPerS: 100, wallS: 1.5, lr: 0.001 },
    { step: 20, epoch: 0, trainLoss: 3.1, validPpl: null, tokensPerS: 100, wallS: 3, lr: 0.001 },
    { step: 20, epoch: 1, trainLoss: null, validPpl: 42.5, tokensPerS: 0, wallS: 3.2, lr: 0.001 },
  ];
  fs.writeFileSync(path.join(ck, 'checkpoint.json'), JSON.stringify({ format: 'lexflow-lm-checkpoint-1', history }));
  t.teardown(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(path.join(out, '.checkpoints'), { recursive: true, force: true });
    fs.renameSync(away, stageDir);
  });
  const data = await buildReportData(out, { samples: false });
  t.equal(data.runs[0]!.stages.find((s) => s.name === 'lm-neural')!.state, 'running');
  t.equal(data.curves.length, 1);
  const c = data.curves[0]!;
  t.equal(c.live, true);
  t.same(c.train, { step: [10, 20], wall: [1.5, 3], loss: [3.5, 3.1] });
  t.same(c.valid, { step: [20], wall: [3.2], ppl: [42.5] });
  t.equal(data.perplexity.filter((r) => r.stage === 'lm-neural').length, 0, 'no perplexity before it finishes');
});

t.test("eval-embeddings' own figures, each stage's from its `vectors` rows", async (t) => {
  const { runPipeline } = await import('../../pipeline/runner.js');
  await runPipeline({ out, only: ['eval-embeddings'], runMissingInputs: false, threads: 1, logLevel: 'quiet', progress: 'quiet' });
  const data = await buildReportData(out, { samples: false });
  const tab = table(path.join(out, 'eval-embeddings', 'metrics.arrow'));
  const col = (n: string): unknown[] => Array.from(tab.getChild(n)!.toArray() as ArrayLike<unknown>);
  const [vectors, metric, set, value] = ['vectors', 'metric', 'set', 'value'].map(col) as [string[], string[], string[], number[]];
  for (const stage of ['svd', 'word2vec', 'glove']) {
    const s = data.embeddingScores.find((x) => x.stage === stage)!;
    t.equal(s.source, 'eval-embeddings stage');
    const want = vectors.map((v, i) => i).filter((i) => vectors[i] === stage && ['spearman', '3cosadd', '3cosmul'].includes(metric[i]!));
    t.ok(want.length > 0, `${stage} was scored`);
    t.same(
      s.rows.map((r) => [r.metric, r.set, r.value]),
      want.map((i) => [metric[i], set[i], Number.isFinite(value[i]!) ? value[i] : null]),
      `${stage}: its own rows, no other stage's`,
    );
  }
});
