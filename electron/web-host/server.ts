/**
 * The web host: serves the built renderer on 127.0.0.1 and carries the same IPC contract over one
 * WebSocket, so the real renderer and the real engine run end to end in any browser (e2e tests, or using
 * the UI without Electron).
 *
 * Who may talk to it: a request must name the host it was sent to (127.0.0.1 / localhost on our port, which
 * defeats DNS rebinding), the WebSocket and uploads must come from our own origin (Origin header) and carry
 * the per-launch random token that is in the URL we print. Static files carry no data and need no token.
 * Uploaded files are private temp copies (0600 in a 0700 folder), each removed as soon as the work that needed it
 * ends (upload-lifetime.ts) and all of them by close().
 *
 * Files (issue #12.1): the page reaches only files the user gave — an upload, or a file under a folder
 * granted when the host started (`allowFolders`, `--allow-folder DIR`) — through the engine's handlers behind
 * `withFileGrants`. A rejects report is written to a private folder and handed to the browser as a download.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, extname, join, resolve, sep } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { EventSource, Handlers, PushEvent } from '../../shared/ipc/contract';
import { DOWNLOAD_PATH, parseWireRequest, TOKEN_PARAM, UPLOAD_PATH, WS_PATH } from '../../shared/ipc/wire';
import type { UploadResponse, WireMessage } from '../../shared/ipc/wire';
import { FileGrants, makeOwnedTempDir, removeStaleTempDirs, WEB_UPLOAD_PREFIX, withFileGrants } from '../core/engine/host-support';
import { createDispatcher } from '../../shared/ipc/dispatcher';
import type { DispatcherOptions } from '../../shared/ipc/dispatcher';
import { UploadLifetime } from './upload-lifetime';

export interface WebHostOptions {
  handlers: Handlers;
  events: EventSource;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Loopback only, by design. */
  host?: '127.0.0.1';
  /** The per-launch secret; random unless a test or COHORT_RELAY_WEB_TOKEN fixes it. */
  token?: string;
  /** Largest accepted upload, bytes (default 4 GiB). */
  maxUploadBytes?: number;
  onInternalError?: DispatcherOptions['onInternalError'];
  /** Folders the user granted at start-up (--allow-folder): files under them may be read and synced on a schedule. */
  allowFolders?: readonly string[];
}

export interface WebHost {
  /** Open this in a browser: the origin, with the token in the query. */
  url: string;
  origin: string;
  port: number;
  token: string;
  /** Where uploads are written (each removed when its work ends, all by close()). */
  uploadDir: string;
  /** The upload copies still kept. */
  uploads: UploadLifetime;
  /** Where reports wait to be downloaded (removed by close()). */
  downloadDir: string;
  /** The files and folders the page may name. */
  grants: FileGrants;
  /** Stops serving, drops every socket, deletes uploaded files. */
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** Progress events are dropped for a client this far behind; results and other events never are. */
const SLOW_CLIENT_BYTES = 1 << 20;

/** A file name safe to create: no folders, no control or reserved characters, bounded length. */
export function safeUploadName(name: string | null): string {
  const base = [...basename(String(name ?? '').replace(/\\/g, '/'))]
    .map((ch) => (ch.charCodeAt(0) < 0x20 || '<>:"/\\|?*'.includes(ch) ? '_' : ch))
    .join('')
    .replace(/^\.+/, '')
    .slice(-120);
  return base || 'upload.csv';
}

function sameSecret(given: string | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

const UPLOAD_PREFIX = WEB_UPLOAD_PREFIX;
const DOWNLOAD_PREFIX = 'cohort-relay-downloads-';

export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const rendererRoot = resolve(opts.rendererDir);
  const maxUpload = opts.maxUploadBytes ?? 4 * 1024 ** 3;
  // Uploads are copies of the user's own CSV (raw identifiers): a crashed host's copies are removed now.
  removeStaleTempDirs(UPLOAD_PREFIX);
  removeStaleTempDirs(DOWNLOAD_PREFIX);
  const grants = new FileGrants(opts.allowFolders ?? []);
  const uploadDir = makeOwnedTempDir(UPLOAD_PREFIX);
  const downloadDir = makeOwnedTempDir(DOWNLOAD_PREFIX);
  let downloads = 0;
  const lifetime = new UploadLifetime(opts.handlers);
  const stopFollowing = lifetime.follow(opts.events);
  const handlers = withFileGrants(lifetime.wrap(opts.handlers), grants, {
    async choose(name) {
      const n = ++downloads;
      const file = safeUploadName(name);
      await mkdir(join(downloadDir, String(n)), { mode: 0o700 });
      return { path: join(downloadDir, String(n), file), download: `${DOWNLOAD_PATH}/${n}/${encodeURIComponent(file)}` };
    },
  });
  const dispatch = createDispatcher(handlers, { onInternalError: opts.onInternalError });
  let uploads = 0;
  let port = 0;

  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
  const csp = () =>
    `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`;

  /** Host, Origin and token of a request that reaches the engine (WebSocket upgrade, upload). */
  function authorize(req: IncomingMessage, url: URL): string | null {
    if (!allowedOrigins().has(String(req.headers.origin ?? ''))) return 'origin not allowed';
    if (!sameSecret(url.searchParams.get(TOKEN_PARAM), token)) return 'missing or wrong token';
    return null;
  }

  function deny(res: ServerResponse, status: number, message: string): void {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(`${message}\n`);
  }

  async function serveStatic(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, 'Method not allowed');
    let rel: string;
    try {
      rel = decodeURIComponent(url.pathname);
    } catch {
      return deny(res, 400, 'Bad path');
    }
    if (rel.includes('\0')) return deny(res, 400, 'Bad path');
    let file = resolve(rendererRoot, `.${rel}`);
    if (file !== rendererRoot && !file.startsWith(rendererRoot + sep)) return deny(res, 404, 'Not found');
    let info = await stat(file).catch(() => null);
    if (info?.isDirectory()) {
      file = join(file, 'index.html');
      info = await stat(file).catch(() => null);
    }
    if (!info?.isFile()) {
      // The renderer routes in the page: an extension-less path is a screen, answered with the app.
      if (extname(rel)) return deny(res, 404, 'Not found');
      file = join(rendererRoot, 'index.html');
      info = await stat(file).catch(() => null);
      if (!info?.isFile()) return deny(res, 503, 'The renderer is not built: run `npm run build` first.');
    }
    const isHtml = extname(file) === '.html';
    // The built page carries the desktop app's CSP as a meta tag, which allows no connections at all;
    // here the page talks to this host's WebSocket, so its meta policy is replaced by this host's own.
    const body = isHtml ? Buffer.from((await readFile(file, 'utf8')).replace(/<meta http-equiv="Content-Security-Policy" content="[^"]*"\s*\/?>/i, `<meta http-equiv="Content-Security-Policy" content="${csp().replace(" frame-ancestors 'none';", '')}" />`)) : null;
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': body ? body.length : info.size,
      'Cache-Control': isHtml ? 'no-store' : 'no-cache',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      ...(isHtml ? { 'Content-Security-Policy': csp(), 'X-Frame-Options': 'DENY' } : {}),
    });
    if (req.method === 'HEAD') return void res.end();
    if (body) return void res.end(body);
    await pipeline(createReadStream(file), res);
  }

  async function receiveUpload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'POST') return deny(res, 405, 'Method not allowed');
    const why = authorize(req, url);
    if (why) return deny(res, 403, `Forbidden: ${why}`);
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxUpload) return deny(res, 413, 'The file is too large for the web host.');
    const dir = join(uploadDir, String(++uploads));
    await mkdir(dir, { mode: 0o700 });
    const target = join(dir, safeUploadName(url.searchParams.get('name')));
    let received = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        received += chunk.length;
        cb(received > maxUpload ? new RangeError('upload too large') : null, chunk);
      },
    });
    // The request is piped by hand (not part of the pipeline) so a refused upload does not destroy the
    // socket before the 413 is written: the rest of the body is read and discarded instead.
    const written = pipeline(limit, createWriteStream(target, { mode: 0o600, flags: 'wx' }));
    req.on('close', () => {
      if (!req.complete) limit.destroy(new Error('upload aborted'));
    });
    req.pipe(limit);
    try {
      await written;
    } catch (err) {
      req.unpipe(limit);
      req.resume();
      await rm(dir, { recursive: true, force: true });
      if (!res.headersSent && !res.destroyed) {
        res.setHeader('Connection', 'close');
        deny(res, err instanceof RangeError ? 413 : 400, err instanceof RangeError ? 'The file is too large for the web host.' : 'The upload did not complete.');
      }
      return;
    }
    grants.grant(target, 'upload');
    lifetime.added(target);
    const body: UploadResponse = { path: target };
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(body));
  }

  /** GET /download/<n>/<name>?token=…: a report this host wrote, as an attachment. */
  async function serveDownload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'GET') return deny(res, 405, 'Method not allowed');
    // A download is a navigation: browsers send no Origin with it, so the token alone admits it.
    if (!sameSecret(url.searchParams.get(TOKEN_PARAM), token)) return deny(res, 403, 'Forbidden: missing or wrong token');
    const m = /^\/(\d{1,9})\/([^/]+)$/.exec(url.pathname.slice(DOWNLOAD_PATH.length));
    let name = '';
    try {
      name = m ? decodeURIComponent(m[2]!) : '';
    } catch {
      name = '';
    }
    if (!m || safeUploadName(name) !== name) return deny(res, 404, 'Not found');
    const file = join(downloadDir, m[1]!, name);
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return deny(res, 404, 'Not found');
    res.writeHead(200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Length': info.size,
      'Content-Disposition': `attachment; filename="${name.replace(/["\\]/g, '_')}"`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    await pipeline(createReadStream(file), res);
  }

  const server = createServer((req, res) => {
    if (!allowedHosts().has(String(req.headers.host ?? ''))) return deny(res, 421, 'Wrong host');
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const work =
      url.pathname === UPLOAD_PATH ? receiveUpload(req, res, url) : url.pathname.startsWith(`${DOWNLOAD_PATH}/`) ? serveDownload(req, res, url) : serveStatic(req, res, url);
    work.catch(() => {
      if (!res.headersSent) deny(res, 500, 'Internal error');
      else res.destroy();
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const why = !allowedHosts().has(String(req.headers.host ?? '')) ? 'wrong host' : url.pathname !== WS_PATH ? 'not found' : authorize(req, url);
    if (why) {
      socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nForbidden: ${why}\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    const send = (msg: WireMessage) => {
      if (ws.readyState !== ws.OPEN) return;
      let text: string;
      try {
        text = JSON.stringify(msg);
      } catch {
        // A handler returned something JSON cannot carry: answer the request with an error instead.
        if (msg.kind !== 'result') return;
        text = JSON.stringify({ kind: 'result', id: msg.id, result: { ok: false, error: { code: 'INTERNAL', message: 'Something went wrong inside Cohort Relay. Try again; if it repeats, report it with the sync log.', retryable: false } } } satisfies WireMessage);
      }
      ws.send(text);
    };
    const unsubscribe = opts.events.subscribe((e: PushEvent) => {
      if ((e.event === 'run:progress' || e.event === 'import:progress') && ws.bufferedAmount > SLOW_CLIENT_BYTES) return;
      send({ kind: 'event', event: e.event, payload: e.payload });
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const req = parseWireRequest(data.toString());
      if (!req) return; // nothing to address an answer to
      // The socket was authorized at the upgrade (origin + token), so every request on it is trusted.
      void dispatch(req.channel, req.arg, true).then((result) => send({ kind: 'result', id: req.id, result }));
    });
    lifetime.pageOpened();
    let gone = false;
    const closed = () => {
      unsubscribe();
      if (gone) return;
      gone = true;
      void lifetime.pageClosed();
    };
    ws.on('close', closed);
    ws.on('error', closed);
  });

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', fail);
      ok();
    });
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;

  let closed: Promise<void> | null = null;
  return {
    url: `${origin}/?${TOKEN_PARAM}=${encodeURIComponent(token)}`,
    origin,
    port,
    token,
    uploadDir,
    uploads: lifetime,
    downloadDir,
    grants,
    close() {
      closed ??= (async () => {
        stopFollowing();
        for (const ws of wss.clients) ws.terminate();
        await new Promise<void>((ok) => wss.close(() => ok()));
        server.closeAllConnections();
        await new Promise<void>((ok) => server.close(() => ok()));
        await rm(uploadDir, { recursive: true, force: true });
        await rm(downloadDir, { recursive: true, force: true });
      })();
      return closed;
    },
  };
}
