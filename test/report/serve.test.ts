// `lexflow serve` as a child process on 127.0.0.1: it refuses paths that leave
// the run folder however they are spelled, serves files inside it, answers a
// model call with the neighbours a brute-force cosine ranking gives, and tells
// the page when the run changes.

import t from 'tap';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import * as A from 'apache-arrow';
import { buildReportRun } from '../../testkit/report-run.js';
import { tmpDir } from '../../testkit/tmp.js';
import { startServe } from '../../testkit/serve-process.js';
import { resolveInside } from '../../pipeline/report/server.js';

const dir = tmpDir(t, 'lexflow-serve-');
const { out } = await buildReportRun(dir);
fs.writeFileSync(path.join(dir, 'secret.txt'), 'SECRET-CONTENT\n');

const { base } = await startServe(t, out);
const { port } = new URL(base);

/** A raw request line, so no client library normalizes the path before it is sent. */
function rawGet(target: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(port), '127.0.0.1');
    let data = '';
    sock.setTimeout(10_000, () => {
      sock.destroy();
      reject(new Error(`timeout on ${target}`));
    });
    sock.on('connect', () => sock.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
    sock.on('data', (d) => (data += d));
    sock.on('end', () => resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(data)?.[1] ?? 0), body: data.split('\r\n\r\n').slice(1).join('\r\n\r\n') }));
    sock.on('error', reject);
  });
}

async function post(p: string, body: unknown): Promise<{ status: number; json: any }> {
  const r = await fetch(new URL(p, base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
  return { status: r.status, json: await r.json() };
}

t.test('it listens on 127.0.0.1 and serves the live page', async (t) => {
  t.match(base, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const page = await rawGet('/');
  t.equal(page.status, 200);
  t.match(page.body, /"live":true/);
  const data = JSON.parse((await rawGet('/api/data')).body);
  t.equal(data.perplexity.length, 4);
});

t.test('paths outside the run folder are refused, however spelled', async (t) => {
  for (const target of [
    '/files/../secret.txt',
    '/files/%2e%2e/secret.txt',
    '/files/%2E%2E/secret.txt',
    '/files/%2e%2e%2fsecret.txt',
    '/files/..%2fsecret.txt',
    '/files/%252e%252e/secret.txt',
    '/files/..%5csecret.txt',
    '/../secret.txt',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/files/tokenize/../../secret.txt',
  ]) {
    const r = await rawGet(target);
    t.equal(r.status, 403, `${target} refused`);
    t.notMatch(r.body, /SECRET-CONTENT/, 'the file is not sent');
  }
  const inside = await rawGet('/files/run.json');
  t.equal(inside.status, 200, 'a file inside is served');
  t.same(JSON.parse(inside.body), JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8')));
  t.equal((await rawGet('/files/no-such-file')).status, 404);
  // The same rule as a function, with a symlink that points out.
  fs.symlinkSync(path.join(dir, 'secret.txt'), path.join(out, 'link.txt'));
  t.equal(resolveInside(out, '/link.txt'), undefined, 'a symlink out of the folder is refused');
  t.equal(resolveInside(out, '/tokenize/vocab.arrow'), path.join(fs.realpathSync(out), 'tokenize', 'vocab.arrow'));
  t.equal((await rawGet('/files/link.txt')).status, 403);
});

t.test('a model call: neighbours by cosine over the whole vocabulary', async (t) => {
  const eps = JSON.parse((await rawGet('/api/endpoints')).body);
  t.same(eps.map((e: { name: string }) => e.name).sort(), ['analogy', 'neighbors', 'sample']);
  // Brute force from embeddings.arrow.
  const tab = A.tableFromIPC(fs.readFileSync(path.join(out, 'svd', 'embeddings.arrow')));
  const tokens = tab.getChild('token')!.toArray() as string[];
  const vecs = tokens.map((_, i) => Array.from(tab.getChild('vector')!.get(i)!.toArray() as Float32Array));
  const word = 'a3';
  const w = tokens.indexOf(word);
  const cos = (a: number[], b: number[]): number => {
    const d = a.reduce((s, x, i) => s + x * b[i]!, 0);
    const n = Math.sqrt(a.reduce((s, x) => s + x * x, 0) * b.reduce((s, x) => s + x * x, 0));
    return n ? d / n : 0;
  };
  const want = tokens.map((tk, i) => ({ tk, c: cos(vecs[w]!, vecs[i]!) })).filter((_, i) => i !== w).sort((a, b) => b.c - a.c).slice(0, 5);
  const r = await post('/api/call/neighbors', { embeddings: 'svd', word, k: 5 });
  t.equal(r.status, 200, JSON.stringify(r.json));
  t.same(r.json.rows.map((x: { word: string }) => x.word), want.map((x) => x.tk));
  t.ok(r.json.rows.every((x: { cosine: number }, i: number) => Math.abs(x.cosine - want[i]!.c) < 1e-4));
  const bad = await post('/api/call/neighbors', { embeddings: 'svd', word: 'zzz-not-a-word', k: 5 });
  t.equal(bad.status, 400);
  t.match(bad.json.error, /"zzz-not-a-word" has no vector/);
  t.equal((await post('/api/call/translate', {})).status, 404, 'no seq2seq model: no translate box');
  const sample = await post('/api/call/sample', { model: 'lm-ngram/kneser-ney', prompt: 'a1', strategy: 'greedy', 'max-tokens': 5, seed: 1 });
  t.equal(sample.status, 200, JSON.stringify(sample.json));
  t.match(sample.json.rows[0].text, /^a1 /);
});

t.test('the page hears when the run changes', async (t) => {
  const f = path.join(out, 'run.json');
  const got = await new Promise<number>((resolve, reject) => {
    let touched = false;
    let checking = false;
    const req = http.get(new URL('/events', base), (res) => {
      let buf = '';
      res.on('data', async (d) => {
        buf += d;
        if (!touched && buf.includes('event: hello')) {
          touched = true;
          // A stage finishing rewrites its manifest; here run.json stands in for it.
          const cfg = JSON.parse(fs.readFileSync(f, 'utf8'));
          fs.writeFileSync(f, JSON.stringify({ ...cfg, touched: 'yes' }));
        }
        const updates = [...buf.matchAll(/event: update\ndata: (\d+)/g)];
        if (!updates.length || checking) return;
        checking = true;
        const data = (await (await fetch(new URL('/api/data', base))).json()) as { runs: { config: { touched?: string } }[] };
        checking = false;
        if (data.runs[0]!.config.touched === 'yes') {
          req.destroy();
          resolve(Number(updates[updates.length - 1]![1]));
        }
      });
    });
    req.setTimeout(30_000, () => {
      req.destroy();
      reject(new Error('the change was not pushed in 30 s'));
    });
    req.on('error', (e) => (String(e).includes('socket hang up') ? undefined : reject(e)));
  });
  t.ok(got >= 2, `update ${got} carries the change`);
});
