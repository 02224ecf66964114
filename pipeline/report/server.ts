// `lexflow serve`: the report page on localhost, live while a run goes on.
// Routes, relative to the server's root (the page asks for them relative to itself):
//   GET  (the root), index.html   the page (its data marked live)
//   GET  api/data                 the current ReportData
//   GET  events                   server-sent events: `update` whenever the run changed
//   GET  api/endpoints            the model boxes this run can answer (endpoints.ts)
//   POST api/call/NAME            one model call, JSON in and out (header x-lexflow-session: the page's id)
//   GET  files/PATH               a file of the run folder, and nothing outside it
// The run folder is polled once a second (manifests, tmp folders, checkpoints),
// so stages appear as they finish and curves grow as checkpoints are written.

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { isUsageError, UsageError } from '../errors.js';
import type { ReportData } from './data.js';
import { allEndpoints, availableEndpoints } from './endpoints.js';
import { buildReportData, type ReportOptions } from './extract.js';
import { renderPage, scriptJson } from './page.js';

export interface ServeOptions extends ReportOptions {
  host?: string;
  port?: number;
  /** Milliseconds between looks at the run folder. */
  pollMs?: number;
}

export interface ReportServer {
  url: string;
  server: http.Server;
  close(): Promise<void>;
}

/**
 * The file under `root` that a URL path names, or undefined when it would lie
 * outside: `..` segments are refused in the raw path and after every round of
 * percent-decoding (so %2e%2e and %252e%252e are refused too), as are
 * backslashes and NUL, and the resolved real path must stay inside the real root.
 */
export function resolveInside(root: string, urlPath: string): string | undefined {
  let p = urlPath;
  for (let round = 0; ; round++) {
    if (/(^|[/\\])\.\.([/\\]|$)/.test(p) || p.includes('\\') || p.includes('\0')) return undefined;
    let next: string;
    try {
      next = decodeURIComponent(p);
    } catch {
      return undefined;
    }
    if (next === p) break;
    if (round === 8) return undefined; // encoded over and over: no honest link looks like that
    p = next;
  }
  const abs = path.resolve(root, `.${path.posix.sep}${p.replace(/^\/+/, '')}`);
  const rel = path.relative(root, abs);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  try {
    const real = fs.realpathSync(abs);
    const realRoot = fs.realpathSync(root);
    const r = path.relative(realRoot, real);
    if (r.startsWith('..') || path.isAbsolute(r)) return undefined;
    return real;
  } catch {
    return abs; // does not exist: the caller answers 404
  }
}

/** What changes when a stage starts, finishes or checkpoints: names, sizes and mtimes. */
function runSignature(runDir: string): string {
  const parts: string[] = [];
  const stat = (f: string): void => {
    try {
      const st = fs.statSync(f);
      parts.push(`${f}:${st.size}:${st.mtimeMs}`);
    } catch {
      /* absent */
    }
  };
  stat(path.join(runDir, 'run.json'));
  let names: string[] = [];
  try {
    names = fs.readdirSync(runDir);
  } catch {
    return '';
  }
  for (const n of names.sort()) {
    if (n === 'report') continue;
    parts.push(n);
    stat(path.join(runDir, n, '_manifest.json'));
  }
  try {
    for (const c of fs.readdirSync(path.join(runDir, '.checkpoints'))) stat(path.join(runDir, '.checkpoints', c, 'checkpoint.json'));
  } catch {
    /* no checkpoints */
  }
  return parts.join('\n');
}

const MAX_BODY = 64 * 1024;

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new UsageError(`request body over ${MAX_BODY} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const TYPES: Record<string, string> = { '.json': 'application/json', '.html': 'text/html; charset=utf-8', '.txt': 'text/plain; charset=utf-8', '.arpa': 'text/plain; charset=utf-8', '.arrow': 'application/vnd.apache.arrow.file' };

export async function startReportServer(runDir: string, opts: ServeOptions = {}): Promise<ReportServer> {
  const root = path.resolve(runDir);
  const host = opts.host ?? '127.0.0.1';
  // The page is served as soon as the cheap figures are ready; the costly ones
  // (samples, analogy scores) follow in the background and the page redraws.
  let data: ReportData = await buildReportData(root, { ...opts, live: true, cheap: true });
  let version = 1;
  let signature = runSignature(root);
  const clients = new Set<http.ServerResponse>();
  const publish = (d: ReportData): void => {
    data = d;
    version++;
    for (const c of clients) c.write(`event: update\ndata: ${version}\n\n`);
  };
  let refreshing: Promise<void> | undefined;
  let again = false;
  let closed = false;
  const refresh = (cheapFirst: boolean): void => {
    if (refreshing) {
      again = true;
      return;
    }
    refreshing = (async () => {
      try {
        do {
          again = false;
          signature = runSignature(root);
          if (cheapFirst) publish(await buildReportData(root, { ...opts, live: true, cheap: true }));
          if (closed || again) continue;
          publish(await buildReportData(root, { ...opts, live: true }));
          cheapFirst = true;
        } while (again && !closed);
      } catch {
        /* a stage folder mid-rename: the next look at the folder tries again */
        signature = '';
      } finally {
        refreshing = undefined;
      }
    })();
  };
  refresh(false);

  const poll = setInterval(() => {
    if (runSignature(root) !== signature) refresh(true);
  }, opts.pollMs ?? 1000);
  poll.unref();
  const heartbeat = setInterval(() => {
    for (const c of clients) c.write(': keep-alive\n\n');
  }, 15000);
  heartbeat.unref();

  const send = (res: http.ServerResponse, code: number, type: string, body: string | Buffer): void => {
    res.writeHead(code, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    res.end(body);
  };
  const json = (res: http.ServerResponse, code: number, v: unknown): void => send(res, code, 'application/json', scriptJson(v));

  const server = http.createServer(async (req, res) => {
    const rawPath = (req.url ?? '/').split('?')[0]!;
    try {
      // Refused before any routing: a path that climbs, however it is spelled.
      if (resolveInside(root, rawPath) === undefined) return send(res, 403, 'text/plain; charset=utf-8', 'refused: the path leaves the run folder\n');
      const route = rawPath.slice(1); // origin-form request targets start with one slash
      if (req.method === 'GET' && (route === '' || route === 'index.html')) return send(res, 200, 'text/html; charset=utf-8', renderPage(data));
      if (req.method === 'GET' && route === 'api/data') return json(res, 200, data);
      if (req.method === 'GET' && route === 'api/endpoints') return json(res, 200, availableEndpoints(data.runs[0]!));
      if (req.method === 'GET' && route === 'events') {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
        res.write(`event: hello\ndata: ${version}\n\n`);
        clients.add(res);
        req.on('close', () => clients.delete(res));
        return;
      }
      const call = /^api\/call\/([a-z0-9-]+)$/.exec(route);
      if (call && req.method === 'POST') {
        const ep = allEndpoints().find((e) => e.name === call[1]);
        if (!ep || !ep.fields(data.runs[0]!)) return json(res, 404, { error: `no model endpoint "${call[1]}" for this run` });
        let args: Record<string, unknown>;
        try {
          const body = await readBody(req);
          args = body ? (JSON.parse(body) as Record<string, unknown>) : {};
          if (typeof args !== 'object' || args === null || Array.isArray(args)) throw new Error('not an object');
        } catch (e) {
          return json(res, 400, { error: `the request body must be a JSON object (${(e as Error).message})` });
        }
        // The page names itself in a header (one id per tab), so a chat keeps its turns per page.
        const session = String(req.headers['x-lexflow-session'] ?? '').slice(0, 100) || 'default';
        return json(res, 200, await ep.call(data.runs[0]!, args, session));
      }
      if (req.method === 'GET' && route.startsWith('files/')) {
        const file = resolveInside(root, route.slice('files/'.length));
        if (!file) return send(res, 403, 'text/plain; charset=utf-8', 'refused: the path leaves the run folder\n');
        let st: fs.Stats;
        try {
          st = fs.statSync(file);
        } catch {
          return send(res, 404, 'text/plain; charset=utf-8', 'no such file in the run folder\n');
        }
        if (!st.isFile()) return send(res, 404, 'text/plain; charset=utf-8', 'not a file\n');
        res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'content-length': st.size, 'x-content-type-options': 'nosniff' });
        fs.createReadStream(file).pipe(res);
        return;
      }
      send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
    } catch (e) {
      if (isUsageError(e)) return json(res, 400, { error: (e as Error).message });
      json(res, 500, { error: (e as Error).message });
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE'
          ? new UsageError(`--port ${opts.port}: already in use on ${host}; pick another port (--port 0 takes any free one)`)
          : e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND'
            ? new UsageError(`--host ${host}: not an address of this machine; use 127.0.0.1 (the default) or one of its addresses`)
            : e,
      ),
    );
    server.listen(opts.port ?? 8080, host, () => resolve());
  });
  const addr = server.address() as { port: number };
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${addr.port}/`,
    server,
    async close() {
      closed = true;
      clearInterval(poll);
      clearInterval(heartbeat);
      for (const c of clients) c.end();
      await new Promise<void>((r) => server.close(() => r()));
      await refreshing;
    },
  };
}
