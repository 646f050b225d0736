import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import { MemorySecretStore, openSecretStore, type SecretStore } from '../../../electron/core/secrets';
import { Store } from '../../../electron/core/store';
import { ConnectionService, SANDBOX_CONNECTION_ID, connectionIdForToken, maskToken } from '../../../electron/core/tiktok/connections';
import { startSimulator, SANDBOX_ADVERTISERS, type SimulatorHandle } from '../../../electron/core/sandbox';
import { describeWithKeychain, probeKeychain, testKeychainService } from '../../helpers/keyring';
import { tmpDir } from '../../helpers/tmp';

const keychain = await probeKeychain();
const clientOptions = { limiter: null, retry: { maxAttempts: 1 } } as const;
const [ADV1, ADV2] = SANDBOX_ADVERTISERS.map((a) => a.advertiserId) as [string, string];

let sim: SimulatorHandle;
let tmp: ReturnType<typeof tmpDir>;
let store: Store;
let secrets: MemorySecretStore;
let service: ConnectionService;
beforeEach(async () => {
  sim = await startSimulator();
  tmp = tmpDir();
  store = Store.open(tmp.dir);
  secrets = new MemorySecretStore();
  service = new ConnectionService({ repo: store.connections, secrets, env: {}, clientOptions });
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

function dataFolderBytes(): Buffer {
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  return Buffer.concat(fs.readdirSync(tmp.dir).map((f) => fs.readFileSync(path.join(tmp.dir, f))));
}

describe('connecting a pasted token', () => {
  it('validates it, lists the ad accounts with the app id and secret, and stores token and secret apart from SQLite', async () => {
    const token = sim.issueToken();
    const r = await service.connectWithToken({ apiBase: sim.url, token, appId: sim.appId, appSecret: sim.appSecret });
    expect(r.connection.id).toBe(`tt-${sim.appId}`);
    expect(r.connection.kind).toBe('token');
    expect(r.connection.label).toBe('Sandbox User');
    expect(r.connection.advertisers.map((a) => a.advertiserId).sort()).toEqual([ADV1, ADV2].sort());
    expect(r.tokenHint).toBe(maskToken(token));
    expect(r.tokenStorage).toBe('memory');
    expect(r.warnings.join(' ')).toMatch(/memory only/);
    expect(await secrets.get(r.connection.id, 'access-token')).toBe(token);
    expect(await secrets.get(r.connection.id, 'app-secret')).toBe(sim.appSecret);
    expect(JSON.stringify(r)).not.toContain(token);
    const bytes = dataFolderBytes();
    expect(bytes.includes(Buffer.from('Sandbox Advertiser One'))).toBe(true);
    expect(bytes.includes(Buffer.from(token))).toBe(false);
    expect(bytes.includes(Buffer.from(sim.appSecret))).toBe(false);
  });

  it('rejects a token TikTok does not know before saving anything', async () => {
    const err = await failure(service.connectWithToken({ apiBase: sim.url, token: 'not-a-real-token-0000000000', appId: sim.appId, appSecret: sim.appSecret }));
    expect(err.code).toBe('AUTH_FAILED');
    expect(err.message).toMatch(/did not accept this access token \(TikTok code 40105\).*Nothing was saved/);
    expect(store.connections.list()).toEqual([]);
    expect(await secrets.get(`tt-${sim.appId}`, 'access-token')).toBeNull();
  });

  it('rejects a revoked token and an expired one', async () => {
    const revoked = sim.issueToken();
    sim.revokeToken(revoked);
    const expired = sim.issueToken();
    sim.expireToken(expired);
    expect((await failure(service.connectWithToken({ apiBase: sim.url, token: revoked }))).message).toMatch(/40105/);
    expect((await failure(service.connectWithToken({ apiBase: sim.url, token: expired }))).message).toMatch(/40102/);
    expect(store.connections.list()).toEqual([]);
  });

  it('refuses an empty token, a token with spaces, and a secret without its app id', async () => {
    expect((await failure(service.connectWithToken({ apiBase: sim.url, token: '  ' }))).code).toBe('INVALID_ARGUMENT');
    expect((await failure(service.connectWithToken({ apiBase: sim.url, token: 'abc def' }))).code).toBe('INVALID_ARGUMENT');
    expect((await failure(service.connectWithToken({ apiBase: sim.url, token: sim.accessToken, appSecret: 'x' }))).code).toBe('INVALID_ARGUMENT');
    expect(sim.requests()).toHaveLength(0);
  });

  it('without an app secret, checks the named ad accounts with advertiser/info', async () => {
    const token = sim.issueToken([ADV1]);
    const r = await service.connectWithToken({ apiBase: sim.url, token, advertiserIds: [ADV1] });
    expect(r.connection.id).toBe(connectionIdForToken(token));
    expect(r.connection.id).toMatch(/^tt-token-[0-9a-f]{12}$/);
    expect(r.connection.appId).toBeNull();
    expect(r.connection.advertisers).toEqual([{ advertiserId: ADV1, name: 'Sandbox Advertiser One' }]);
    expect(sim.requests('oauth2/advertiser/get')).toHaveLength(0);
  });

  it('refuses an ad account the token cannot reach, saving nothing', async () => {
    const token = sim.issueToken([ADV1]);
    const err = await failure(service.connectWithToken({ apiBase: sim.url, token, advertiserIds: [ADV1, ADV2] }));
    expect(err.code).toBe('PERMISSION_DENIED');
    expect(err.message).toMatch(/Nothing was saved/);
    expect(store.connections.list()).toEqual([]);
  });

  it('without app credentials or ad-account ids, saves the connection with a warning that no ad accounts could be listed', async () => {
    const r = await service.connectWithToken({ apiBase: sim.url, token: sim.issueToken() });
    expect(r.connection.advertisers).toEqual([]);
    expect(r.warnings.join(' ')).toMatch(/TikTok lists them only with the app id and secret/);
  });

  it('with storeSecrets false (TIKTOK_ACCESS_TOKEN), saves the metadata but neither the token nor the secret', async () => {
    const token = sim.issueToken();
    const r = await service.connectWithToken({ apiBase: sim.url, token, appId: sim.appId, appSecret: sim.appSecret, storeSecrets: false });
    expect(r.tokenStorage).toBe('env');
    expect(r.connection.advertisers).toHaveLength(2);
    expect(await secrets.get(r.connection.id, 'access-token')).toBeNull();
    expect(await secrets.get(r.connection.id, 'app-secret')).toBeNull();
  });
});

describe('the offline sandbox connection', () => {
  it('connects with the seeded app and token and both sandbox ad accounts', async () => {
    const r = await service.connectSandbox(sim.url);
    expect(r.connection).toMatchObject({ id: SANDBOX_CONNECTION_ID, kind: 'sandbox', label: 'Offline sandbox', apiBase: sim.url, appId: sim.appId });
    expect(r.connection.advertisers).toHaveLength(SANDBOX_ADVERTISERS.length);
    const client = await service.clientFor(SANDBOX_CONNECTION_ID);
    await expect(client.userInfo()).resolves.toBeDefined();
  });

  it('keeps working with no stored token (a machine without a keychain): the seed token is public', async () => {
    await service.connectSandbox(sim.url);
    const afterRestart = new ConnectionService({ repo: store.connections, secrets: new MemorySecretStore(), env: {}, clientOptions });
    expect((await afterRestart.healthCheck(SANDBOX_CONNECTION_ID)).ok).toBe(true);
  });

  it('is disconnected without revoking the shared seed token', async () => {
    await service.connectSandbox(sim.url);
    const d = await service.disconnect(SANDBOX_CONNECTION_ID);
    expect(d.revoked).toBe(false);
    expect(sim.requests('oauth2/revoke_token')).toHaveLength(0);
    await expect(service.connectSandbox(sim.url)).resolves.toBeDefined();
  });
});

describe('health check', () => {
  it('passes for a working token and records when it was checked', async () => {
    const { connection } = await service.connectWithToken({ apiBase: sim.url, token: sim.issueToken(), appId: sim.appId, appSecret: sim.appSecret });
    const h = await service.healthCheck(connection.id);
    expect(h).toMatchObject({ ok: true, status: 'ok' });
    expect(store.connections.get(connection.id)!.lastCheckedAt).not.toBeNull();
  });

  it('marks the connection needs_reconnect after TikTok revokes the token (40105), with a plain message', async () => {
    const token = sim.issueToken();
    const { connection } = await service.connectWithToken({ apiBase: sim.url, token, appId: sim.appId, appSecret: sim.appSecret });
    sim.revokeToken(token);
    const h = await service.healthCheck(connection.id);
    expect(h.ok).toBe(false);
    expect(h.status).toBe('needs_reconnect');
    expect(h.message).toMatch(/no longer accepts .*40105.*Sign in again/);
    const saved = store.connections.get(connection.id)!;
    expect(saved.status).toBe('needs_reconnect');
    expect(saved.statusMessage).toBe(h.message);
    expect(h.message).not.toContain(token);
  });

  it('marks needs_reconnect for an expired token (40102), and a re-connect clears it', async () => {
    const token = sim.issueToken();
    const { connection } = await service.connectWithToken({ apiBase: sim.url, token, appId: sim.appId, appSecret: sim.appSecret });
    sim.expireToken(token);
    expect((await service.healthCheck(connection.id)).status).toBe('needs_reconnect');
    await service.connectWithToken({ apiBase: sim.url, token: sim.issueToken(), appId: sim.appId, appSecret: sim.appSecret });
    expect(store.connections.get(connection.id)!.status).toBe('ok');
    expect((await service.healthCheck(connection.id)).ok).toBe(true);
  });

  it('marks needs_reconnect when the token is not on this machine (memory-only store after a restart)', async () => {
    const { connection } = await service.connectWithToken({ apiBase: sim.url, token: sim.issueToken(), appId: sim.appId, appSecret: sim.appSecret });
    const afterRestart = new ConnectionService({ repo: store.connections, secrets: new MemorySecretStore(), env: {}, clientOptions });
    const h = await afterRestart.healthCheck(connection.id);
    expect(h.status).toBe('needs_reconnect');
    expect(h.message).toMatch(/not on this machine.*kept in memory only/);
    expect((await failure(afterRestart.clientFor(connection.id))).code).toBe('AUTH_MISSING');
  });

  it('does not blame the token when TikTok cannot be reached', async () => {
    const { connection } = await service.connectWithToken({ apiBase: sim.url, token: sim.issueToken(), appId: sim.appId, appSecret: sim.appSecret });
    sim.faults.add({ kind: 'http5xx', endpoint: 'user/info' });
    const h = await service.healthCheck(connection.id);
    expect(h).toMatchObject({ ok: false, status: 'ok' });
    expect(h.message).toMatch(/Could not check/);
    expect(store.connections.get(connection.id)!.status).toBe('ok');
  });

  it('uses TIKTOK_ACCESS_TOKEN instead of the stored token when it is set', async () => {
    const stored = sim.issueToken();
    const { connection } = await service.connectWithToken({ apiBase: sim.url, token: stored, appId: sim.appId, appSecret: sim.appSecret });
    sim.revokeToken(stored);
    const withEnv = new ConnectionService({ repo: store.connections, secrets, env: { TIKTOK_ACCESS_TOKEN: sim.issueToken() }, clientOptions });
    expect((await withEnv.healthCheck(connection.id)).ok).toBe(true);
    expect((await service.healthCheck(connection.id)).ok).toBe(false);
  });
});

describe('TIKTOK_ACCESS_TOKEN and plain-http bases', () => {
  // Shaped like a real TikTok token (40 hex digits): it must never travel in clear text to a local port.
  const PROD_TOKEN = 'ab12'.repeat(10);

  it('never replaces the offline sandbox token: the sandbox keeps working with its own', async () => {
    await service.connectSandbox(sim.url);
    const withEnv = new ConnectionService({ repo: store.connections, secrets, env: { TIKTOK_ACCESS_TOKEN: PROD_TOKEN }, clientOptions });
    await expect((await withEnv.clientFor(SANDBOX_CONNECTION_ID)).userInfo()).resolves.toBeDefined();
    expect((await withEnv.healthCheck(SANDBOX_CONNECTION_ID)).ok).toBe(true);
  });

  it('refuses to send a token that is not the sandbox\'s own to a plain-http base, before any call', async () => {
    const { connection } = await service.connectWithToken({ apiBase: sim.url, token: sim.issueToken([ADV1]), advertiserIds: [ADV1] });
    const withEnv = new ConnectionService({ repo: store.connections, secrets, env: { TIKTOK_ACCESS_TOKEN: PROD_TOKEN, TIKTOK_API_BASE: sim.url }, clientOptions });
    const calls = sim.requests().length;
    const refused = await failure(withEnv.clientFor(connection.id));
    expect(refused.code).toBe('INVALID_ARGUMENT');
    expect(refused.message).toMatch(/was not sent to http:\/\/127\.0\.0\.1:\d+: that address is plain http:\/\/.*Set TIKTOK_API_BASE to TikTok's https:\/\/ address/);
    expect(refused.message).not.toContain(PROD_TOKEN);
    expect((await failure(withEnv.clientForAdvertiser(ADV2))).code).toBe('INVALID_ARGUMENT');
    const report = await withEnv.checkEnvToken();
    expect(report).toMatchObject({ ok: false, apiBase: sim.url });
    expect(report!.message).toMatch(/plain http/);
    // `login` with TIKTOK_ACCESS_TOKEN set checks it the same way.
    expect((await failure(withEnv.connectWithToken({ apiBase: sim.url, token: PROD_TOKEN, storeSecrets: false }))).code).toBe('INVALID_ARGUMENT');
    expect(sim.requests().length).toBe(calls);
  });

  it('lets the sandbox\'s own tokens (seeded or issued) go to it over plain http', async () => {
    const seeded = new ConnectionService({ repo: store.connections, secrets, env: { TIKTOK_ACCESS_TOKEN: sim.accessToken, TIKTOK_API_BASE: sim.url }, clientOptions });
    expect((await seeded.checkEnvToken())!.ok).toBe(true);
    const issued = new ConnectionService({ repo: store.connections, secrets, env: { TIKTOK_ACCESS_TOKEN: sim.issueToken(), TIKTOK_API_BASE: sim.url }, clientOptions });
    await expect((await issued.clientForAdvertiser(ADV2)).userInfo()).resolves.toBeDefined();
  });
});

describe('disconnect', () => {
  it('revokes the token at TikTok, deletes the secrets, removes the connection and keeps the audiences', async () => {
    const token = sim.issueToken();
    const { connection } = await service.connectWithToken({ apiBase: sim.url, token, appId: sim.appId, appSecret: sim.appSecret });
    const audience = store.audiences.create({ connectionId: connection.id, advertiserId: ADV1, name: 'Buyers', keys: [{ key: 'email', column: 'email' }], calculateType: 'EMAIL_SHA256', sourcePath: null, profile: DEFAULT_PROFILE });
    const d = await service.disconnect(connection.id);
    expect(d).toMatchObject({ id: connection.id, revoked: true, message: 'TikTok revoked the token.' });
    expect(sim.requests('oauth2/revoke_token')).toHaveLength(1);
    expect((await failure(service.connectWithToken({ apiBase: sim.url, token }))).message).toMatch(/40105/);
    expect(await secrets.get(connection.id, 'access-token')).toBeNull();
    expect(await secrets.get(connection.id, 'app-secret')).toBeNull();
    expect(service.listConnections()).toEqual([]);
    expect(store.audiences.get(audience.id)?.connectionId).toBe(connection.id);
  });

  it('still removes everything locally when the revoke fails, and says so', async () => {
    const token = sim.issueToken();
    const { connection } = await service.connectWithToken({ apiBase: sim.url, token, appId: sim.appId, appSecret: sim.appSecret });
    sim.faults.add({ kind: 'http5xx', endpoint: 'oauth2/revoke_token' });
    const d = await service.disconnect(connection.id);
    expect(d.revoked).toBe(false);
    expect(d.message).toMatch(/Revoking the token at TikTok failed .*removed from this machine anyway/);
    expect(await secrets.get(connection.id, 'access-token')).toBeNull();
    expect(service.listConnections()).toEqual([]);
  });

  it('without the app secret, cannot revoke and says how to cut access', async () => {
    const { connection } = await service.connectWithToken({ apiBase: sim.url, token: sim.issueToken([ADV1]), advertiserIds: [ADV1] });
    const d = await service.disconnect(connection.id);
    expect(d.revoked).toBe(false);
    expect(d.message).toMatch(/cancel the authorization in TikTok for Business/);
    expect(service.listConnections()).toEqual([]);
  });

  it('refuses an unknown connection id', async () => {
    expect((await failure(service.disconnect('tt-nope'))).code).toBe('INVALID_ARGUMENT');
  });
});

describe('clients per connection', () => {
  it('finds the connection that reaches an ad account, else falls back to TIKTOK_ACCESS_TOKEN, else AUTH_MISSING', async () => {
    await service.connectWithToken({ apiBase: sim.url, token: sim.issueToken([ADV1]), advertiserIds: [ADV1] });
    await expect((await service.clientForAdvertiser(ADV1)).userInfo()).resolves.toBeDefined();
    const missing = await failure(service.clientForAdvertiser(ADV2));
    expect(missing.code).toBe('AUTH_MISSING');
    // The advice fits the app too, not only the command line.
    expect(missing.message).toMatch(/Connections in the app, or "cohort-relay login" on the command line/);
    const env = new ConnectionService({ repo: store.connections, secrets, env: { TIKTOK_ACCESS_TOKEN: sim.accessToken, TIKTOK_API_BASE: sim.url }, clientOptions });
    const client = await env.clientForAdvertiser(ADV2);
    expect(client.base).toBe(sim.url);
    await expect(client.userInfo()).resolves.toBeDefined();
  });

  it('refreshes the ad-account list from TikTok', async () => {
    const { connection } = await service.connectWithToken({ apiBase: sim.url, token: sim.issueToken(), appId: sim.appId, appSecret: sim.appSecret });
    store.connections.setAdvertisers(connection.id, []);
    const list = await service.refreshAdvertisers(connection.id);
    expect(list).toHaveLength(2);
    expect(store.connections.get(connection.id)!.advertisers).toHaveLength(2);
  });
});

describeWithKeychain(keychain, 'connections with the real keychain', () => {
  let kc: SecretStore;
  beforeEach(async () => {
    kc = (await openSecretStore({ env: {}, service: testKeychainService() })).store;
  });

  it('a pasted token lands in the keychain, survives a new service instance, and disconnect deletes it there', async () => {
    const token = sim.issueToken();
    const first = new ConnectionService({ repo: store.connections, secrets: kc, env: {}, clientOptions });
    const r = await first.connectWithToken({ apiBase: sim.url, token, appId: sim.appId, appSecret: sim.appSecret });
    expect(r.tokenStorage).toBe('keychain');
    expect(r.warnings).toEqual([]);
    const second = new ConnectionService({ repo: store.connections, secrets: kc, env: {}, clientOptions });
    expect((await second.healthCheck(r.connection.id)).ok).toBe(true);
    const d = await second.disconnect(r.connection.id);
    expect(d.revoked).toBe(true);
    expect(await kc.get(r.connection.id, 'access-token')).toBeNull();
    expect(await kc.get(r.connection.id, 'app-secret')).toBeNull();
  });
});
