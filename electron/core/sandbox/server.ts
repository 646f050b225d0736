/**
 * The offline sandbox's HTTP server: node:http on 127.0.0.1, the envelope, the app rate limit, fault injection,
 * the state file of `--data DIR`, and the test API of a running simulator (SimulatorHandle). Requests are read by
 * http-request.ts and answered by the API area routes.ts names; the consent page is consent-page.ts.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { consentPage } from './consent-page';
import { SIM_ENDPOINTS, type SimEndpoint } from './endpoints';
import { FaultInjector, type FaultRule } from './faults';
import { callsOn } from './file-audiences';
import { endpointOf, parseRequest, PREFIX, readBody } from './http-request';
import { adGroupsUsing } from './ad-groups';
import { authorize, issueToken, setTokenState } from './oauth';
import { SandboxStateFiles } from './persistence';
import { mulberry32 } from './prng';
import { appOf, checkRateLimit } from './rate-limit';
import { SimApiError, type SimRequest } from './request';
import { ROUTES } from './routes';
import { SANDBOX_ACCESS_TOKEN, SANDBOX_ADVERTISERS, SANDBOX_APP_ID, SANDBOX_APP_SECRET } from './seed';
import type { SimSettings } from './settings';
import { sharedWith } from './share';
import { SimStore, type AudienceSnapshot, type SimRequestLogEntry } from './store';

export interface SimulatorOptions extends Partial<SimSettings> {
  /** Port on 127.0.0.1 (default 0: a free port). */
  port?: number;
  /** Seed of every random choice (ids, tokens, probabilistic faults). Default 1. */
  seed?: number;
  /** Base clock, epoch ms (default Date.now). `advanceClock` adds to it. */
  now?: () => number;
  /** Faults active from the start. */
  faults?: FaultRule[];
  /** Keep audiences, files and tokens in `<dataDir>` across restarts (`sandbox-state.json` and `sandbox-keys/`: persistence.ts). */
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
  /** A copy of an audience's membership (keys: see store.ts). */
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
  const state = new SimStore(now, mulberry32(seed ^ 0x5eed), settings);
  const faults = new FaultInjector(seed);
  for (const f of initialFaults) faults.add(f);

  const stateFiles = dataDir ? new SandboxStateFiles(dataDir) : null;
  if (dataDir && stateFiles) {
    // The state holds the sandbox's audiences (hashes) and tokens: owner-only, like the rest of the data folder.
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    chmodSync(dataDir, 0o700);
    stateFiles.load(state);
  }
  let saveTimer: NodeJS.Timeout | null = null;
  const flush = (): void => {
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = null;
    stateFiles?.save(state);
  };
  const scheduleSave = (): void => {
    if (!stateFiles || saveTimer) return;
    saveTimer = setTimeout(() => {
      try {
        flush();
      } catch (err) {
        // The data folder is gone (its workspace was deleted while this sandbox ran): nothing is left to keep.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }, 250);
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
      consentPage(state, url, res);
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
    const route = ROUTES[endpoint];
    const expected = route.method;
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
      checkRateLimit(state, appOf(state, simReq));
      result = { code: 0, message: 'OK', data: route.handler(state, simReq) };
      if (route.mutating) scheduleSave();
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
    callsOn: (id, day) => callsOn(state, id, day),
    settle: (id) => state.settle(id),
    fileRows: (p) => state.fileRows(p),
    adGroupsUsing: (id) => adGroupsUsing(state, id),
    sharedWith: (id) => sharedWith(state, id),
    requests: (endpoint) => state.log.filter((e) => !endpoint || e.endpoint === endpoint),
    issueToken: (advertiserIds) => issueToken(state, SANDBOX_APP_ID, advertiserIds),
    revokeToken(token: string) {
      setTokenState(state, token, 'revoked');
    },
    expireToken(token: string) {
      setTokenState(state, token, 'expired');
    },
    authCode: () => authorize(state, SANDBOX_APP_ID),
    flush,
    async close() {
      flush();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
