import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { KeytarSecretStore, openSecretStore } from '../../../electron/core/secrets';
import { describeWithKeychain, probeKeychain, testKeychainService } from '../../helpers/keyring';

const keychain = await probeKeychain();
const repo = path.resolve(import.meta.dirname, '../../..');

describeWithKeychain(keychain, 'the real OS keychain (gnome-keyring over D-Bus)', () => {
  it('opens as persistent and round-trips a secret per connection and name', async () => {
    const service = testKeychainService();
    const opened = await openSecretStore({ env: {}, service });
    expect(opened.persistent).toBe(true);
    expect(opened.store).toBeInstanceOf(KeytarSecretStore);
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
  });

  it('keeps secrets across store instances (what survives an app restart)', async () => {
    const service = testKeychainService();
    const first = await openSecretStore({ env: {}, service });
    await first.store.set('tt-x', 'access-token', 'kept');
    const second = await openSecretStore({ env: {}, service });
    expect(await second.store.get('tt-x', 'access-token')).toBe('kept');
    await second.store.delete('tt-x', 'access-token');
  });
});

describe('no keychain in the environment', () => {
  it.runIf(process.platform === 'linux')('a process with no D-Bus session and no display keeps secrets in memory and says so', async () => {
    // A real keytar in a real process that cannot reach any Secret Service: the fallback users get.
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
    const script = `(async () => {
      const { openSecretStore } = await import(${JSON.stringify(path.join(repo, 'electron/core/secrets/index.ts'))});
      const o = await openSecretStore({ env: {}, service: 'Cohort Relay fallback test', probeTimeoutMs: 5000 });
      console.log(JSON.stringify({ persistent: o.persistent, kind: o.store.kind, reason: o.reason }));
    })();`;
    const { stdout } = await promisify(execFile)(path.join(repo, 'node_modules/.bin/tsx'), ['--eval', script], { env, cwd: repo, timeout: 20_000 });
    const out = JSON.parse(stdout.trim().split('\n').pop()!) as { persistent: boolean; kind: string; reason: string };
    expect(out.persistent).toBe(false);
    expect(out.kind).toBe('memory');
    expect(out.reason).toMatch(/kept in memory only until the app quits/);
    expect(out.reason).toMatch(/Secret Service/);
  });
});
