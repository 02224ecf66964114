// URL datasets against a local HTTP server (127.0.0.1 only; no network):
// download once into the cache, resume a partial download with Range,
// retry a dropped connection, reject a wrong sha256.

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import t from 'tap';
import { isUsageError } from '../pipeline/errors.js';
import { resolveDataset } from '../datasets/index.js';
import { cachedPath, parseRemote } from '../datasets/download.js';
import { corpus, privateCache, rmAll } from '../testkit/datasets-helpers.js';

const cache = privateCache();
t.teardown(() => rmAll(cache));

// 300 KB of distinct lines, so a misplaced byte range changes the hash.
const BODY = Buffer.from(Array.from({ length: 12000 }, (_, i) => `line ${i} of the corpus\n`).join(''));
const SHA = crypto.createHash('sha256').update(BODY).digest('hex');

interface Served {
  path: string;
  range: string | undefined;
  bytes: number;
}
/** `cuts`: that many requests send half their body and drop the connection. `noRange`: Range is ignored. */
const mode = { cuts: 0, noRange: false };
const served: Served[] = [];

const server = http.createServer((req, res) => {
  const url = req.url ?? '';
  const record: Served = { path: url, range: req.headers.range, bytes: 0 };
  served.push(record);
  if (!/^\/(files\/)?[\w.]+$/.test(url) || url.includes('missing')) {
    res.writeHead(404).end();
    return;
  }
  const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  let body = BODY;
  let start = 0;
  if (m && !mode.noRange) {
    start = Number(m[1]);
    if (start >= BODY.length) {
      res.writeHead(416, { 'content-range': `bytes */${BODY.length}` }).end();
      return;
    }
    body = BODY.subarray(start);
    res.writeHead(206, { 'content-length': body.length, 'content-range': `bytes ${start}-${BODY.length - 1}/${BODY.length}` });
  } else {
    res.writeHead(200, { 'content-length': body.length, 'accept-ranges': 'bytes' });
  }
  if (mode.cuts > 0) {
    mode.cuts--;
    const half = body.subarray(0, body.length >> 1);
    record.bytes = half.length;
    // Drop the connection once the client has saved the half: the retry must ask for exactly the rest.
    const part = `${cachedPath(parseRemote(`${base}${url}`, SHA))}.part`;
    const deadline = Date.now() + 10_000;
    const cut = (): void => {
      if ((fs.statSync(part, { throwIfNoEntry: false })?.size ?? 0) >= start + half.length || Date.now() > deadline) res.socket?.destroy();
      else setTimeout(cut, 10);
    };
    res.write(half, cut);
    return;
  }
  record.bytes = body.length;
  res.end(body);
});

let base = '';
t.before(async () => {
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
t.teardown(() => {
  server.closeAllConnections();
  server.close();
});
t.beforeEach(() => {
  served.length = 0;
  mode.cuts = 0;
  mode.noRange = false;
  rmAll(path.join(cache, 'downloads'));
});

const opts = { textField: 'text' };

t.test('downloads once into the cache, verified; fingerprint needs no download', async (t) => {
  const ds = resolveDataset(`${base}/files/corpus.txt#sha256=${SHA}`, opts);
  const local = corpus({ 'corpus.txt': BODY });
  t.teardown(() => rmAll(local));
  t.equal(await ds.fingerprint(), await resolveDataset(path.join(local, 'corpus.txt'), opts).fingerprint(), 'same as the same file on disk');
  t.equal(served.length, 0, 'fingerprint() did not fetch');

  const files = await ds.files();
  t.equal(files.length, 1);
  const f = files[0]!;
  t.same([f.id, f.format, f.gzip, f.bytes], ['corpus.txt', 'txt', false, BODY.length]);
  t.equal(f.path, path.join(cache, 'downloads', SHA, 'corpus.txt'));
  t.ok(fs.readFileSync(f.path).equals(BODY));
  t.same(served.map((s) => [s.path, s.range]), [['/files/corpus.txt', undefined]], 'the fragment is not sent');
  t.same(fs.readdirSync(path.dirname(f.path)), ['corpus.txt'], 'no .part or .lock left');

  // Again, and with --sha256 instead of the fragment: served from the cache.
  t.same(await resolveDataset(`${base}/files/corpus.txt`, { ...opts, sha256: SHA.toUpperCase() }).files(), files);
  t.equal(served.length, 1, 'not downloaded again');
});

t.test('two callers in one process share one download', async (t) => {
  const spec = `${base}/corpus.txt#sha256=${SHA}`;
  const [a, b] = await Promise.all([resolveDataset(spec, opts).files(), resolveDataset(spec, opts).files()]);
  t.same(a, b);
  t.equal(served.length, 1);
  t.ok(fs.readFileSync(a[0]!.path).equals(BODY));
});

t.test('a partial download is resumed with a Range request', async (t) => {
  const r = parseRemote(`${base}/corpus.txt`, SHA);
  const part = `${cachedPath(r)}.part`;
  fs.mkdirSync(path.dirname(part), { recursive: true });
  fs.writeFileSync(part, BODY.subarray(0, 100_000)); // left by a killed run
  const [f] = await resolveDataset(`${base}/corpus.txt`, { ...opts, sha256: SHA }).files();
  t.same(served.map((s) => [s.range, s.bytes]), [['bytes=100000-', BODY.length - 100_000]], 'only the rest was sent');
  t.ok(fs.readFileSync(f!.path).equals(BODY));
  t.notOk(fs.existsSync(part));
});

t.test('a dropped connection is retried from where it stopped', async (t) => {
  mode.cuts = 1;
  const [f] = await resolveDataset(`${base}/corpus.txt#sha256=${SHA}`, opts).files();
  t.equal(served.length, 2);
  t.equal(served[0]!.range, undefined);
  t.equal(served[1]!.range, `bytes=${BODY.length >> 1}-`, 'resumed after the half it had');
  t.equal(served[1]!.bytes, BODY.length - (BODY.length >> 1));
  t.ok(fs.readFileSync(f!.path).equals(BODY));
});

t.test('still cut after 3 attempts: the part is kept, and the next run finishes it', async (t) => {
  mode.cuts = 3;
  const spec = `${base}/corpus.txt#sha256=${SHA}`;
  const err = await resolveDataset(spec, opts)
    .files()
    .catch((e: unknown) => e);
  t.notOk(isUsageError(err), 'a network failure, not bad usage');
  t.match((err as Error).message, /download of .*corpus\.txt failed after 3 attempts .* bytes kept in .*corpus\.txt\.part: run again to resume/);
  const n = BODY.length;
  const got = [n >> 1, (n >> 1) + ((n - (n >> 1)) >> 1)];
  t.same(served.map((s) => s.range), [undefined, `bytes=${got[0]}-`, `bytes=${got[1]}-`], 'each attempt resumed where the last stopped');
  const [f] = await resolveDataset(spec, opts).files();
  t.equal(served.length, 4);
  t.ok(fs.readFileSync(f!.path).equals(BODY));
});

t.test('a server that ignores Range: the download starts over', async (t) => {
  mode.noRange = true;
  const r = parseRemote(`${base}/corpus.txt`, SHA);
  fs.mkdirSync(path.dirname(cachedPath(r)), { recursive: true });
  fs.writeFileSync(`${cachedPath(r)}.part`, BODY.subarray(0, 5000));
  const [f] = await resolveDataset(`${base}/corpus.txt#sha256=${SHA}`, opts).files();
  t.equal(served[0]!.bytes, BODY.length);
  t.ok(fs.readFileSync(f!.path).equals(BODY));
});

t.test('a wrong sha256 is a usage error naming URL and both hashes; the download is removed', async (t) => {
  const wrong = 'ab'.repeat(32);
  const ds = resolveDataset(`${base}/corpus.txt#sha256=${wrong}`, opts);
  const err = await ds.files().then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(isUsageError(err));
  t.match((err as Error).message, `${base}/corpus.txt: sha256 mismatch: expected ${wrong}, got ${SHA}`);
  const dir = path.join(cache, 'downloads', wrong);
  t.notOk(fs.existsSync(dir), 'neither the file, nor its .part, nor an empty folder is kept');
});

t.test('a file the server does not have', async (t) => {
  const err = await resolveDataset(`${base}/missing.txt#sha256=${SHA}`, opts)
    .files()
    .catch((e: unknown) => e);
  t.ok(isUsageError(err));
  t.match((err as Error).message, /missing\.txt: HTTP 404/);
});

t.test('URL specs: sha256 required and well-formed, https only beyond this machine', async (t) => {
  const bad: [string, RegExp, string?][] = [
    [`${base}/corpus.txt`, /needs its sha256; add --sha256 HEX or append #sha256=HEX/],
    [`${base}/corpus.txt#sha256=xyz`, /not a sha256 \(64 hex digits\)/],
    [`${base}/corpus.txt#sha256=${SHA}`, /differs from #sha256=/, 'cd'.repeat(32)],
    [`http://example.com/corpus.txt#sha256=${SHA}`, /only https:\/\/ URLs/],
    [`ftp://example.com/corpus.txt#sha256=${SHA}`, /only https:\/\/ URLs/],
  ];
  for (const [spec, message, sha256] of bad) {
    t.throws(() => resolveDataset(spec, { ...opts, ...(sha256 ? { sha256 } : {}) }), { name: 'UsageError', message }, spec);
  }
  t.equal(served.length, 0);
  const r = parseRemote(`https://example.com/data/ptb.train.txt#sha256=${SHA}`);
  t.same(r, { url: 'https://example.com/data/ptb.train.txt', sha256: SHA, fileName: 'ptb.train.txt' });
  t.same(
    (await resolveDataset(`https://example.com/data/wiki.train.tokens.gz#sha256=${SHA}`, opts).hints),
    { tokenizer: 'whitespace', sentences: 'line' },
    'hints from the file name, before any download',
  );
});

t.test('a download lock held by a live process is respected, a dead one taken over', async (t) => {
  const r = parseRemote(`${base}/corpus.txt`, SHA);
  fs.mkdirSync(path.dirname(cachedPath(r)), { recursive: true });
  const lock = `${cachedPath(r)}.lock`;
  fs.writeFileSync(lock, String(process.ppid));
  const err = await resolveDataset(`${base}/corpus.txt#sha256=${SHA}`, opts)
    .files()
    .catch((e: unknown) => e);
  t.match((err as Error).message, `is being downloaded by another lexflow process (pid ${process.ppid})`);
  t.equal(served.length, 0);
  fs.writeFileSync(lock, '999999999'); // no such process
  const [f] = await resolveDataset(`${base}/corpus.txt#sha256=${SHA}`, opts).files();
  t.ok(fs.readFileSync(f!.path).equals(BODY));
  t.notOk(fs.existsSync(lock));
});
