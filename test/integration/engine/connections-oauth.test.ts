import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Handlers } from '../../../shared/ipc/contract';
import type { EngineInternals } from '../../../electron/core/engine';
import { testRedirectUri } from '../../helpers/ports';
import { tmpDir } from '../../helpers/tmp';
import { startTestEngine, type TestEngine } from './helpers';

let tmp: ReturnType<typeof tmpDir>;
let t: TestEngine;
let h: Handlers;
let redirectUri: string;

/** The engine with the offline sandbox, whose developer app registers this test's redirect URL, and no browser. */
async function start(env: NodeJS.ProcessEnv = {}, extra: Partial<EngineInternals> = {}): Promise<void> {
  t = await startTestEngine(tmp.dir, {
    env: { COHORT_RELAY_KEYCHAIN: 'off', ...env },
    simulator: { rateLimit: false, processingDelayMs: 0, matchRate: 'exact', redirectUris: [redirectUri] },
    ...extra,
  });
  h = t.engine.handlers;
  // Starts the sandbox simulator (the sign-in's TikTok).
  await h['connections:connectSandbox'](undefined);
}

beforeEach(async () => {
  tmp = tmpDir('cohort-relay-engine-oauth-');
  redirectUri = await testRedirectUri();
});
afterEach(async () => {
  await t.engine.shutdown();
  tmp.cleanup();
});

/** The sign-in link of the n-th connection:signInWaiting event (1-based). */
async function waitingLink(n = 1): Promise<{ url: string; redirectUri: string; expiresAt: string }> {
  const all = () => t.events.flatMap((e) => (e.event === 'connection:signInWaiting' ? [e.payload] : []));
  await t.waitFor('connection:signInWaiting', () => all().length >= n);
  return all()[n - 1]!;
}

describe('browser sign-in through the engine', () => {
  it('hands the sign-in link to the renderer while it waits, so it works with no browser at all', async () => {
    await start({ TIKTOK_REDIRECT_URI: redirectUri });
    const sim = t.sim();
    const before = Date.now();
    const login = h['connections:loginOAuth']({ appId: sim.appId, appSecret: sim.appSecret });
    const waiting = await waitingLink();
    expect(waiting.redirectUri).toBe(redirectUri);
    const link = new URL(waiting.url);
    expect(`${link.origin}${link.pathname}`).toBe(`${sim.url}/portal/auth`);
    expect(link.searchParams.get('redirect_uri')).toBe(redirectUri);
    expect(waiting.url).not.toContain(sim.appSecret);
    expect(Date.parse(waiting.expiresAt) - before).toBeGreaterThanOrEqual(5 * 60_000 - 1000);
    // The user copies the link into a browser: consent, redirect, done.
    await (await fetch(waiting.url)).text();
    await expect(login).resolves.toMatchObject({ kind: 'oauth', appId: sim.appId, status: 'ok' });
  });

  it('cancels a waiting sign-in: the call ends with CANCELLED, the redirect port is free, nothing is saved', async () => {
    await start({ TIKTOK_REDIRECT_URI: redirectUri });
    const sim = t.sim();
    expect(await h['connections:cancelLogin'](undefined)).toEqual({ cancelled: false });
    const login = h['connections:loginOAuth']({ appId: sim.appId, appSecret: sim.appSecret });
    await waitingLink();
    expect(await h['connections:cancelLogin'](undefined)).toEqual({ cancelled: true });
    await expect(login).rejects.toMatchObject({ code: 'CANCELLED' });
    expect((await h['connections:list'](undefined)).map((c) => c.kind)).toEqual(['sandbox']);
    // Starting again binds the same registered port and completes.
    const again = h['connections:loginOAuth']({ appId: sim.appId, appSecret: sim.appSecret });
    await (await fetch((await waitingLink(2)).url)).text();
    await expect(again).resolves.toMatchObject({ kind: 'oauth' });
  });

  it('a new sign-in replaces the one still waiting instead of failing on the busy port', async () => {
    await start({ TIKTOK_REDIRECT_URI: redirectUri });
    const sim = t.sim();
    const first = h['connections:loginOAuth']({ appId: sim.appId, appSecret: sim.appSecret });
    await waitingLink();
    const second = h['connections:loginOAuth']({ appId: sim.appId, appSecret: sim.appSecret });
    await expect(first).rejects.toMatchObject({ code: 'CANCELLED' });
    await (await fetch((await waitingLink(2)).url)).text();
    await expect(second).resolves.toMatchObject({ kind: 'oauth' });
  });

  it('without "Read Ad Account Information" the connection lists the token\'s ad accounts by id and names the permission', async () => {
    await start({ TIKTOK_REDIRECT_URI: redirectUri }, { simulator: { rateLimit: false, processingDelayMs: 0, redirectUris: [redirectUri], adAccountPermission: false } });
    const sim = t.sim();
    const login = h['connections:loginOAuth']({ appId: sim.appId, appSecret: sim.appSecret });
    await (await fetch((await waitingLink()).url)).text();
    const conn = await login;
    expect(conn.advertisers).toEqual(sim.advertiserIds.map((id) => ({ advertiserId: id, name: id })));
    expect(conn.notice).toMatch(/shown by their ids.*"Read Ad Account Information"/);
    // The sandbox connection, whose names TikTok gave, has no such note.
    expect((await h['connections:list'](undefined)).find((c) => c.kind === 'sandbox')?.notice).toBeNull();
  });

  it('shutting down ends a waiting sign-in', async () => {
    await start({ TIKTOK_REDIRECT_URI: redirectUri });
    const sim = t.sim();
    const login = h['connections:loginOAuth']({ appId: sim.appId, appSecret: sim.appSecret });
    await waitingLink();
    await t.engine.shutdown();
    await expect(login).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});

describe('the redirect URL setting', () => {
  it('starts at the documented default, saves a checked URL that sign-in then uses, and goes back to the default', async () => {
    await start();
    expect(await h['connections:redirectUri'](undefined)).toEqual({ redirectUri: 'http://127.0.0.1:28561/oauth/callback', defaultRedirectUri: 'http://127.0.0.1:28561/oauth/callback', source: 'default' });
    await expect(h['connections:setRedirectUri']({ redirectUri: 'https://example.com/cb' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/must start with http:\/\//) });
    expect(await h['connections:setRedirectUri']({ redirectUri })).toMatchObject({ redirectUri, source: 'setting' });

    const sim = t.sim();
    const login = h['connections:loginOAuth']({ appId: sim.appId, appSecret: sim.appSecret });
    const waiting = await waitingLink();
    expect(new URL(waiting.url).searchParams.get('redirect_uri')).toBe(redirectUri);
    await (await fetch(waiting.url)).text();
    await login;

    expect(await h['connections:setRedirectUri']({ redirectUri: null })).toMatchObject({ redirectUri: 'http://127.0.0.1:28561/oauth/callback', source: 'default' });
  });

  it('TIKTOK_REDIRECT_URI wins over the saved setting, and says so', async () => {
    await start({ TIKTOK_REDIRECT_URI: 'http://localhost:41000/cb' });
    expect(await h['connections:setRedirectUri']({ redirectUri })).toEqual({ redirectUri: 'http://localhost:41000/cb', defaultRedirectUri: 'http://127.0.0.1:28561/oauth/callback', source: 'env' });
  });

  it('an unregistered redirect URL stops at the sandbox\'s error page, as at TikTok; cancel ends the wait', async () => {
    const unregistered = await testRedirectUri('/elsewhere');
    await start({ TIKTOK_REDIRECT_URI: unregistered });
    const sim = t.sim();
    const login = h['connections:loginOAuth']({ appId: sim.appId, appSecret: sim.appSecret });
    const res = await fetch((await waitingLink()).url, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('redirect_uri');
    await h['connections:cancelLogin'](undefined);
    await expect(login).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
