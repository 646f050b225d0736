import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError } from '../../../shared/errors';
import { DEFAULT_REDIRECT_URI, parseRedirectUri, portInUseMessage } from './oauth-redirect';

export { DEFAULT_CALLBACK_PATH } from './oauth-redirect';
/** How long the user has to finish consent in the browser. */
export const DEFAULT_LOGIN_TIMEOUT_MS = 5 * 60_000;

export interface LoopbackOptions {
  /** Give up after this long (default 5 minutes) with AppError AUTH_FAILED. */
  timeoutMs?: number;
  /**
   * The redirect URL registered on the developer app (default DEFAULT_REDIRECT_URI): the listener binds its
   * host and port and serves exactly its path. Port 0 takes any free port (tests; TikTok would refuse it).
   */
  redirectUri?: string;
  /** Aborting cancels the wait with AppError CANCELLED and closes the listener. */
  signal?: AbortSignal;
}

/** The result of a valid callback: the one-time authorization code. */
export interface LoopbackResult {
  code: string;
}

/**
 * A one-shot OAuth redirect listener on this computer (RFC 8252 §7.3): the fixed port of the registered
 * redirect URL (TikTok redirects only to a registered one), a random `state`, exactly one path, one
 * accepted callback, then closed.
 *
 * A callback whose `state` is missing or wrong is answered with an error page and is NOT accepted; the
 * listener keeps waiting for the genuine one, so a forged request from another page can neither sign
 * the user in to someone else's account nor cancel the real sign-in. A callback with the right state
 * but an `error` (consent declined) ends the wait with AUTH_FAILED.
 */
export interface Loopback {
  /** The redirect URL as registered (with the real port when 0 was asked): the redirect_uri sent to TikTok. */
  readonly redirectUri: string;
  readonly port: number;
  /** 32 random bytes, base64url: echoed back by TikTok and checked on the callback. */
  readonly state: string;
  /** How many callbacks were refused for a wrong or missing state (shown to the user on timeout). */
  readonly rejectedCallbacks: number;
  /** Resolves with the code of the first valid callback; rejects on timeout, abort, or declined consent. */
  readonly result: Promise<LoopbackResult>;
  /** Stops listening (idempotent). The listener also closes itself after the result settles. */
  close(): Promise<void>;
}

/** Starts the loopback listener and resolves once it is listening. */
export async function startLoopback(opts: LoopbackOptions = {}): Promise<Loopback> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS;
  const target = parseRedirectUri(opts.redirectUri ?? DEFAULT_REDIRECT_URI, { allowAnyPort: true });
  const callbackPath = target.path;
  const state = randomBytes(32).toString('base64url');
  if (opts.signal?.aborted) throw cancelled();

  let settled = false;
  let rejected = 0;
  let resolveResult!: (r: LoopbackResult) => void;
  let rejectResult!: (e: unknown) => void;
  const result = new Promise<LoopbackResult>((res, rej) => {
    resolveResult = res;
    rejectResult = rej;
  });
  // The caller may attach its handler later (after opening the browser); never report an unhandled rejection.
  result.catch(() => {});

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== callbackPath) return send(res, 404, page('Not found', 'This address is not part of Cohort Relay sign-in.'));
    if (req.method !== 'GET') return send(res, 405, page('Not allowed', 'Sign-in callbacks are GET requests.'), { Allow: 'GET' });
    if (settled) return send(res, 410, page('Sign-in already finished', 'This sign-in link was already used. Go back to Cohort Relay.'));

    const q = url.searchParams;
    if (!q.get('state') || q.get('state') !== state) {
      rejected += 1;
      return send(
        res,
        400,
        page('Sign-in link not recognised', 'This callback does not belong to the sign-in Cohort Relay is waiting for (its state does not match), so it was ignored. If you started sign-in more than once, use the newest browser tab, or start again from Cohort Relay.'),
      );
    }
    const code = q.get('auth_code') || q.get('code');
    if (!code) {
      const why = q.get('error_description') || q.get('error') || 'no authorization code was returned';
      send(res, 400, page('Sign-in was not completed', `TikTok did not authorize Cohort Relay (${why}). Go back to Cohort Relay and start again.`));
      return finish(() => rejectResult(new AppError('AUTH_FAILED', `TikTok did not authorize Cohort Relay (${clip(why)}). Start sign-in again and approve the access request.`)));
    }
    send(res, 200, page('Signed in', 'Cohort Relay received the authorization. You can close this tab and go back to the app.'));
    finish(() => resolveResult({ code }));
  });

  const timer = setTimeout(() => {
    finish(() =>
      rejectResult(
        new AppError(
          'AUTH_FAILED',
          `Sign-in timed out after ${formatDuration(timeoutMs)}; start again.${rejected ? ` (${rejected} callback(s) with a wrong state were ignored: use the newest sign-in tab.)` : ''}`,
        ),
      ),
    );
  }, timeoutMs);
  const onAbort = () => finish(() => rejectResult(cancelled()));
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((res) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      server.close(() => res());
      // Every response says Connection: close, but a browser may hold a pre-opened idle socket: drop
      // idle ones now, and anything still open shortly after (by then the last page has been written).
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 1000).unref();
    });
    return closing;
  };
  function finish(settle: () => void): void {
    if (settled) return;
    settled = true;
    settle();
    void close();
  }

  try {
    await new Promise<void>((res, rej) => {
      server.once('error', rej);
      server.listen(target.port, target.bindHost, () => {
        server.off('error', rej);
        res();
      });
    });
  } catch (err) {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    settled = true;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') throw new AppError('INVALID_ARGUMENT', portInUseMessage(target), { cause: err });
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  return {
    redirectUri: target.port === 0 ? target.uri.replace(/:0(?=[/]|$)/, `:${port}`) : target.uri,
    port,
    state,
    get rejectedCallbacks() {
      return rejected;
    },
    result,
    close: async () => {
      finish(() => rejectResult(cancelled()));
      await close();
    },
  };
}

function cancelled(): AppError {
  return new AppError('CANCELLED', 'Sign-in was cancelled. Start it again when ready.');
}

function send(res: http.ServerResponse, status: number, html: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    // The callback URL carries the one-time code: never hand it to another site as a Referer.
    'Referrer-Policy': 'no-referrer',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
    'X-Content-Type-Options': 'nosniff',
    Connection: 'close',
    ...extra,
  });
  res.end(html);
}

function page(title: string, text: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)} — Cohort Relay</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:34em;margin:4em auto;padding:0 1em;color:#222}@media(prefers-color-scheme:dark){body{background:#111;color:#eee}}</style>
</head><body><h1>${esc(title)}</h1><p>${esc(text)}</p></body></html>`;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function clip(s: string): string {
  return s.replace(/\s+/g, ' ').slice(0, 200);
}

/** "5 minutes", "90 seconds", "0.2 seconds": the words used in the timeout message. */
export function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} minute${ms === 60_000 ? '' : 's'}`;
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} second${s === 1 ? '' : 's'}`;
}
