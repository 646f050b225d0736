import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openSecretStore, type KeychainAdapter, type OpenedSecretStore } from '../../../electron/core/secrets';
import { describeWithKeychain, KEYCHAIN_REQUIRED, probeKeychain, testKeychainService } from '../../helpers/keyring';

const keychain = await probeKeychain();
const repo = path.resolve(import.meta.dirname, '../../..');
const tsx = path.join(repo, 'node_modules/.bin/tsx');
const run = promisify(execFile);

/** Env that leaves only one binding loadable, the way a machine without it behaves. */
const only = (adapter: KeychainAdapter): NodeJS.ProcessEnv =>
  adapter === 'keytar' ? { COHORT_RELAY_NAPI_KEYRING: 'off' } : { COHORT_RELAY_KEYTAR: 'off' };

async function roundTrip(opened: OpenedSecretStore): Promise<void> {
  const s = opened.store;
  await s.set('tt-a', 'access-token', 'token-a');
  await s.set('tt-a', 'app-secret', 'secret-a');
  await s.set('tt-b', 'access-token', 'token-b');
  expect(await s.get('tt-a', 'access-token')).toBe('token-a');
  expect(await s.get('tt-a', 'app-secret')).toBe('secret-a');
  expect(await s.get('tt-b', 'access-token')).toBe('token-b');
  await s.set('tt-a', 'access-token', 'token-a2');
  expect(await s.get('tt-a', 'access-token')).toBe('token-a2');
  expect(await s.delete('tt-a', 'access-token')).toBe(true);
  expect(await s.get('tt-a', 'access-token')).toBeNull();
  expect(await s.delete('tt-a', 'access-token')).toBe(false);
  await s.delete('tt-a', 'app-secret');
  await s.delete('tt-b', 'access-token');
}

/**
 * A separate process (what an app restart is) that opens the real store in `home` and the keychain the way
 * every host does (openConnectionService), then saves or reads one connection's token.
 */
async function inProcess(home: string, service: string, env: NodeJS.ProcessEnv, action: 'save' | 'read'): Promise<{ adapters: string[]; location: string | null; value: string | null }> {
  const script = `(async () => {
    const { Store } = await import(${JSON.stringify(path.join(repo, 'electron/core/store/index.ts'))});
    const { openConnectionService } = await import(${JSON.stringify(path.join(repo, 'electron/core/tiktok/connections.ts'))});
    const store = Store.open(${JSON.stringify(home)});
    const { keychain } = await openConnectionService({ repo: store.connections, env: process.env, keychainService: ${JSON.stringify(service)} });
    if (${JSON.stringify(action)} === 'save') await keychain.store.set('tt-restart', 'access-token', 'kept-across-restarts');
    const value = await keychain.store.get('tt-restart', 'access-token');
    console.log(JSON.stringify({ adapters: keychain.adapters, location: store.connections.secretAdapter('tt-restart'), value }));
    store.close();
  })();`;
  const { stdout } = await run(tsx, ['--eval', script], { env: { ...process.env, ...env }, cwd: repo, timeout: 30_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as { adapters: string[]; location: string | null; value: string | null };
}

describeWithKeychain(keychain, 'the real OS keychain (gnome-keyring over D-Bus)', () => {
  const keytarProbe = openSecretStore({ env: only('keytar'), service: testKeychainService(), probeTimeoutMs: 5_000 });

  it('@napi-rs/keyring round-trips secrets per connection and name (what a machine where keytar did not build uses)', async () => {
    const opened = await openSecretStore({ env: only('napi-keyring'), service: testKeychainService() });
    expect(opened.persistent).toBe(true);
    expect(opened.adapters).toEqual(['napi-keyring']);
    expect(opened.unavailable).toEqual([{ adapter: 'keytar', why: expect.stringMatching(/COHORT_RELAY_KEYTAR/) }]);
    await roundTrip(opened);
  });

  it('keytar round-trips secrets per connection and name', async (ctx) => {
    const opened = await keytarProbe;
    if (!opened.persistent) {
      // keytar is optional: without libsecret headers npm skips it. CI installs them, so there it must work.
      if (KEYCHAIN_REQUIRED) throw new Error(`keytar did not load: ${opened.reason}`);
      ctx.skip();
    }
    expect(opened.adapters).toEqual(['keytar']);
    await roundTrip(opened);
  });

  it('prefers keytar when both load and keeps @napi-rs/keyring beside it', async (ctx) => {
    if (!(await keytarProbe).persistent) return ctx.skip();
    const opened = await openSecretStore({ env: {}, service: testKeychainService() });
    expect(opened.adapters).toEqual(['keytar', 'napi-keyring']);
  });

  it('a token saved through @napi-rs/keyring is found again after a restart in which keytar loads too', async (ctx) => {
    if (!(await keytarProbe).persistent && KEYCHAIN_REQUIRED) throw new Error('keytar must load in CI');
    const home = mkdtempSync(path.join(os.tmpdir(), 'cr-keychain-'));
    const service = testKeychainService();
    const saved = await inProcess(home, service, only('napi-keyring'), 'save');
    expect(saved).toEqual({ adapters: ['napi-keyring'], location: 'napi-keyring', value: 'kept-across-restarts' });
    if (!(await keytarProbe).persistent) return ctx.skip();
    const restarted = await inProcess(home, service, {}, 'read');
    expect(restarted).toEqual({ adapters: ['keytar', 'napi-keyring'], location: 'napi-keyring', value: 'kept-across-restarts' });
  });

  it('a token saved through keytar is found again after a restart, and a start without keytar says where it is', async (ctx) => {
    if (!(await keytarProbe).persistent) return ctx.skip();
    const home = mkdtempSync(path.join(os.tmpdir(), 'cr-keychain-'));
    const service = testKeychainService();
    expect(await inProcess(home, service, {}, 'save')).toMatchObject({ location: 'keytar', value: 'kept-across-restarts' });
    expect(await inProcess(home, service, {}, 'read')).toMatchObject({ location: 'keytar', value: 'kept-across-restarts' });
    const withoutKeytar = await inProcess(home, service, only('napi-keyring'), 'read').catch((e: { stderr?: string }) => e);
    expect(String((withoutKeytar as { stderr?: string }).stderr)).toMatch(/saved in the system keychain through keytar, which could not be loaded this time/);
  });
});

describe('no keychain in the environment', () => {
  it.runIf(process.platform === 'linux')('a process with no D-Bus session and no display keeps secrets in memory and says so', async () => {
    // Real bindings in a real process that cannot reach any Secret Service: the fallback users get.
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
    const script = `(async () => {
      const { openSecretStore } = await import(${JSON.stringify(path.join(repo, 'electron/core/secrets/index.ts'))});
      const o = await openSecretStore({ env: {}, service: 'Cohort Relay fallback test', probeTimeoutMs: 5000 });
      console.log(JSON.stringify({ persistent: o.persistent, kind: o.store.kind, reason: o.reason }));
    })();`;
    const { stdout } = await run(tsx, ['--eval', script], { env, cwd: repo, timeout: 20_000 });
    const out = JSON.parse(stdout.trim().split('\n').pop()!) as { persistent: boolean; kind: string; reason: string };
    expect(out.persistent).toBe(false);
    expect(out.kind).toBe('memory');
    expect(out.reason).toMatch(/kept in memory only until the app quits/);
    expect(out.reason).toMatch(/Secret Service/);
  });
});
