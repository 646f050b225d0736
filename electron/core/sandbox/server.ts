/**
 * The offline sandbox's HTTP layer: node:http on 127.0.0.1, TikTok's paths (/open_api/v1.3/.../ with the
 * trailing slash; a missing slash is a 404 as at TikTok, except on the paths in SLASHLESS_OK), the consent page
 * /portal/auth, the envelope, the app rate limit and fault injection. The behaviour lives in state.ts.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { FaultInjector, SIM_ENDPOINTS, type FaultRule, type SimEndpoint } from './faults';
import { MultipartError, multipartBoundary, parseMultipart } from './multipart';
import { mulberry32 } from './prng';
import { SANDBOX_ACCESS_TOKEN, SANDBOX_ADVERTISERS, SANDBOX_APP_ID, SANDBOX_APP_SECRET } from './seed';
import { SimApiError, SimState, type AudienceSnapshot, type PersistedState, type SimRequest, type SimRequestLogEntry, type SimSettings } from './state';

const PREFIX = '/open_api/v1.3/';
const GET_ENDPOINTS: ReadonlySet<SimEndpoint> = new Set([
  'oauth2/advertiser/get',
  'advertiser/info',
  'user/info',
  'dmp/custom_audience/list',
  'dmp/custom_audience/get',
  'campaign/get',
  'adgroup/get',
  'dmp/custom_audience/apply/log',
  'dmp/custom_audience/share/log',
  'audience/insight/overlap',
]);
const MUTATING: ReadonlySet<SimEndpoint> = new Set([
  'oauth2/access_token',
  'oauth2/revoke_token',
  'dmp/custom_audience/file/upload',
  'dmp/custom_audience/create',
  'dmp/custom_audience/update',
  'dmp/custom_audience/delete',
  'segment/audience',
  'segment/mapping',
  'dmp/custom_audience/apply',
  'dmp/custom_audience/lookalike/create',
  'dmp/custom_audience/lookalike/update',
  'dmp/custom_audience/share',
  'dmp/custom_audience/share/cancel',
]);
const STATE_FILE = 'sandbox-state.json';
/**
 * Endpoints also answered without the trailing slash. A missing slash is "the classic cause of 404" at TikTok
 * (tiktok-api.md §1, S7), but Segment's production getAudience calls /dmp/custom_audience/get without one
 * (action-destinations tiktok-audiences constants.ts GET_AUDIENCE_URL), so TikTok answers that path. Only paths
 * a public client is seen to use without the slash are listed, not every GET: nothing shows TikTok accepting
 * the others, and keeping their 404 makes a client that drops a slash fail offline rather than at TikTok.
 */
const SLASHLESS_OK: ReadonlySet<SimEndpoint> = new Set(['dmp/custom_audience/get']);

export interface SimulatorOptions extends Partial<SimSettings> {
  /** Port on 127.0.0.1 (default 0: a free port). */
  port?: number;
  /** Seed of every random choice (ids, tokens, probabilistic faults). Default 1. */
  seed?: number;
  /** Base clock, epoch ms (default Date.now). `advanceClock` adds to it. */
  now?: () => number;
  /** Faults active from the start. */
  faults?: FaultRule[];
  /** Keep audiences, files and tokens in `<dataDir>/sandbox-state.json` across restarts. */
  dataDir?: string;
}

/** A running simulator and its test API. */
export interface SimulatorHandle {
  /** Base URL for TikTokClient / TIKTOK_API_BASE, e.g. http://127.0.0.1:8123 (no trailing slash). */
  url: string;
  port: number;
  /** Seeded credentials: work with zero setup. */
  appId: string;
  appSecret: string;
  accessToken: string;
  advertiserIds: string[];
  faults: FaultInjector;
  /** The simulator clock (epoch ms). */
  now(): number;
  /** Moves the simulator clock forward (processing, file expiry, auth-code expiry, UTC day of the cap). */
  advanceClock(ms: number): void;
  /** Changes settings while running (processing delay, cap, rate limit, allowlisting, ...). */
  configure(settings: Partial<SimSettings>): void;
  readonly settings: Readonly<SimSettings>;
  /** Audience view (size, cover_num, is_valid, processing, history), or undefined. */
  audience(audienceId: string): AudienceSnapshot | undefined;
  audiences(advertiserId?: string): AudienceSnapshot[];
  /** A copy of an audience's membership (keys: see state.ts). */
  membership(audienceId: string): Set<string> | undefined;
  /** Audience-modifying calls counted for an audience on a UTC day "YYYY-MM-DD" (default today). */
  callsOn(audienceId: string, day?: string): number;
  /** Ends processing of one audience (or all) now. */
  settle(audienceId?: string): void;
  /** Rows an uploaded file_path holds. */
  fileRows(filePath: string): string[] | undefined;
  /** The seeded ad groups an audience is attached to, and how. */
  adGroupsUsing(audienceId: string): { adgroupId: string; usage: 'Include' | 'Exclude' }[];
  /** The ad accounts an audience is shared with. */
  sharedWith(audienceId: string): string[];
  /** Every request seen (optionally of one endpoint), in order. */
  requests(endpoint?: SimEndpoint): SimRequestLogEntry[];
  /** Issues a new token for the seeded app (optionally reaching only some advertisers). */
  issueToken(advertiserIds?: string[]): string;
  /** Revokes a token (later calls: 40105). */
  revokeToken(token: string): void;
  /** Expires a token (later calls: 40102). */
  expireToken(token: string): void;
  /** A one-time auth code as the consent page would issue. */
  authCode(): string;
  /** Writes the state file now (when dataDir is set). */
  flush(): void;
  close(): Promise<void>;
}

/** Starts the offline sandbox on 127.0.0.1. */
export async function startSimulator(opts: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const { port = 0, seed = 1, now: baseNow = Date.now, faults: initialFaults = [], dataDir, ...settings } = opts;
  let offset = 0;
  const now = (): number => baseNow() + offset;
  const state = new SimState(now, mulberry32(seed ^ 0x5eed), settings);
  const faults = new FaultInjector(seed);
  for (const f of initialFaults) faults.add(f);

  const statePath = dataDir ? path.join(dataDir, STATE_FILE) : null;
  if (statePath) {
    // The state holds the sandbox's audiences (hashes) and tokens: owner-only, like the rest of the data folder.
    mkdirSync(dataDir as string, { recursive: true, mode: 0o700 });
    chmodSync(dataDir as string, 0o700);
    try {
      state.load(JSON.parse(readFileSync(statePath, 'utf8')) as PersistedState);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  let saveTimer: NodeJS.Timeout | null = null;
  const flush = (): void => {
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = null;
    if (!statePath) return;
    const tmp = `${statePath}.tmp`;
    writeFileSync(tmp, JSON.stringify(state.toJSON()), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, statePath);
  };
  const scheduleSave = (): void => {
    if (!statePath || saveTimer) return;
    saveTimer = setTimeout(flush, 250);
    saveTimer.unref();
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(`simulator error: ${(err as Error)?.message ?? String(err)}`);
      } else {
        res.destroy();
      }
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const logEntry = (endpoint: string, code: number | null, httpStatus: number, fault: string | null): void => {
      state.log.push({ at: now(), endpoint, method, code, httpStatus, fault });
    };

    if (url.pathname === '/portal/auth' || url.pathname === '/portal/auth/') {
      req.resume();
      portal(url, res);
      return;
    }
    const endpoint = endpointOf(url.pathname);
    if (!endpoint || !SIM_ENDPOINTS.includes(endpoint)) {
      req.resume();
      logEntry(url.pathname, null, 404, null);
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end(url.pathname.startsWith(PREFIX) && !url.pathname.endsWith('/') ? 'Not Found (TikTok paths end with a slash)' : 'Not Found');
      return;
    }
    const expected = GET_ENDPOINTS.has(endpoint) ? 'GET' : 'POST';
    if (method !== expected) {
      req.resume();
      logEntry(endpoint, null, 405, null);
      res.writeHead(405, { 'Content-Type': 'text/plain', Allow: expected });
      res.end('Method Not Allowed');
      return;
    }

    const limit = state.settings.maxFileBytes + 1024 * 1024;
    const { body, tooLarge } = await readBody(req, limit);
    const fault = faults.pick(endpoint);
    if (fault?.kind === 'drop') {
      logEntry(endpoint, null, 0, 'drop');
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'http5xx') {
      logEntry(endpoint, null, fault.status ?? 503, 'http5xx');
      res.writeHead(fault.status ?? 503, { 'Content-Type': 'text/html' });
      res.end('<html><body>Service temporarily unavailable</body></html>');
      return;
    }
    const requestId = state.newRequestId();
    const send = (code: number, message: string, data: unknown, faultName: string | null = null, httpStatus = 200): void => {
      logEntry(endpoint, code, httpStatus, faultName);
      const payload = JSON.stringify({ code, message, request_id: requestId, data });
      res.writeHead(httpStatus, { 'Content-Type': 'application/json', 'X-Tt-Logid': requestId });
      res.end(payload);
    };
    if (fault?.kind === 'code50000') return send(50000, 'System error (injected).', {}, 'code50000');
    if (fault?.kind === 'rate-limit') return send(40100, "Too many requests: the app's QPS limit is reached (injected).", {}, 'rate-limit');
    if (fault?.kind === 'tiktok-code') return send(fault.code ?? 40000, fault.message ?? 'Injected TikTok answer.', {}, 'tiktok-code', fault.status ?? 200);
    // TikTok is slow: the request is applied (below) only after the delay, whether or not the client still waits.
    if (fault?.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 1000));

    let simReq: SimRequest;
    let result: { code: number; message: string; data: unknown; httpStatus?: number };
    try {
      simReq = parseRequest(endpoint, req, url, body, tooLarge);
      state.checkRateLimit(state.appOf(simReq));
      result = { code: 0, message: 'OK', data: dispatch(endpoint, simReq) };
      if (MUTATING.has(endpoint)) scheduleSave();
    } catch (err) {
      if (!(err instanceof SimApiError)) throw err;
      result = { code: err.code, message: err.message, data: {}, httpStatus: err.httpStatus };
    }
    if (fault?.kind === 'lost-ack') {
      // The change is applied above; the acknowledgement never reaches the client.
      logEntry(endpoint, result.code, 0, 'lost-ack');
      req.socket.destroy();
      return;
    }
    send(result.code, result.message, result.data, fault?.kind === 'slow' ? 'slow' : null, result.httpStatus);
  }

  function portal(url: URL, res: http.ServerResponse): void {
    const appId = url.searchParams.get('app_id');
    const redirectUri = url.searchParams.get('redirect_uri');
    const stateParam = url.searchParams.get('state');
    let target: URL;
    try {
      target = new URL(redirectUri ?? '');
    } catch {
      res.writeHead(400, { 'Content-Type': 'text/plain' });
      res.end('redirect_uri is missing or not a URL.');
      return;
    }
    if (!appId) {
      res.writeHead(400, { 'Content-Type': 'text/plain' });
      res.end('app_id is missing.');
      return;
    }
    if (!state.isRegisteredRedirect(redirectUri as string)) {
      // TikTok redirects only to a URL registered on the developer app, compared exactly; anything else
      // stops on an error page in the browser and never reaches the app.
      res.writeHead(400, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Something went wrong</title></head><body><h1>Something went wrong</h1>` +
          `<p>This authorization could not start because of the app's settings. If you're a developer, correct the following and try again: <b>redirect_uri</b>.</p>` +
          `<p>${escapeHtml(redirectUri as string)} is not a redirect URL registered on app ${escapeHtml(appId)}. Registered: ${state.settings.redirectUris.map(escapeHtml).join(', ') || 'none'}.</p></body></html>`,
      );
      return;
    }
    if (state.settings.consent === 'deny') {
      target.searchParams.set('error', 'access_denied');
      target.searchParams.set('error_description', 'The user denied the authorization.');
    } else {
      let code: string;
      try {
        code = state.authorize(appId);
      } catch (err) {
        res.writeHead(400, { 'Content-Type': 'text/plain' });
        res.end((err as Error).message);
        return;
      }
      const key = state.settings.authCodeParam;
      if (key === 'auth_code' || key === 'both') target.searchParams.set('auth_code', code);
      if (key === 'code' || key === 'both') target.searchParams.set('code', code);
    }
    if (stateParam !== null) target.searchParams.set('state', stateParam);
    res.writeHead(302, { Location: target.toString(), 'Content-Type': 'text/plain' });
    res.end('Authorized by the Cohort Relay offline sandbox.');
  }

  function dispatch(endpoint: SimEndpoint, r: SimRequest): unknown {
    switch (endpoint) {
      case 'oauth2/access_token':
        return state.oauthAccessToken(r);
      case 'oauth2/advertiser/get':
        return state.advertiserGet(r);
      case 'oauth2/revoke_token':
        return state.revokeToken(r);
      case 'advertiser/info':
        return state.advertiserInfo(r);
      case 'user/info':
        return state.userInfo(r);
      case 'dmp/custom_audience/file/upload':
        return state.fileUpload(r);
      case 'dmp/custom_audience/create':
        return state.create(r);
      case 'dmp/custom_audience/update':
        return state.update(r);
      case 'dmp/custom_audience/list':
        return state.list(r);
      case 'dmp/custom_audience/get':
        return state.get(r);
      case 'dmp/custom_audience/delete':
        return state.delete(r);
      case 'segment/audience':
        return state.segmentAudience(r);
      case 'segment/mapping':
        return state.segmentMapping(r);
      case 'campaign/get':
        return state.campaignGet(r);
      case 'adgroup/get':
        return state.adgroupGet(r);
      case 'dmp/custom_audience/apply':
        return state.apply(r);
      case 'dmp/custom_audience/apply/log':
        return state.applyLog(r);
      case 'dmp/custom_audience/lookalike/create':
        return state.lookalikeCreate(r);
      case 'dmp/custom_audience/lookalike/update':
        return state.lookalikeUpdate(r);
      case 'dmp/custom_audience/share':
        return state.share(r);
      case 'dmp/custom_audience/share/cancel':
        return state.shareCancel(r);
      case 'dmp/custom_audience/share/log':
        return state.shareLog(r);
      case 'audience/insight/overlap':
        return state.overlap(r);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    appId: SANDBOX_APP_ID,
    appSecret: SANDBOX_APP_SECRET,
    accessToken: SANDBOX_ACCESS_TOKEN,
    advertiserIds: SANDBOX_ADVERTISERS.map((a) => a.advertiserId),
    faults,
    now,
    advanceClock(ms: number) {
      if (!(ms >= 0)) throw new RangeError('advanceClock takes a non-negative number of ms');
      offset += ms;
    },
    configure(s: Partial<SimSettings>) {
      state.settings = { ...state.settings, ...s };
    },
    get settings() {
      return state.settings;
    },
    audience: (id) => state.snapshot(id),
    audiences: (advertiserId) => state.listSnapshots(advertiserId),
    membership: (id) => state.membership(id),
    callsOn: (id, day) => state.callsOn(id, day),
    settle: (id) => state.settle(id),
    fileRows: (p) => state.fileRows(p),
    adGroupsUsing: (id) => state.adGroupsUsing(id),
    sharedWith: (id) => state.sharedWith(id),
    requests: (endpoint) => state.log.filter((e) => !endpoint || e.endpoint === endpoint),
    issueToken: (advertiserIds) => state.issueToken(SANDBOX_APP_ID, advertiserIds),
    revokeToken(token: string) {
      state.setTokenState(token, 'revoked');
    },
    expireToken(token: string) {
      state.setTokenState(token, 'expired');
    },
    authCode: () => state.authorize(SANDBOX_APP_ID),
    flush,
    async close() {
      flush();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The endpoint a path names ("dmp/custom_audience/get"), or null: outside the API, or without the slash it needs. */
function endpointOf(pathname: string): SimEndpoint | null {
  if (!pathname.startsWith(PREFIX)) return null;
  const rest = pathname.slice(PREFIX.length);
  if (rest.endsWith('/')) return rest.slice(0, -1) as SimEndpoint;
  return SLASHLESS_OK.has(rest as SimEndpoint) ? (rest as SimEndpoint) : null;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Reads the whole body; past `limit` bytes it keeps draining (so the client finishes sending) but drops data. */
function readBody(req: http.IncomingMessage, limit: number): Promise<{ body: Buffer; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve({ body: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge }));
    req.on('error', reject);
  });
}

function parseRequest(endpoint: SimEndpoint, req: http.IncomingMessage, url: URL, body: Buffer, tooLarge: boolean): SimRequest {
  const base: SimRequest = { endpoint, headers: req.headers, query: url.searchParams, json: {}, parts: [], bodyTooLarge: tooLarge };
  if (GET_ENDPOINTS.has(endpoint) || tooLarge) return base;
  const contentType = req.headers['content-type'];
  const boundary = multipartBoundary(contentType);
  if (endpoint === 'dmp/custom_audience/file/upload') {
    if (!boundary) throw new SimApiError(40000, 'file upload must be multipart/form-data.');
    try {
      return { ...base, parts: parseMultipart(body, boundary) };
    } catch (err) {
      if (err instanceof MultipartError) throw new SimApiError(40000, `Malformed multipart body: ${err.message}.`);
      throw err;
    }
  }
  if (!contentType || !/^application\/json/i.test(contentType)) throw new SimApiError(40000, 'Content-Type must be application/json.');
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8') || '{}');
  } catch {
    throw new SimApiError(40000, 'The request body is not valid JSON.');
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new SimApiError(40000, 'The request body must be a JSON object.');
  return { ...base, json: json as Record<string, unknown> };
}
