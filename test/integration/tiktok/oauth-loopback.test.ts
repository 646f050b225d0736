import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import net from 'node:net';
import { formatDuration, startLoopback, type Loopback } from '../../../electron/core/tiktok/oauth-loopback';
import { DEFAULT_REDIRECT_URI } from '../../../electron/core/tiktok/oauth-redirect';
import { freePort } from '../../helpers/ports';

const open: Loopback[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});
/** Port 0: any free port, so tests never wait for the fixed default one. */
const ANY_PORT = 'http://127.0.0.1:0/oauth/callback';
async function listen(opts: Parameters<typeof startLoopback>[0] = {}): Promise<Loopback> {
  const l = await startLoopback({ redirectUri: ANY_PORT, ...opts });
  open.push(l);
  return l;
}
function cb(l: Loopback, params: Record<string, string>, path = '/oauth/callback'): string {
  return `http://127.0.0.1:${l.port}${path}?${new URLSearchParams(params)}`;
}
async function rejection(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}
/** True when nothing listens on the port any more (the listener closed itself). */
async function refused(url: string): Promise<boolean> {
  return fetch(url).then(
    () => false,
    () => true,
  );
}

describe('OAuth loopback listener', () => {
  it('listens on 127.0.0.1 on an OS-chosen port with a fresh random state each time', async () => {
    const a = await listen();
    const b = await listen();
    expect(a.redirectUri).toBe(`http://127.0.0.1:${a.port}/oauth/callback`);
    expect(a.port).toBeGreaterThan(0);
    expect(a.port).not.toBe(b.port);
    expect(a.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.state).not.toBe(b.state);
  });

  it('accepts auth_code with the right state, shows a close-this-tab page, then stops listening', async () => {
    const l = await listen();
    const res = await fetch(cb(l, { auth_code: 'CODE-1', state: l.state }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await res.text()).toMatch(/You can close this tab/);
    await expect(l.result).resolves.toEqual({ code: 'CODE-1' });
    await l.close();
    expect(await refused(cb(l, { auth_code: 'CODE-2', state: l.state }))).toBe(true);
  });

  it('accepts `code` when TikTok sends it instead of auth_code', async () => {
    const l = await listen();
    await fetch(cb(l, { code: 'CODE-X', state: l.state }));
    await expect(l.result).resolves.toEqual({ code: 'CODE-X' });
  });

  it('refuses a wrong or missing state with an error page and keeps waiting for the genuine callback', async () => {
    const l = await listen();
    const wrong = await fetch(cb(l, { auth_code: 'FORGED', state: 'not-the-state' }));
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toMatch(/state does not match/);
    const missing = await fetch(cb(l, { auth_code: 'FORGED' }));
    expect(missing.status).toBe(400);
    expect(l.rejectedCallbacks).toBe(2);
    let settled = false;
    void l.result.then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    await fetch(cb(l, { auth_code: 'REAL', state: l.state }));
    await expect(l.result).resolves.toEqual({ code: 'REAL' });
  });

  it('answers 404 on any other path and 405 on other methods, without consuming the listener', async () => {
    const l = await listen();
    expect((await fetch(cb(l, { auth_code: 'C', state: l.state }, '/'))).status).toBe(404);
    expect((await fetch(cb(l, { auth_code: 'C', state: l.state }, '/oauth/callback/x'))).status).toBe(404);
    expect((await fetch(cb(l, { auth_code: 'C', state: l.state }, '/OAUTH/CALLBACK'))).status).toBe(404);
    expect((await fetch(cb(l, { auth_code: 'C', state: l.state }), { method: 'POST' })).status).toBe(405);
    expect((await fetch(cb(l, { auth_code: 'C', state: l.state }))).status).toBe(200);
    await expect(l.result).resolves.toEqual({ code: 'C' });
  });

  it('serves a custom callback path exactly', async () => {
    const l = await listen({ redirectUri: 'http://127.0.0.1:0/cb' });
    expect(l.redirectUri).toMatch(/\/cb$/);
    expect((await fetch(cb(l, { code: 'C', state: l.state }))).status).toBe(404);
    expect((await fetch(cb(l, { code: 'C', state: l.state }, '/cb'))).status).toBe(200);
  });

  it('times out with AUTH_FAILED "start again" and closes', async () => {
    const l = await listen({ timeoutMs: 100 });
    const err = await rejection(l.result);
    expect(err.code).toBe('AUTH_FAILED');
    expect(err.message).toBe('Sign-in timed out after 0.1 seconds; start again.');
    await l.close();
    expect(await refused(cb(l, { code: 'LATE', state: l.state }))).toBe(true);
  });

  it('says the default timeout in minutes', () => {
    expect(formatDuration(5 * 60_000)).toBe('5 minutes');
    expect(formatDuration(60_000)).toBe('1 minute');
    expect(formatDuration(90_000)).toBe('90 seconds');
  });

  it('ends with AUTH_FAILED when the user declines consent (right state, an error and no code)', async () => {
    const l = await listen();
    const res = await fetch(cb(l, { error: 'access_denied', state: l.state }));
    expect(res.status).toBe(400);
    const err = await rejection(l.result);
    expect(err.code).toBe('AUTH_FAILED');
    expect(err.message).toMatch(/access_denied/);
  });

  it('is cancelled by its abort signal', async () => {
    const ac = new AbortController();
    const l = await listen({ signal: ac.signal });
    ac.abort();
    expect((await rejection(l.result)).code).toBe('CANCELLED');
    await l.close();
    expect(await refused(cb(l, { code: 'C', state: l.state }))).toBe(true);
  });

  it('escapes the error text it echoes into the page (no HTML injection)', async () => {
    const l = await listen();
    const res = await fetch(cb(l, { error: '<script>alert(1)</script>', state: l.state }));
    const html = await res.text();
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#60;script&#62;');
    await rejection(l.result);
  });

  it('listens on the registered redirect URL: its exact port and path, and hands that URL to TikTok unchanged', async () => {
    const port = await freePort();
    const l = await listen({ redirectUri: `http://localhost:${port}/tiktok/back` });
    expect(l.port).toBe(port);
    expect(l.redirectUri).toBe(`http://localhost:${port}/tiktok/back`);
    expect((await fetch(`http://127.0.0.1:${port}/oauth/callback`)).status).toBe(404);
    await fetch(`http://127.0.0.1:${port}/tiktok/back?${new URLSearchParams({ auth_code: 'C', state: l.state })}`);
    await expect(l.result).resolves.toEqual({ code: 'C' });
  });

  it('by default uses the documented fixed redirect URL, never a random port', () => {
    expect(DEFAULT_REDIRECT_URI).toBe('http://127.0.0.1:28561/oauth/callback');
  });

  it('says when the redirect port is taken, and how to choose another', async () => {
    const port = await freePort();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const err = await rejection(startLoopback({ redirectUri: `http://127.0.0.1:${port}/oauth/callback` }));
      expect(err.code).toBe('INVALID_ARGUMENT');
      expect(err.message).toContain(`Port ${port} is already in use`);
      expect(err.message).toMatch(/--redirect-uri .*TIKTOK_REDIRECT_URI.*Connections screen.*register that exact URL/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    // Once the other program is gone, the same URL works.
    const l = await listen({ redirectUri: `http://127.0.0.1:${port}/oauth/callback` });
    expect(l.port).toBe(port);
  });
});
