// Progress: plain lines at a fixed interval in pipes, a redrawn line on TTYs, nothing when quiet.
import t from 'tap';
import { createProgress } from '../../pipeline/progress.js';

t.test('plain mode prints a line every few seconds with rate and ETA', async (t) => {
  let now = 0;
  const lines: string[] = [];
  const p = createProgress({ mode: 'plain', plainEvery: 5, now: () => now, write: (s) => lines.push(s) });
  const step = p.step('counting', 1000, 'tokens');
  for (let i = 1; i <= 10; i++) {
    now = i;
    step.tick(100);
  }
  step.done();
  t.equal(lines.length, 3, 'two progress lines (t=5, t=10) and the summary');
  t.match(lines[0], /^counting \[#+\.*\] 50\.0% 500\/1000 tokens, 100 tokens\/s, ETA 5\.0s\n$/);
  t.match(lines[2], /^counting: 1000 tokens in 10s\n$/);
});

t.test('tty mode redraws one line; quiet prints nothing', async (t) => {
  let now = 0;
  const out: string[] = [];
  const p = createProgress({ mode: 'tty', now: () => now, write: (s) => out.push(s) });
  const s = p.step('reading', undefined, 'MB');
  now = 1;
  s.tick(3);
  s.done('3 files');
  t.equal(out[0], '\r\x1b[2Kreading ... 0.0s', 'the step shows as it starts');
  t.match(out[1], /^\r\x1b\[2Kreading: 3 MB, 3 MB\/s/);
  t.match(out[2], /reading: 3 files \(1\.0s\)\n$/);
  const q: string[] = [];
  const qp = createProgress({ mode: 'quiet', write: (x) => q.push(x) });
  const qs = qp.step('x', 10);
  qs.tick(5);
  qs.done();
  t.same(q, []);
});

// Issue 14/15: the lines that printed nonsense.
t.test('slow steps, bytes, steps that count nothing, and a time budget read as they should', async (t) => {
  let now = 0;
  const lines: string[] = [];
  const p = createProgress({ mode: 'plain', plainEvery: 5, now: () => now, write: (s) => lines.push(s) });
  const svd = p.step('randomized SVD', 5, 'products');
  now = 25;
  svd.tick(2); // 2 products in 25 s: 12.5 s each
  t.match(lines.at(-1), /2\/5 products, 13s per product, ETA 38s\n$/, 'not "0 products/s"');
  svd.done();

  const bytes = p.step('tokenizing', 10_485_760, 'B');
  now = 30;
  bytes.set(5_242_880);
  t.match(lines.at(-1), /5\.00 MB\/10\.00 MB, 1\.00 MB\/s, ETA 5\.0s\n$/, 'bytes as MB, not "9.96M B"');
  bytes.done();
  t.match(lines.at(-1), /^tokenizing: 5\.00 MB in 5\.0s\n$/);

  const writing = p.step('writing vectors');
  now = 36;
  writing.done();
  t.equal(lines.at(-1), 'writing vectors (6.0s)\n', 'not "0 items in 6.0s"');

  const train = p.step('training', 9610, 'batches');
  train.deadline!(60);
  now = 46;
  train.set(20); // 2 batches/s would need 80 min; the 1-minute budget ends in 50 s
  t.match(lines.at(-1), /20\/9610 batches, 2 batches\/s, ETA 50s\n$/, 'the ETA never passes the budget');
});

// A hand-worked sequence of ticks on an injected clock: 1000 tokens, ticks at 0.05 s (+100), 0.5 s (+100), 2.5 s (+800).
t.test('one sequence of ticks, drawn on a TTY and printed plain', async (t) => {
  const run = (mode: 'tty' | 'plain'): string[] => {
    let now = 0;
    const out: string[] = [];
    const p = createProgress({ mode, plainEvery: 1, now: () => now, write: (s) => out.push(s) });
    const step = p.step('counting', 1000, 'tokens');
    for (const [at, n] of [
      [0.05, 100],
      [0.5, 100],
      [2.5, 800],
    ] as const) {
      now = at;
      step.tick(n);
    }
    step.done();
    return out;
  };
  t.same(
    run('tty'),
    [
      '\r\x1b[2Kcounting [........................] 0.0% 0/1000 tokens, - tokens/s, ETA ?', // at start: nothing done, no rate yet
      // 0.05 s: under 0.1 s since the last draw, not redrawn
      '\r\x1b[2Kcounting [#####...................] 20.0% 200/1000 tokens, 400 tokens/s, ETA 2.0s', // 200 in 0.5 s; 800 left at 400/s
      '\r\x1b[2Kcounting [########################] 100.0% 1000/1000 tokens, 400 tokens/s, ETA 0.0s',
      '\r\x1b[2Kcounting: 1000 tokens in 2.5s\n',
    ],
    'TTY: one line redrawn in place (\\r, erase line), at most 10 times a second',
  );
  t.same(
    run('plain'),
    ['counting [########################] 100.0% 1000/1000 tokens, 400 tokens/s, ETA 0.0s\n', 'counting: 1000 tokens in 2.5s\n'],
    'plain: nothing at the start, a line once a second (here only at 2.5 s), then the summary',
  );
});

t.test('a step that cannot tick shows its name on a TTY while it runs', async (t) => {
  let now = 0;
  const out: string[] = [];
  const p = createProgress({ mode: 'tty', now: () => now, write: (s) => out.push(s) });
  const s = p.step('2/4 estimating kneser-ney');
  now = 1.5;
  s.done('from 120 n-grams of orders 1-3');
  t.same(out, ['\r\x1b[2K2/4 estimating kneser-ney ... 0.0s', '\r\x1b[2K2/4 estimating kneser-ney: from 120 n-grams of orders 1-3 (1.5s)\n']);
  const plain: string[] = [];
  const q = createProgress({ mode: 'plain', now: () => now, write: (x) => plain.push(x) }).step('writing');
  now = 2;
  q.done();
  t.same(plain, ['writing (0.5s)\n'], 'plain mode prints only the summary of a short step');
});

t.test('a log line printed during a step goes above the bar, and the bar is drawn again', async (t) => {
  let now = 0;
  const out: string[] = [];
  const p = createProgress({ mode: 'tty', now: () => now, write: (s) => out.push(s) });
  const s = p.step('estimating');
  p.print('warning: kneser-ney: order 1: no n-grams with adjusted count 1');
  now = 2;
  s.done('3 orders');
  p.print('after the step');
  t.same(out, [
    '\r\x1b[2Kestimating ... 0.0s',
    '\r\x1b[2Kwarning: kneser-ney: order 1: no n-grams with adjusted count 1\n\r\x1b[2Kestimating ... 0.0s',
    '\r\x1b[2Kestimating: 3 orders (2.0s)\n',
    'after the step\n',
  ]);
  const plain: string[] = [];
  const q = createProgress({ mode: 'plain', write: (x) => plain.push(x) });
  q.step('x', 10);
  q.print('a line');
  t.same(plain, ['a line\n'], 'plain: the line as it is');
});
