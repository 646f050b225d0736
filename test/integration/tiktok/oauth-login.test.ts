import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { MemorySecretStore, openSecretStore, type SecretStore } from '../../../electron/core/secrets';
import { Store } from '../../../electron/core/store';
import { TikTokClient } from '../../../electron/core/tiktok/client';
import { ConnectionService } from '../../../electron/core/tiktok/connections';
import { runOAuthLogin, type BrowserOpener } from '../../../electron/core/tiktok/oauth';
import { startSimulator, SANDBOX_ADVERTISERS, type SimulatorHandle } from '../../../electron/core/sandbox';
import { describeWithKeychain, probeKeychain, testKeychainService } from '../../helpers/keyring';
import { testRedirectUri } from '../../helpers/ports';
import { tmpDir } from '../../helpers/tmp';

const keychain = await probeKeychain();
const clientOptions = { limiter: null, retry: { maxAttempts: 1 } } as const;

/** The "system browser": fetch follows the consent page's 302 to the loopback listener, like a browser would. */
const browser: BrowserOpener = async (url) => {
  const res = await fetch(url);
  await res.text();
};

/** Every byte the store wrote (database, WAL, shared memory), as one buffer. */
function dataFolderBytes(dir: string): Buffer {
  return Buffer.concat(fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f))));
}

let sim: SimulatorHandle;
let tmp: ReturnType<typeof tmpDir>;
let store: Store;
/** This test's redirect URL, registered on the simulator's developer app as a user registers theirs. */
let redirectUri: string;
beforeEach(async () => {
  redirectUri = await testRedirectUri();
  sim = await startSimulator({ redirectUris: [redirectUri] });
  tmp = tmpDir();
  store = Store.open(tmp.dir);
});
afterEach(async () => {
  store.close();
  tmp.cleanup();
  await sim.close();
});

async function failure(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describeWithKeychain(keychain, 'OAuth sign-in end to end, with the real keychain', () => {
  let secrets: SecretStore;
  beforeEach(async () => {
    const opened = await openSecretStore({ env: {}, service: testKeychainService() });
    expect(opened.persistent).toBe(true);
    secrets = opened.store;
  });

  it('signs in through the consent page and the loopback, keeps the token in the keychain and only metadata in SQLite', async () => {
    const service = new ConnectionService({ repo: store.connections, secrets, env: {}, clientOptions });
    const urls: string[] = [];
    const result = await service.loginWithOAuth({ apiBase: sim.url, appId: sim.appId, appSecret: sim.appSecret, redirectUri, openBrowser: browser, onUrl: (u) => urls.push(u) });

    const consent = new URL(urls[0]!);
    expect(`${consent.origin}${consent.pathname}`).toBe(`${sim.url}/portal/auth`);
    expect(consent.searchParams.get('app_id')).toBe(sim.appId);
    expect(consent.searchParams.get('redirect_uri')).toBe(redirectUri);

    const id = `tt-${sim.appId}`;
    expect(result.connection.id).toBe(id);
    expect(result.connection.kind).toBe('oauth');
    expect(result.tokenStorage).toBe('keychain');
    const token = await secrets.get(id, 'access-token');
    expect(token).toBeTruthy();
    expect(await secrets.get(id, 'app-secret')).toBe(sim.appSecret);
    // The token works: it is the one TikTok issued.
    await expect(new TikTokClient({ base: sim.url, accessToken: token!, limiter: null }).userInfo()).resolves.toBeDefined();

    const saved = store.connections.get(id)!;
    expect(saved.advertisers.map((a) => a.advertiserId).sort()).toEqual(SANDBOX_ADVERTISERS.map((a) => a.advertiserId).sort());
    expect(saved.advertisers.map((a) => a.name)).toContain('Sandbox Advertiser One');
    expect(saved.status).toBe('ok');

    // The token is in no return value, and in no byte of the SQLite files; neither is the app secret.
    expect(JSON.stringify(result)).not.toContain(token!);
    expect(result.tokenHint).toBe(`…${token!.slice(-4)}`);
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    const bytes = dataFolderBytes(tmp.dir);
    expect(bytes.includes(Buffer.from(sim.appId))).toBe(true); // proves the bytes are really read
    expect(bytes.includes(Buffer.from(token!))).toBe(false);
    expect(bytes.includes(Buffer.from(sim.appSecret))).toBe(false);
    await secrets.delete(id, 'access-token');
    await secrets.delete(id, 'app-secret');
  });

  it('signing in again with the same app replaces the token of the same connection', async () => {
    const service = new ConnectionService({ repo: store.connections, secrets, env: {}, clientOptions });
    await service.loginWithOAuth({ apiBase: sim.url, appId: sim.appId, appSecret: sim.appSecret, redirectUri, openBrowser: browser });
    const first = await secrets.get(`tt-${sim.appId}`, 'access-token');
    await service.loginWithOAuth({ apiBase: sim.url, appId: sim.appId, appSecret: sim.appSecret, redirectUri, openBrowser: browser });
    const second = await secrets.get(`tt-${sim.appId}`, 'access-token');
    expect(second).not.toBe(first);
    expect(store.connections.list()).toHaveLength(1);
    await service.disconnect(`tt-${sim.appId}`);
  });
});

describe('OAuth sign-in failures', () => {
  it('rejects a callback whose state was tampered with, and times out without saving anything', async () => {
    const secrets = new MemorySecretStore();
    const service = new ConnectionService({ repo: store.connections, secrets, env: {}, clientOptions });
    let page = '';
    const tampering: BrowserOpener = async (url) => {
      const u = new URL(url);
      u.searchParams.set('state', 'forged-state');
      const res = await fetch(u);
      page = `${res.status} ${await res.text()}`;
    };
    const err = await failure(service.loginWithOAuth({ apiBase: sim.url, appId: sim.appId, appSecret: sim.appSecret, redirectUri, openBrowser: tampering, timeoutMs: 3_000 }));
    expect(page).toMatch(/^400 .*state does not match/s);
    expect(err.code).toBe('AUTH_FAILED');
    expect(err.message).toMatch(/timed out .* start again.*wrong state/);
    expect(sim.requests('oauth2/access_token')).toHaveLength(0);
    expect(store.connections.list()).toEqual([]);
    expect(await secrets.get(`tt-${sim.appId}`, 'access-token')).toBeNull();
  });

  it('reports a reused auth code (40110) as "sign in again" and saves nothing', async () => {
    const code = sim.authCode();
    await new TikTokClient({ base: sim.url, limiter: null }).oauthAccessToken({ appId: sim.appId, secret: sim.appSecret, authCode: code });
    // A "browser" that lands on the loopback with the right state but the already-used code.
    const replay: BrowserOpener = async (url) => {
      const u = new URL(url);
      const back = new URL(u.searchParams.get('redirect_uri')!);
      back.searchParams.set('auth_code', code);
      back.searchParams.set('state', u.searchParams.get('state')!);
      await (await fetch(back)).text();
    };
    const secrets = new MemorySecretStore();
    const service = new ConnectionService({ repo: store.connections, secrets, env: {}, clientOptions });
    const err = await failure(service.loginWithOAuth({ apiBase: sim.url, appId: sim.appId, appSecret: sim.appSecret, redirectUri, openBrowser: replay }));
    expect(err.code).toBe('AUTH_FAILED');
    expect(err.message).toMatch(/already used or expired.*Sign in again/);
    expect(store.connections.list()).toEqual([]);
    expect(await secrets.get(`tt-${sim.appId}`, 'access-token')).toBeNull();
  });

  it('times out after timeoutMs when nobody completes the consent (no browser: URL shown only)', async () => {
    const urls: string[] = [];
    const err = await failure(runOAuthLogin({ apiBase: sim.url, appId: sim.appId, appSecret: sim.appSecret, redirectUri, openBrowser: null, onUrl: (u) => urls.push(u), timeoutMs: 200, clientOptions }));
    expect(urls).toHaveLength(1);
    expect(err.code).toBe('AUTH_FAILED');
    expect(err.message).toBe('Sign-in timed out after 0.2 seconds; start again.');
  });

  it('reports declined consent as AUTH_FAILED', async () => {
    sim.configure({ consent: 'deny' });
    const err = await failure(runOAuthLogin({ apiBase: sim.url, appId: sim.appId, appSecret: sim.appSecret, redirectUri, openBrowser: browser, clientOptions }));
    expect(err.code).toBe('AUTH_FAILED');
    expect(err.message).toMatch(/did not authorize/);
  });

  it('accepts `code` instead of `auth_code` in the redirect', async () => {
    sim.configure({ authCodeParam: 'code' });
    const r = await runOAuthLogin({ apiBase: sim.url, appId: sim.appId, appSecret: sim.appSecret, redirectUri, openBrowser: browser, clientOptions });
    expect(r.advertisers).toHaveLength(SANDBOX_ADVERTISERS.length);
    expect(r.scope).toContain(31);
  });

  it('keeps waiting when the browser cannot be opened, so the printed URL still works', async () => {
    const errors: unknown[] = [];
    let show!: (u: string) => void;
    const shown = new Promise<string>((r) => (show = r));
    const p = runOAuthLogin({
      apiBase: sim.url,
      appId: sim.appId,
      appSecret: sim.appSecret,
      redirectUri,
      openBrowser: async () => {
        throw new Error('xdg-open: no method available');
      },
      onBrowserError: (e) => errors.push(e),
      onUrl: show,
      clientOptions,
    });
    await browser(await shown);
    const r = await p;
    expect(errors).toHaveLength(1);
    expect(r.accessToken).toBeTruthy();
  });

  it('reports a wrong app secret without opening a connection', async () => {
    const err = await failure(runOAuthLogin({ apiBase: sim.url, appId: sim.appId, appSecret: 'wrong-secret', redirectUri, openBrowser: browser, clientOptions }));
    expect(err.code).toBe('AUTH_FAILED');
    expect(err.message).toMatch(/app id and secret/);
  });
});

describe('a real developer app: redirect URL, permissions, and tokens that cannot be kept', () => {
  const revokes = () => sim.requests('oauth2/revoke_token').filter((r) => r.code === 0);

  it('the sandbox refuses a redirect URL not registered on its app, like TikTok: an error page, no redirect, no token', async () => {
    sim.configure({ redirectUris: ['http://127.0.0.1:28561/oauth/callback'] });
    let page = { status: 0, location: null as string | null, text: '' };
    const manualBrowser: BrowserOpener = async (url) => {
      const res = await fetch(url, { redirect: 'manual' });
      page = { status: res.status, location: res.headers.get('location'), text: await res.text() };
    };
    const err = await failure(runOAuthLogin({ apiBase: sim.url, appId: sim.appId, appSecret: sim.appSecret, redirectUri, openBrowser: manualBrowser, timeoutMs: 300, clientOptions }));
    expect(page.status).toBe(400);
    expect(page.location).toBeNull();
    expect(page.text).toContain('correct the following and try again: <b>redirect_uri</b>');
    expect(page.text).toContain(`${redirectUri} is not a redirect URL registered on app ${sim.appId}`);
    expect(err.code).toBe('AUTH_FAILED');
    expect(sim.requests('oauth2/access_token')).toHaveLength(0);

    // Registered character for character, it works; a different spelling of the same address does not.
    sim.configure({ redirectUris: [redirectUri.replace('127.0.0.1', 'localhost')] });
    await manualBrowser(`${sim.url}/portal/auth?app_id=${sim.appId}&state=s&redirect_uri=${encodeURIComponent(redirectUri)}`);
    expect(page.status).toBe(400);
    sim.configure({ redirectUris: [redirectUri] });
    await manualBrowser(`${sim.url}/portal/auth?app_id=${sim.appId}&state=s&redirect_uri=${encodeURIComponent(redirectUri)}`);
    expect(page.status).toBe(302);
    expect(page.location).toMatch(new RegExp(`^${redirectUri}\\?auth_code=`));
  });

  it('signs in without "Read Ad Account Information": the ad accounts come from the token response, shown by id, and the permission is named', async () => {
    sim.configure({ adAccountPermission: false });
    const secrets = new MemorySecretStore();
    const service = new ConnectionService({ repo: store.connections, secrets, env: {}, clientOptions });
    const r = await service.loginWithOAuth({ apiBase: sim.url, appId: sim.appId, appSecret: sim.appSecret, redirectUri, openBrowser: browser });

    // TikTok refused both ways of naming the accounts, for the missing permission.
    expect(sim.requests('oauth2/advertiser/get').map((q) => q.code)).toEqual([40001]);
    expect(sim.requests('advertiser/info').map((q) => q.code)).toEqual([40001]);
    const ids = SANDBOX_ADVERTISERS.map((a) => a.advertiserId);
    expect(r.connection.advertisers).toEqual(ids.map((id) => ({ advertiserId: id, name: id })));
    expect(r.warnings.join(' ')).toMatch(/shown by their ids.*"Read Ad Account Information" permission \(Ad Account Management\)/);
    expect(await secrets.get(r.connection.id, 'access-token')).toBeTruthy();
    expect(revokes()).toHaveLength(0);
    // Refreshing the list later falls back the same way instead of failing.
    expect((await service.refreshAdvertisers(r.connection.id)).map((a) => a.advertiserId)).toEqual(ids);
  });

  it('refuses a sign-in without Audience Management, naming it in TikTok\'s words, and revokes the token instead of dropping it', async () => {
    sim.configure({ audiencePermission: false });
    const secrets = new MemorySecretStore();
    const service = new ConnectionService({ repo: store.connections, secrets, env: {}, clientOptions });
    const err = await failure(service.loginWithOAuth({ apiBase: sim.url, appId: sim.appId, appSecret: sim.appSecret, redirectUri, openBrowser: browser }));
    expect(err.code).toBe('PERMISSION_DENIED');
    expect(err.message).toMatch(/did not grant the "Audience Management" permission .*missing: Read Custom Audiences and Create and Update Custom Audiences/);
    expect(err.message).toMatch(/select Audience Management, then click Confirm/);
    expect(err.message).toMatch(/was revoked, so no working token is left behind/);
    expect(revokes()).toHaveLength(1);
    expect(store.connections.list()).toEqual([]);
    expect(await secrets.get(`tt-${sim.appId}`, 'access-token')).toBeNull();
  });

  it('revokes the new token when its ad accounts cannot be listed (TikTok unavailable)', async () => {
    sim.faults.add({ kind: 'http5xx', endpoint: 'oauth2/advertiser/get' });
    const err = await failure(runOAuthLogin({ apiBase: sim.url, appId: sim.appId, appSecret: sim.appSecret, redirectUri, openBrowser: browser, clientOptions }));
    expect(err.code).toBe('TIKTOK_UNAVAILABLE');
    expect(err.message).toMatch(/was revoked/);
    expect(revokes()).toHaveLength(1);
  });

  it('revokes the new token when it cannot be stored (the keychain refuses it), and saves nothing', async () => {
    class LockedKeychain extends MemorySecretStore {
      override async set(): Promise<void> {
        throw new AppError('KEYCHAIN_UNAVAILABLE', 'The system keychain is locked. Unlock it, then sign in again.');
      }
    }
    const service = new ConnectionService({ repo: store.connections, secrets: new LockedKeychain(), env: {}, clientOptions });
    const err = await failure(service.loginWithOAuth({ apiBase: sim.url, appId: sim.appId, appSecret: sim.appSecret, redirectUri, openBrowser: browser }));
    expect(err.code).toBe('KEYCHAIN_UNAVAILABLE');
    expect(err.message).toMatch(/^The system keychain is locked\. .*was revoked/);
    expect(revokes()).toHaveLength(1);
    expect(store.connections.list()).toEqual([]);
  });

  it('cancelling while waiting ends with CANCELLED and frees the redirect port at once', async () => {
    const ac = new AbortController();
    const p = runOAuthLogin({ apiBase: sim.url, appId: sim.appId, appSecret: sim.appSecret, redirectUri, openBrowser: null, onUrl: () => ac.abort(), signal: ac.signal, clientOptions });
    expect((await failure(p)).code).toBe('CANCELLED');
    // The same registered URL is free for the next try.
    const r = await runOAuthLogin({ apiBase: sim.url, appId: sim.appId, appSecret: sim.appSecret, redirectUri, openBrowser: browser, clientOptions });
    expect(r.accessToken).toBeTruthy();
  });
});
