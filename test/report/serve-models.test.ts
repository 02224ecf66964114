// `lexflow serve`'s translate and chat boxes, declared by the seq2seq and
// chatbot stages, on small real runs made here through the CLI: the translate
// call answers what `lexflow translate` prints for the same sentence and beam;
// the chat call answers what `lexflow chat` answers to the same messages, with
// the conversation kept per page (session) and forgotten on /reset; a bad
// request is a 400 with one clear message.

import t from 'tap';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { tmpDir } from '../../testkit/tmp.js';
import { startServe } from '../../testkit/serve-process.js';
import { lexflow } from '../../testkit/cli.js';
import { writeToyParallel } from '../../testkit/parallel-corpus.js';
import * as A from 'apache-arrow';
import { ArrowFileWriter, field, primitiveData, utf8Data } from '../../pipeline/arrow.js';
import { collectErrors, collectForeignRequests, hasChromium, launchChromium } from '../../testkit/browser.js';

// Two runs and four CLI processes: slow on a loaded machine.
t.setTimeout(900_000);

const dir = tmpDir(t, 'lexflow-serve-models-');
const root = t;
/** What the browser test checks the boxes against: filled in by the endpoint tests. */
const seen: { greedyHyps?: string[]; mtBase?: string; botBase?: string; sentence?: string; greedy?: string; messages?: string[]; replies?: string[] } = {};

// A module hook in the server process that prints every TensorFlow.js module it loads (hooks run off the main thread: fd 2 directly).
const hooks = path.join(dir, 'tfjs-hooks.mjs');
fs.writeFileSync(hooks, `import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';\nexport async function load(url, context, next) {\n  if (url.includes('@tensorflow/')) fs.writeSync(2, 'loaded tfjs module ' + url + '\\n');\n  return next(url, context);\n}\n`);
const register = path.join(dir, 'register-hooks.mjs');
fs.writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(new URL(`file://${hooks}`).href)});\n`);

interface Served {
  base: string;
  call: (name: string, body: unknown, session?: string) => Promise<{ status: number; json: any }>;
  /** The server's stderr so far. */
  stderr(): string;
}

async function serve(t: { teardown(fn: () => void): void }, out: string): Promise<Served> {
  const { base, stderr } = await startServe(t, out, { nodeArgs: ['--import', register], env: { NODE_OPTIONS: '' } });
  // A fresh connection per call (agent: false): no kept-alive socket that the server may close just as it is reused.
  const call = (name: string, body: unknown, session = 'page-1'): Promise<{ status: number; json: any }> =>
    new Promise((resolve, reject) => {
      const data = typeof body === 'string' ? body : JSON.stringify(body);
      const req = http.request(new URL(`/api/call/${name}`, base), { method: 'POST', agent: false, timeout: 120_000, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), 'x-lexflow-session': session } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) });
          } catch (e) {
            reject(new Error(`${name}: not JSON (${res.statusCode}): ${text}`));
          }
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${name}: no answer in 120 s`)));
      req.on('error', reject);
      req.end(data);
    });
  return { base, call, stderr };
}

async function endpointNames(base: string): Promise<string[]> {
  const r = await fetch(new URL('/api/endpoints', base));
  return ((await r.json()) as { name: string }[]).map((e) => e.name).sort();
}

t.test('translate: the beam best of the seq2seq model, as lexflow translate gives it', async (t) => {
  const data = writeToyParallel(path.join(dir, 'toy'), { train: 200, val: 10, test: 10 });
  const out = path.join(dir, 'mt');
  // All 20 epochs (patience 20): on a 10-sentence validation split early stopping after 2 epochs
  // left the model of one seed in four saying only "." or nothing.
  const small = ['--threads', '1', '--seq2seq.hidden', '32', '--seq2seq.embed', '16', '--seq2seq.min-count', '1', '--seq2seq.lr', '0.01', '--seq2seq.warmup', '5', '--seq2seq.batch-tokens', '300', '--seq2seq.epochs', '20', '--seq2seq.patience', '20', '--seq2seq.max-minutes', '0.5', '--seq2seq.beam', '2'];
  const run = lexflow(['run', '--dataset', data, '--source', 'en', '--target', 'de', '--out', out, ...small, '--quiet']);
  t.equal(run.code, 0, run.stderr.slice(-2000));
  // The translations.arrow the stage is to write (its schema), from the hypothesis files it writes today:
  // the page shows them beside the stage's attention.arrow.
  const stage = path.join(out, 'seq2seq');
  const lines = (f: string): string[] => fs.readFileSync(f, 'utf8').replace(/\n$/, '').split('\n');
  const sources = lines(path.join(data, 'test.en'));
  const refs = lines(path.join(stage, 'ref-test.txt'));
  const settings = fs.readdirSync(stage).flatMap((f) => /^hyp-test-(.+)\.txt$/.exec(f)?.[1] ?? []).sort();
  t.same(settings, ['beam2', 'greedy'], 'the stage translated test greedy and with beam 2');
  const rows = settings.flatMap((setting) => lines(path.join(stage, `hyp-test-${setting}.txt`)).map((hypothesis, id) => ({ id, hypothesis, setting })));
  const w = new ArrowFileWriter(path.join(stage, 'translations.arrow'), new A.Schema(['id', 'source', 'hypothesis', 'reference', 'score', 'split', 'setting'].map((n) => field(n, n === 'id' ? new A.Int32() : n === 'score' ? new A.Float32() : new A.Utf8()))));
  await w.writeColumns([
    primitiveData(new A.Int32(), Int32Array.from(rows, (r) => r.id)),
    utf8Data(rows.map((r) => sources[r.id]!)),
    utf8Data(rows.map((r) => r.hypothesis)),
    utf8Data(rows.map((r) => refs[r.id]!)),
    primitiveData(new A.Float32(), new Float32Array(rows.length).fill(-1)),
    utf8Data(rows.map(() => 'test')),
    utf8Data(rows.map((r) => r.setting)),
  ]);
  await w.close();
  seen.greedyHyps = lines(path.join(stage, 'hyp-test-greedy.txt'));

  const { base, call, stderr } = await serve(root, out);
  t.same(await endpointNames(base), ['translate'], 'a parallel run: the translate box only');
  t.notMatch(stderr(), /loaded tfjs module/, 'serve starts and lists its boxes without loading TensorFlow.js');
  const sentence = 'the big dog runs.';
  for (const beam of [1, 3]) {
    const peer = lexflow(['translate', '--model', path.join(out, 'seq2seq'), '--beam', String(beam), sentence]);
    t.equal(peer.code, 0, peer.stderr);
    const r = await call('translate', { text: sentence, beam, 'length-penalty': 0.6 });
    t.equal(r.status, 200, JSON.stringify(r.json));
    t.match(peer.stdout, /\w/, 'the model has learned to say something');
    t.equal(r.json.rows[0].translation, peer.stdout.trim(), `beam ${beam}: the best is what lexflow translate prints`);
    if (beam === 1) Object.assign(seen, { mtBase: base, sentence, greedy: peer.stdout.trim() });
    if (beam === 1) t.match(stderr(), /loaded tfjs module/, 'the first translate call loads it');
    t.equal(r.json.rows.length, beam === 1 ? 1 : r.json.rows.length, 'greedy gives one');
    t.ok(r.json.rows.length >= 1 && r.json.rows.length <= beam, `at most ${beam} translations`);
    t.ok(r.json.rows.every((x: { 'log p': number }) => x['log p'] <= 0), 'log-probabilities');
  }
  for (const [body, re] of [
    [{ text: '  ', beam: 2 }, /^text: give a sentence to translate$/],
    [{ text: sentence, beam: 0 }, /^beam: give a whole number from 1 to 20$/],
    [{ text: sentence, beam: 2.5 }, /^beam: give a whole number from 1 to 20$/],
    [{ text: sentence, 'length-penalty': -1 }, /^length-penalty: give a number from 0/],
    ['not json', /^the request body must be a JSON object/],
  ] as const) {
    const r = await call('translate', body);
    t.equal(r.status, 400, `${JSON.stringify(body)}: 400`);
    t.match(r.json.error, re);
    t.equal(String(r.json.error).split('\n').length, 1, 'one line');
  }
  t.equal((await call('chat', { message: 'hi' })).status, 404, 'no chatbot in this run: no chat box');
});

t.test('chat: the chatbot answers as lexflow chat does, one conversation per page', async (t) => {
  const corpus = path.join(dir, 'dialog.jsonl');
  const conversations = [
    ['hello there', 'hi, how are you?', 'fine thanks, and you?', 'very well'],
    ['what is your favourite colour?', 'blue, like the sky'],
    ['do you like music?', 'yes, mostly jazz', 'who is your favourite player?', 'miles davis'],
    ['where do you live?', 'in a small server room'],
    ['tell me a joke', 'why did the chicken cross the road?', 'i do not know', 'to get to the other side'],
    ['good morning', 'good morning to you too'],
  ];
  fs.writeFileSync(corpus, conversations.map((turns) => JSON.stringify({ turns })).join('\n') + '\n');
  const out = path.join(dir, 'bot');
  const run = lexflow(['run', '--dataset', `dialog=${corpus}`, '--out', out, '--threads', '1', '--chatbot.held-out', '0', '--chatbot.threshold', '0', '--quiet']);
  t.equal(run.code, 0, run.stderr.slice(-2000));
  const { base, call } = await serve(root, out);
  t.same(await endpointNames(base), ['chat'], 'a dialog run: the chat box only');

  const messages = ['do you like music?', 'who is your favourite player?'];
  const peer = lexflow(['chat', '--model', path.join(out, 'chatbot'), '--json'], { input: messages.join('\n') + '\n' });
  t.equal(peer.code, 0, peer.stderr);
  const want = peer.stdout.trim().split('\n').map((l) => JSON.parse(l) as { reply: string; confidence: number });
  t.equal(want.length, 2);
  Object.assign(seen, { botBase: base, messages, replies: want.map((w) => w.reply) });
  let last: any;
  for (const [i, message] of messages.entries()) {
    const r = await call('chat', { message, mode: 'retrieval', candidates: 0 });
    t.equal(r.status, 200, JSON.stringify(r.json));
    last = r.json.rows;
    const bot = last.at(-1);
    t.equal(bot.text, want[i]!.reply, `turn ${i + 1}: the reply lexflow chat gives with the same context`);
    t.ok(Math.abs(bot.confidence - want[i]!.confidence) < 1e-6);
  }
  t.same(
    last.map((r: { who: string }) => r.who),
    ['you', 'bot (retrieval)', 'you', 'bot (retrieval)'],
    'the page gets the conversation so far',
  );
  // Another page starts its own conversation: its first turn is what a fresh chat answers.
  const fresh = lexflow(['chat', '--model', path.join(out, 'chatbot'), '--json', '--ask', messages[1]!]);
  const other = await call('chat', { message: messages[1] }, 'page-2');
  t.equal(other.json.rows.length, 2, 'page 2 sees only its own turn');
  t.equal(other.json.rows[1].text, (JSON.parse(fresh.stdout.trim()) as { reply: string }).reply, 'and the single-turn answer');
  // Candidates, then /reset.
  const k = await call('chat', { message: 'good morning', candidates: 3 });
  t.same(k.json.rows.slice(-3).map((r: { who: string }) => r.who), ['candidate 1', 'candidate 2', 'candidate 3']);
  const reset = await call('chat', { message: '/reset' });
  t.equal(reset.status, 200);
  t.equal(reset.json.text, '(conversation forgotten)');
  const after = await call('chat', { message: messages[1] });
  t.equal(after.json.rows.length, 2, 'after /reset the conversation starts again');
  for (const [body, re] of [
    [{ message: '' }, /^message: say something/],
    [{ message: 'hi', mode: 'telepathy' }, /^mode "telepathy": choose retrieval or generative$/],
    [{ message: 'hi', candidates: -1 }, /^candidates: give a whole number from 0 to 20$/],
    [{ message: 'hi', mode: 'generative' }, /^mode generative: This model has no generative part/],
    [{ message: 42 }, /^message: give the message as text$/],
  ] as const) {
    const r = await call('chat', body);
    t.equal(r.status, 400, `${JSON.stringify(body)}: 400`);
    t.match(r.json.error, re);
  }
});

/** The little of the DOM these checks touch (the project compiles without DOM types). */
interface Field {
  value: string;
}

t.test('in a browser: the translate and chat boxes are on the page and answer', { skip: hasChromium() ? false : 'chromium is not installed at /usr/bin/chromium' }, async (t) => {
  if (!seen.mtBase || !seen.botBase) return t.fail('the endpoint tests did not get as far as serving both runs');
  const chrome = await launchChromium();
  t.teardown(() => chrome.close());
  const shots = fs.mkdtempSync(path.join(os.tmpdir(), 'lexflow-serve-shots-'));
  t.comment(`screenshots in ${shots}`);
  const open = async (base: string) => {
    const page = await chrome.browser.newPage();
    const errors = collectErrors(page);
    const foreign = collectForeignRequests(page, base.replace(/\/$/, ''));
    await page.goto(base, { waitUntil: 'load', timeout: 30_000 });
    await page.waitForFunction('window.lexflowReport && window.lexflowReport.ready', { timeout: 30_000 });
    return { page, errors, foreign };
  };
  const fill = (page: Awaited<ReturnType<typeof open>>['page'], selector: string, value: string): Promise<void> =>
    page.$eval(selector, (i, v) => void ((i as unknown as Field).value = v as string), value);

  const mt = await open(seen.mtBase);
  const tr = '#models form[data-endpoint="translate"]';
  await mt.page.waitForSelector(tr, { timeout: 20_000 });
  await fill(mt.page, `${tr} input[name=text]`, seen.sentence!);
  await fill(mt.page, `${tr} input[name=beam]`, '1');
  await mt.page.click(`${tr} button`);
  await mt.page.waitForSelector(`${tr} .answer table tbody tr`, { timeout: 120_000 });
  const cells = await mt.page.$$eval(`${tr} .answer table tbody tr td`, (c) => c.map((x) => (x as unknown as { textContent: string }).textContent));
  t.equal(cells[1], seen.greedy, 'the page shows the greedy translation lexflow translate prints');
  // Translations: four test sentences spread over the ten (ids 0, 2, 5, 7), a column per setting, the attention heatmap beside.
  const table = '#samples table.translations[data-stage="seq2seq"]';
  const greedyCells = await mt.page.$$eval(`${table} tbody td[data-setting="greedy"]`, (c) => c.map((x) => (x as unknown as { firstChild: { textContent: string } }).firstChild.textContent));
  t.same(greedyCells, [0, 2, 5, 7].map((i) => seen.greedyHyps![i]), 'the greedy hypotheses of the sampled sentences');
  t.ok(greedyCells.some((c) => /\w/.test(c)), 'and they are not all empty');
  t.equal(await mt.page.$$eval(`${table} thead th`, (h) => h.length), 6, 'split, #, source, beam2, greedy, reference');
  t.equal(await mt.page.$$eval('#samples .translations-row .beside canvas.heat', (c) => c.length), 1, 'the cross-attention heatmap beside the table');
  await mt.page.screenshot({ path: path.join(shots, 'translate.png'), fullPage: true });
  t.same(mt.errors, [], 'no console error');
  t.same(mt.foreign, [], 'no request but to the server');
  await mt.page.close();

  const bot = await open(seen.botBase);
  const chat = '#models form[data-endpoint="chat"]';
  await bot.page.waitForSelector(chat, { timeout: 20_000 });
  for (const [i, message] of seen.messages!.entries()) {
    await fill(bot.page, `${chat} input[name=message]`, message);
    await bot.page.click(`${chat} button`);
    await bot.page.waitForFunction(`document.querySelectorAll('${chat} .answer table tbody tr').length === ${2 * (i + 1)}`, { timeout: 60_000 });
  }
  t.equal(await bot.page.$eval(`${chat} input[name=message]`, (i) => (i as unknown as Field).value), '', 'the message field is emptied for the next turn');
  const rows = await bot.page.$$eval(`${chat} .answer table tbody tr`, (r) => r.map((x) => Array.from((x as unknown as { children: ArrayLike<{ textContent: string }> }).children, (c) => c.textContent)));
  t.same(
    rows.map((r) => r[2]),
    [seen.messages![0], seen.replies![0], seen.messages![1], seen.replies![1]],
    'the page keeps the conversation, and the bot answers the second turn as lexflow chat does with the same context',
  );
  await bot.page.screenshot({ path: path.join(shots, 'chat.png'), fullPage: true });
  t.same(bot.errors, [], 'no console error');
  t.same(bot.foreign, [], 'no request but to the server');
  await bot.page.close();
});
