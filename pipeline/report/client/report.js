// The report page's script (plain browser JavaScript, inlined by pipeline/report/page.ts).
// It draws the data of <script id="lexflow-data"> with uPlot; under `lexflow serve`
// it listens to /events and redraws when the run changes, and adds the model boxes.
/* global uPlot */
(() => {
  'use strict';

  const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];
  const STATE_COLORS = { done: '#2ca02c', stale: '#ff7f0e', missing: '#bbbbbb', running: '#1f77b4' };
  const status = { ready: false, firstChartMs: null, charts: 0, errors: [], renders: 0 };
  window.lexflowReport = status;
  let charts = [];

  // ------------------------------------------------------------ helpers

  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, String(v));
    }
    for (const k of kids.flat()) if (k !== undefined && k !== null && k !== false) e.append(k instanceof Node ? k : document.createTextNode(String(k)));
    return e;
  }
  const num = (v) => (v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v === null || v === undefined ? NaN : Number(v));
  function fmt(v, digits = 2) {
    const x = num(v);
    if (Number.isNaN(x)) return '–';
    if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
    return Math.abs(x) >= 1e5 ? x.toExponential(3) : x.toFixed(digits);
  }
  function section(id, title, ...body) {
    return el('section', { id }, el('h2', {}, title), ...body);
  }
  function chartWidth(container) {
    return Math.max(320, Math.min(900, (container && container.clientWidth) || document.body.clientWidth - 40));
  }
  function markChart() {
    status.charts++;
    if (status.firstChartMs === null) status.firstChartMs = Math.round(performance.now());
  }

  // ------------------------------------------------------------ the run

  function stageGraph(stages) {
    const layer = new Map();
    const byName = new Map(stages.map((s) => [s.name, s]));
    const depth = (s, seen = new Set()) => {
      if (layer.has(s.name)) return layer.get(s.name);
      if (seen.has(s.name)) return 0;
      seen.add(s.name);
      const d = s.inputs.reduce((m, i) => (byName.has(i) ? Math.max(m, 1 + depth(byName.get(i), seen)) : m), 0);
      layer.set(s.name, d);
      return d;
    };
    stages.forEach((s) => depth(s));
    const cols = new Map();
    for (const s of stages) {
      const d = layer.get(s.name);
      if (!cols.has(d)) cols.set(d, []);
      cols.get(d).push(s);
    }
    const W = 132, H = 44, GX = 40, GY = 14;
    const pos = new Map();
    let maxRows = 0;
    for (const [d, list] of cols) {
      list.forEach((s, i) => pos.set(s.name, { x: 10 + d * (W + GX), y: 10 + i * (H + GY) }));
      maxRows = Math.max(maxRows, list.length);
    }
    const width = 20 + cols.size * (W + GX);
    const height = 20 + maxRows * (H + GY);
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    svg.setAttribute('width', String(width));
    svg.setAttribute('class', 'graph');
    const add = (tag, attrs, text) => {
      const e = document.createElementNS(ns, tag);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
      if (text !== undefined) e.textContent = text;
      svg.append(e);
      return e;
    };
    for (const s of stages)
      for (const i of s.inputs) {
        const a = pos.get(i), b = pos.get(s.name);
        if (!a || !b) continue;
        const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2;
        add('path', { d: `M${x1},${y1} C${x1 + GX / 2},${y1} ${x2 - GX / 2},${y2} ${x2},${y2}`, class: 'edge' });
      }
    for (const s of stages) {
      const p = pos.get(s.name);
      const g = add('g', { class: `node state-${s.state}`, 'data-stage': s.name });
      const r = document.createElementNS(ns, 'rect');
      for (const [k, v] of Object.entries({ x: p.x, y: p.y, width: W, height: H, rx: 6, fill: STATE_COLORS[s.state] || '#ccc' })) r.setAttribute(k, String(v));
      const t1 = document.createElementNS(ns, 'text');
      t1.setAttribute('x', String(p.x + 8));
      t1.setAttribute('y', String(p.y + 18));
      t1.textContent = s.name;
      const t2 = document.createElementNS(ns, 'text');
      t2.setAttribute('x', String(p.x + 8));
      t2.setAttribute('y', String(p.y + 34));
      t2.setAttribute('class', 'small');
      t2.textContent = `${s.state}${s.wallSeconds !== null ? ` · ${fmt(s.wallSeconds, 1)} s` : ''}`;
      const tip = document.createElementNS(ns, 'title');
      tip.textContent = `${s.name}: ${s.describe}\n${s.state}${s.reason ? ` (${s.reason})` : ''}`;
      g.append(r, t1, t2, tip);
    }
    return svg;
  }

  function runSection(data) {
    const run = data.runs[0];
    const rows = run.stages.map((s) =>
      el('tr', { class: `state-${s.state}` },
        el('td', {}, data.live ? el('a', { href: `files/${encodeURIComponent(s.name)}/_manifest.json` }, s.name) : el('a', { href: `../${encodeURIComponent(s.name)}/_manifest.json` }, s.name)),
        el('td', {}, el('span', { class: 'badge', style: `background:${STATE_COLORS[s.state]}` }, s.state), s.reason && s.state !== 'missing' ? ` ${s.reason}` : ''),
        el('td', { class: 'num' }, s.wallSeconds === null ? '–' : fmt(s.wallSeconds, 1)),
        el('td', { class: 'num' }, s.peakRssMB === null ? '–' : String(s.peakRssMB)),
        el('td', { class: 'num' }, s.rows === null ? '–' : s.rows.toLocaleString('en')),
        el('td', { class: 'mono' }, s.fingerprint ? s.fingerprint.slice(0, 12) : '–'),
        el('td', { class: 'warn' }, s.warnings.join(' · '))));
    return section('run', `Run ${run.name}`,
      el('p', {}, `dataset ${run.config.dataset ?? '?'} · lexflow ${data.lexflowVersion} · built ${data.generated}${data.live ? ' · live' : ''}`),
      el('div', { class: 'scroll' }, stageGraph(run.stages)),
      el('table', { class: 'stages' },
        el('thead', {}, el('tr', {}, ...['stage', 'status', 'wall s', 'peak MB', 'rows', 'fingerprint', 'warnings'].map((h) => el('th', {}, h)))),
        el('tbody', {}, rows)),
      el('details', {}, el('summary', {}, 'resolved configuration (run.json)'), el('pre', { class: 'config' }, JSON.stringify(run.config, null, 2))));
  }

  // ------------------------------------------------------------ perplexity

  function sortable(table) {
    const ths = table.querySelectorAll('th');
    ths.forEach((th, col) => {
      th.classList.add('sortable');
      th.addEventListener('click', () => {
        const dir = th.dataset.dir === 'asc' ? 'desc' : 'asc';
        ths.forEach((h) => delete h.dataset.dir);
        th.dataset.dir = dir;
        const body = table.tBodies[0];
        const rows = [...body.rows];
        const key = (r) => r.cells[col].dataset.v ?? r.cells[col].textContent;
        rows.sort((a, b) => {
          const x = key(a), y = key(b);
          const nx = Number(x), ny = Number(y);
          const c = !Number.isNaN(nx) && !Number.isNaN(ny) ? nx - ny : String(x).localeCompare(String(y));
          return dir === 'asc' ? c : -c;
        });
        body.append(...rows);
      });
    });
    return table;
  }

  function pplSection(data) {
    const multi = data.runs.length > 1;
    const head = [...(multi ? ['run'] : []), 'stage', 'model', 'valid ppl', 'test ppl', 'test ppl excl. OOV', 'test OOV tokens', 'test tokens'];
    const cell = (v, d = 2) => el('td', { class: 'num', 'data-v': Number.isNaN(num(v)) ? '' : String(num(v)) }, fmt(v, d));
    const rows = data.perplexity.map((r) =>
      el('tr', { title: r.note || '' }, ...(multi ? [el('td', {}, r.run)] : []), el('td', {}, r.stage), el('td', {}, r.model),
        cell(r.validPpl), cell(r.testPpl), cell(r.testPplExclOov), cell(r.testOov, 0), cell(r.testTokens, 0)));
    if (!rows.length) return section('perplexity', 'Perplexity', el('p', { class: 'empty' }, 'No language model in this run yet.'));
    return section('perplexity', 'Perplexity of every language model',
      sortable(el('table', { class: 'ppl' }, el('thead', {}, el('tr', {}, ...head.map((h) => el('th', {}, h)))), el('tbody', {}, rows))),
      el('p', { class: 'conventions' },
        'Conventions (as KenLM query): every sentence is scored on its own from <s>; every word and one </s> per sentence are predicted; <s> is not. ',
        'Words outside a model\'s vocabulary are scored as <unk> and counted in "ppl"; "excl. OOV" leaves those targets out. ',
        'valid is the held-out split models may tune on (Jelinek–Mercer weights, neural early stopping); test is touched only for these figures. ',
        'Neural models cap their vocabulary (--max-vocab): their <unk> covers more words, so compare their "excl. OOV" figures with care. Click a column to sort.'));
  }

  // ------------------------------------------------------------ training curves

  function curveChart(title, curves, kind, xkey, container) {
    const sets = curves.map((c) => {
      const s = kind === 'loss' ? c.train : c.valid;
      const x = xkey === 'step' ? s.step : s.wall;
      const y = kind === 'loss' ? s.loss : s.ppl;
      return [x, y];
    });
    if (!sets.some((s) => s[0].length)) return null;
    const data = uPlot.join(sets.map(([x, y]) => [x, y]));
    const box = el('div', { class: 'chart', 'data-kind': `${kind}-${xkey}`, 'data-series': String(curves.length) });
    container.append(box);
    const opts = {
      title,
      width: chartWidth(container),
      height: 260,
      scales: { x: { time: false }, y: kind === 'ppl' ? { distr: 3 } : {} },
      axes: [{ label: xkey === 'step' ? 'step' : 'wall time (s)' }, { label: kind === 'loss' ? 'train loss (nats/token)' : 'validation perplexity' }],
      series: [{ label: xkey }, ...curves.map((c, i) => ({ label: c.label + (c.live ? ' (training)' : ''), stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: true, points: { show: kind === 'ppl' } }))],
    };
    charts.push(new uPlot(opts, data, box));
    markChart();
    return box;
  }

  function curvesSection(data) {
    const sec = section('curves', 'Training curves');
    if (!data.curves.length) {
      sec.append(el('p', { class: 'empty' }, 'No trained model with a history in this run.'));
      return sec;
    }
    let xkey = 'step';
    const holder = el('div', { class: 'charts' });
    const draw = () => {
      for (const c of [...holder.querySelectorAll('.chart')]) {
        const i = charts.findIndex((u) => u.root.parentElement === c);
        if (i >= 0) charts.splice(i, 1)[0].destroy();
        c.remove();
      }
      curveChart('train loss', data.curves, 'loss', xkey, holder);
      curveChart('validation perplexity', data.curves, 'ppl', xkey, holder);
    };
    const toggle = el('p', {}, 'x axis: ',
      el('label', {}, el('input', { type: 'radio', name: 'xkey', value: 'step', checked: true, onchange: () => { xkey = 'step'; draw(); } }), ' step'), ' ',
      el('label', {}, el('input', { type: 'radio', name: 'xkey', value: 'wall', onchange: () => { xkey = 'wall'; draw(); } }), ' wall time'));
    sec.append(toggle, holder);
    sec.append(el('p', { class: 'small' }, `${data.curves.length} trained model(s)${data.runs.length > 1 ? ` across ${data.runs.length} runs` : ''}; drag to zoom, double-click to reset.`));
    sec._draw = draw;
    return sec;
  }

  // ------------------------------------------------------------ embeddings

  function embeddingMapBox(map) {
    const box = el('div', { class: 'embedding', 'data-stage': map.stage });
    let method = 'pca';
    const info = el('div', { class: 'neighbors' }, el('p', { class: 'small' }, 'Hover a point or search a word to see its nearest neighbours (cosine, among the mapped words).'));
    const byWord = new Map(map.words.map((w, i) => [w, i]));
    let selected = -1;
    const showNeighbors = (i) => {
      info.replaceChildren(el('h4', {}, map.words[i]),
        el('ol', {}, ...Array.from({ length: map.k }, (_, j) => map.neighbors[i * map.k + j]).map((nb, j) =>
          nb < 0 ? null : el('li', {}, `${map.words[nb]} `, el('span', { class: 'small' }, fmt(map.cosines[i * map.k + j], 3))))));
    };
    const search = el('input', { type: 'search', placeholder: 'word', 'aria-label': `search a word in ${map.stage}` });
    search.addEventListener('input', () => {
      const w = search.value.trim();
      const i = byWord.has(w) ? byWord.get(w) : byWord.get(w.toLowerCase());
      if (i === undefined) return;
      selected = i;
      showNeighbors(i);
      if (chart) chart.redraw(false);
    });
    const chartBox = el('div', { class: 'chart map' });
    let chart = null;
    let order = [];
    const draw = () => {
      if (chart) {
        charts.splice(charts.indexOf(chart), 1);
        chart.destroy();
      }
      const xy = method === 'pca' ? map.pca : map.tsne;
      const n = xy.length / 2;
      order = Array.from({ length: n }, (_, i) => i).sort((a, b) => xy[a * 2] - xy[b * 2]);
      const xs = order.map((i) => xy[i * 2]);
      const ys = order.map((i) => xy[i * 2 + 1]);
      chartBox.dataset.points = String(n);
      const labelTop = Math.min(40, n);
      chart = new uPlot({
        title: `${map.stage} · ${method === 'pca' ? `PCA of the ${n} most frequent words` : `t-SNE of the ${n} most frequent words`}`,
        width: chartWidth(box) - 20,
        height: 420,
        scales: { x: { time: false } },
        legend: { show: false },
        cursor: { points: { show: false }, drag: { x: true, y: true } },
        axes: [{ label: method === 'pca' ? 'PC1' : '' }, { label: method === 'pca' ? 'PC2' : '' }],
        series: [{}, { stroke: 'rgba(31,119,180,0.8)', paths: () => null, points: { show: true, size: 4, width: 0.5, stroke: 'rgba(31,119,180,0.8)', fill: 'rgba(31,119,180,0.35)' } }],
        hooks: {
          draw: [(u) => {
            const ctx = u.ctx;
            ctx.save();
            ctx.font = `${11 * devicePixelRatio}px sans-serif`;
            ctx.fillStyle = '#333';
            const label = (i, bold) => {
              const x = u.valToPos(xy[i * 2], 'x', true), y = u.valToPos(xy[i * 2 + 1], 'y', true);
              if (bold) {
                ctx.fillStyle = '#d62728';
                ctx.beginPath();
                ctx.arc(x, y, 5 * devicePixelRatio, 0, 2 * Math.PI);
                ctx.fill();
              }
              ctx.fillText(map.words[i], x + 4 * devicePixelRatio, y - 3 * devicePixelRatio);
              ctx.fillStyle = '#333';
            };
            for (let i = 0; i < labelTop; i++) label(i, false);
            if (selected >= 0 && selected < n) label(selected, true);
            ctx.restore();
          }],
          setCursor: [(u) => {
            const { left, top } = u.cursor;
            if (left === undefined || left < 0) return;
            let best = -1, bd = 144; // within 12 CSS px
            for (let i = 0; i < n; i++) {
              const dx = u.valToPos(xy[i * 2], 'x') - left, dy = u.valToPos(xy[i * 2 + 1], 'y') - top;
              const d = dx * dx + dy * dy;
              if (d < bd) { bd = d; best = i; }
            }
            if (best >= 0 && best !== selected) {
              selected = best;
              showNeighbors(best);
              u.redraw(false);
            }
          }],
        },
      }, [xs, ys], chartBox);
      charts.push(chart);
      markChart();
    };
    const pick = el('select', { 'aria-label': 'projection', onchange: (e) => { method = e.target.value; draw(); } },
      el('option', { value: 'pca' }, 'PCA'), map.tsne.length ? el('option', { value: 'tsne' }, 't-SNE') : null);
    box.append(el('h3', {}, `${map.stage} (${map.vocab.toLocaleString('en')} words × ${map.dim})`), el('p', {}, pick, ' ', search),
      el('div', { class: 'maprow' }, chartBox, info));
    box._draw = draw;
    return box;
  }

  function scoresTable(scores) {
    if (!scores.length) return el('p', { class: 'empty' }, 'No word-similarity or analogy figures (set $LEXFLOW_DATA to score the embeddings).');
    const keys = [];
    const seen = new Set();
    for (const s of scores) for (const r of s.rows) {
      const k = `${r.metric}\u0000${r.set}`;
      if (!seen.has(k)) { seen.add(k); keys.push([r.metric, r.set]); }
    }
    const byStage = scores.map((s) => new Map(s.rows.map((r) => [`${r.metric}\u0000${r.set}`, r])));
    const row = ([metric, set]) => el('tr', {}, el('td', {}, metric), el('td', {}, set), ...byStage.map((m) => {
      const r = m.get(`${metric}\u0000${set}`);
      if (!r || r.value === null) return el('td', { class: 'num', 'data-v': '' }, '–');
      const v = metric === 'spearman' ? fmt(r.value, 3) : `${fmt(100 * r.value, 1)} %`;
      return el('td', { class: 'num', 'data-v': String(r.value), title: `${r.found}/${r.total} found` }, v);
    }));
    const table = (ks) => sortable(el('table', { class: 'scores' }, el('thead', {}, el('tr', {}, el('th', {}, 'metric'), el('th', {}, 'set'), ...scores.map((s) => el('th', {}, s.stage)))), el('tbody', {}, ks.map(row))));
    // Similarity sets and the analogy totals first; the analogy sections (14 of them) on demand.
    const summary = keys.filter(([metric, set]) => metric === 'spearman' || ['total', 'semantic', 'syntactic'].includes(set));
    const sections = keys.filter((k) => !summary.includes(k));
    return el('div', {},
      table(summary),
      sections.length ? el('details', {}, el('summary', {}, `analogy accuracy by section (${new Set(sections.map((k) => k[1])).size} sections)`), table(sections)) : null,
      el('p', { class: 'small' }, scores.map((s) => `${s.stage}: ${s.source}`).join(' · '), '. Spearman ρ of cosine against human scores; analogy accuracy (3CosAdd, 3CosMul) over the questions whose words are all in the restricted vocabulary; hover a cell for its coverage.'));
  }

  function embeddingsSection(data) {
    const sec = section('embeddings', 'Embeddings');
    if (!data.embeddings.length) sec.append(el('p', { class: 'empty' }, 'No embedding stage in this run yet.'));
    const boxes = data.embeddings.map(embeddingMapBox);
    sec.append(...boxes, el('h3', {}, 'Word similarity and analogies'), scoresTable(data.embeddingScores));
    sec._draw = () => boxes.forEach((b) => b._draw());
    return sec;
  }

  // ------------------------------------------------------------ attention

  function heatmap(m) {
    const cell = Math.max(8, Math.min(22, Math.floor(420 / Math.max(m.targets, m.sources))));
    const pad = 80;
    const c = el('canvas', { class: 'heat', width: pad + m.sources * cell + 4, height: pad + m.targets * cell + 4, 'data-layer': m.layer, 'data-head': m.head });
    const ctx = c.getContext('2d');
    ctx.font = '10px sans-serif';
    ctx.fillStyle = '#333';
    for (let s = 0; s < m.sources; s++) {
      ctx.save();
      ctx.translate(pad + s * cell + cell / 2 + 3, pad - 4);
      ctx.rotate(-Math.PI / 3);
      ctx.fillText(m.sourceTokens[s].slice(0, 12), 0, 0);
      ctx.restore();
    }
    for (let t = 0; t < m.targets; t++) ctx.fillText(m.targetTokens[t].slice(0, 12), 2, pad + t * cell + cell * 0.7);
    for (let t = 0; t < m.targets; t++)
      for (let s = 0; s < m.sources; s++) {
        const w = m.weights[t * m.sources + s];
        ctx.fillStyle = w === null ? '#f4f4f4' : `rgba(214,39,40,${Math.max(0, Math.min(1, w))})`;
        ctx.fillRect(pad + s * cell, pad + t * cell, cell - 1, cell - 1);
      }
    return el('figure', {}, c, el('figcaption', {}, `layer ${m.layer} · head ${m.head}`));
  }

  function attentionSection(data) {
    const sec = section('attention', 'Attention');
    if (!data.attention.length) {
      sec.append(el('p', { class: 'empty' }, 'No attention to draw: it appears for a Transformer LM (lm-neural --arch transformer), and for any stage folder holding attention.arrow (sentence, layer, head, target_pos, source_pos, weight), such as a seq2seq model\'s cross-attention.'));
      return sec;
    }
    const groups = new Map();
    for (const m of data.attention) {
      const k = `${m.stage}\u0000${m.sentence}`;
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k).push(m);
    }
    for (const [, maps] of groups) {
      maps.sort((a, b) => a.layer - b.layer || a.head - b.head);
      sec.append(el('h3', {}, `${maps[0].stage}: “${maps[0].sentence}”`), el('p', { class: 'small' }, 'rows: target (query) positions; columns: source (key) positions; darker = more weight.'),
        el('div', { class: 'heats' }, ...maps.map(heatmap)));
    }
    return sec;
  }

  // ------------------------------------------------------------ samples

  function samplesSection(data) {
    const sec = section('samples', 'Samples');
    if (data.translations.length) sec.append(el('h3', {}, 'Translations'), ...translationTables(data));
    if (!data.samples.length) {
      sec.append(el('p', { class: 'empty' }, 'No samples (no language model in this run yet).'));
      return sec;
    }
    if (data.translations.length) sec.append(el('h3', {}, 'From the language models'));
    sec.append(el('table', { class: 'samples' },
      el('thead', {}, el('tr', {}, ...['stage', 'model', 'decoding', 'text', 'log p'].map((h) => el('th', {}, h)))),
      el('tbody', {}, data.samples.map((s) => el('tr', {}, el('td', {}, s.stage), el('td', {}, s.model), el('td', {}, s.strategy), el('td', { class: 'text' }, s.text), el('td', { class: 'num' }, fmt(s.logProb, 2)))))));
    return sec;
  }

  // One table per stage: a row per sentence, a column per decoding setting (hypothesis, its score below),
  // with the stage's cross-attention heatmap (attention.arrow) beside it.
  function translationTables(data) {
    const byStage = new Map();
    for (const t of data.translations) {
      if (!byStage.has(t.stage)) byStage.set(t.stage, []);
      byStage.get(t.stage).push(t);
    }
    const out = [];
    for (const [stage, rows] of byStage) {
      const settings = [...new Set(rows.map((t) => t.setting))].sort();
      const sentences = new Map();
      for (const t of rows) {
        const k = `${t.split}\u0000${t.id}`;
        if (!sentences.has(k)) sentences.set(k, { split: t.split, id: t.id, source: t.source, reference: t.reference, by: {} });
        sentences.get(k).by[t.setting] = t;
      }
      const withRef = rows.some((t) => t.reference !== null);
      const table = el('table', { class: 'translations', 'data-stage': stage },
        el('thead', {}, el('tr', {}, ...['split', '#', 'source', ...settings, ...(withRef ? ['reference'] : [])].map((h) => el('th', {}, h)))),
        el('tbody', {}, [...sentences.values()].map((s) => el('tr', {},
          el('td', {}, s.split), el('td', { class: 'num' }, s.id), el('td', { class: 'text' }, s.source),
          ...settings.map((name) => {
            const t = s.by[name];
            return el('td', { class: 'text hyp', 'data-setting': name }, t ? t.hypothesis : '', t && t.score !== null ? el('div', { class: 'small' }, `score ${fmt(t.score, 3)}`) : null);
          }),
          withRef ? el('td', { class: 'text' }, s.reference ?? '') : null))));
      const maps = data.attention.filter((m) => m.stage === stage);
      const beside = maps.length
        ? el('div', { class: 'beside' }, heatmap(maps[0]), el('p', { class: 'small' }, `cross-attention of sentence ${maps[0].sentence} in ${stage}/${maps[0].file}${maps.length > 1 ? ` (layer ${maps[0].layer}, head ${maps[0].head}; every map is under Attention)` : ''}: rows are target positions, columns source positions.`))
        : null;
      out.push(el('div', { class: 'maprow translations-row' }, el('div', { class: 'scroll' }, table), beside));
    }
    return out;
  }

  // ------------------------------------------------------------ model boxes (serve only)

  // One id per page: the server keeps a chat's turns per page.
  const sessionId = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Math.random()).slice(2);
  let endpointsBox = null;
  async function modelsSection() {
    if (endpointsBox) return endpointsBox;
    const sec = section('models', 'Ask the models');
    endpointsBox = sec;
    try {
      const list = await (await fetch('api/endpoints')).json();
      if (!list.length) sec.append(el('p', { class: 'empty' }, 'No model to call yet.'));
      for (const ep of list) {
        const out = el('div', { class: 'answer' });
        const inputs = ep.fields.map((f) => f.choices
          ? el('select', { name: f.name, 'aria-label': f.name }, ...f.choices.map((c) => el('option', { value: c, selected: c === f.default }, c)))
          : el('input', { name: f.name, type: f.type === 'number' ? 'number' : 'text', value: f.default ?? '', placeholder: f.name, 'aria-label': f.name, step: 'any' }));
        const form = el('form', { class: 'endpoint', 'data-endpoint': ep.name }, el('h3', {}, ep.name), el('p', { class: 'small' }, ep.describe),
          ...ep.fields.map((f, i) => el('label', {}, `${f.name} `, inputs[i])), el('button', { type: 'submit' }, 'ask'), out);
        form.addEventListener('submit', async (e) => {
          e.preventDefault();
          const args = {};
          ep.fields.forEach((f, i) => (args[f.name] = f.type === 'number' ? Number(inputs[i].value) : inputs[i].value));
          out.textContent = '…';
          try {
            const r = await fetch(`api/call/${encodeURIComponent(ep.name)}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-lexflow-session': sessionId }, body: JSON.stringify(args) });
            const body = await r.json();
            out.replaceChildren(r.ok ? renderAnswer(body) : el('p', { class: 'warn' }, body.error || r.statusText));
            if (r.ok) ep.fields.forEach((f, i) => { if (f.clear) inputs[i].value = ''; });
          } catch (err) {
            out.textContent = String(err);
          }
        });
        sec.append(form);
      }
    } catch (err) {
      sec.append(el('p', { class: 'warn' }, `cannot list the model endpoints: ${err}`));
    }
    return sec;
  }
  function renderAnswer(body) {
    if (Array.isArray(body.rows) && body.rows.length) {
      const cols = Object.keys(body.rows[0]);
      return el('table', {}, el('thead', {}, el('tr', {}, ...cols.map((c) => el('th', {}, c)))),
        el('tbody', {}, body.rows.map((r) => el('tr', {}, ...cols.map((c) => el('td', { class: typeof r[c] === 'number' ? 'num' : '' }, typeof r[c] === 'number' && !Number.isInteger(r[c]) ? fmt(r[c], 4) : String(r[c])))))));
    }
    return el('pre', {}, body.text ?? JSON.stringify(body, null, 2));
  }

  // ------------------------------------------------------------ page

  function nav(data) {
    const links = [['run', 'Run'], ['perplexity', 'Perplexity'], ['curves', 'Curves'], ['embeddings', 'Embeddings'], ['attention', 'Attention'], ['samples', 'Samples'], ...(data.live ? [['models', 'Models']] : [])];
    return el('nav', {}, el('strong', {}, 'lexflow'), ...links.map(([id, t]) => el('a', { href: `#${id}` }, t)));
  }

  async function render(data) {
    const y = window.scrollY;
    for (const c of charts) c.destroy();
    charts = [];
    const app = document.getElementById('app');
    const parts = [nav(data), runSection(data)];
    if (data.notes.length) parts.push(el('details', { class: 'notes', open: true }, el('summary', {}, 'sampled for this page'), el('ul', {}, data.notes.map((n) => el('li', {}, n)))));
    const curves = curvesSection(data);
    const emb = embeddingsSection(data);
    parts.push(pplSection(data), curves, emb, attentionSection(data), samplesSection(data));
    if (data.live) parts.push(await modelsSection());
    app.replaceChildren(...parts);
    // Charts are sized from their containers, so they are drawn once the page is laid out.
    if (curves._draw) curves._draw();
    emb._draw();
    window.scrollTo(0, y);
    status.renders++;
    status.ready = true;
    document.body.dataset.ready = 'true';
  }

  window.addEventListener('error', (e) => status.errors.push(String(e.message)));
  const initial = JSON.parse(document.getElementById('lexflow-data').textContent);
  render(initial);

  if (initial.live && typeof EventSource === 'function') {
    let busy = false;
    const refresh = async () => {
      if (busy) return;
      busy = true;
      try {
        const data = await (await fetch('api/data')).json();
        await render(data);
      } finally {
        busy = false;
      }
    };
    const es = new EventSource('events');
    es.addEventListener('update', refresh);
  }
})();
