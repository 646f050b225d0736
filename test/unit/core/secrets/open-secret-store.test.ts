import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../shared/errors';
import { KeytarSecretStore, openSecretStore, type KeytarApi } from '../../../../electron/core/secrets';

/** An in-process stand-in for keytar's three calls; `fail` makes every call reject like a locked keychain. */
function fakeKeytar(fail?: string, hang = false): KeytarApi & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  const guard = () => {
    if (hang) return new Promise<never>(() => {});
    if (fail) return Promise.reject(new Error(fail));
    return null;
  };
  return {
    entries,
    getPassword: async (s, a) => (await guard(), entries.get(`${s}|${a}`) ?? null),
    setPassword: async (s, a, p) => void (await guard(), entries.set(`${s}|${a}`, p)),
    deletePassword: async (s, a) => (await guard(), entries.delete(`${s}|${a}`)),
  };
}

describe('openSecretStore', () => {
  it('uses the keychain after a successful probe, and leaves no probe entry behind', async () => {
    const k = fakeKeytar();
    const warnings: string[] = [];
    const opened = await openSecretStore({ env: {}, loadKeytar: async () => k, logger: { warn: (m) => warnings.push(m) } });
    expect(opened.persistent).toBe(true);
    expect(opened.reason).toBeNull();
    expect(opened.store.kind).toBe('keychain');
    expect(k.entries.size).toBe(0);
    expect(warnings).toEqual([]);
  });

  it('falls back to memory with a plain warning when keytar cannot be loaded', async () => {
    const warnings: string[] = [];
    const opened = await openSecretStore({
      env: {},
      platform: 'linux',
      loadKeytar: async () => {
        throw new Error('Cannot find module keytar.node');
      },
      logger: { warn: (m) => warnings.push(m) },
    });
    expect(opened.persistent).toBe(false);
    expect(opened.store.kind).toBe('memory');
    expect(opened.reason).toMatch(/in memory only until the app quits/);
    expect(opened.reason).toMatch(/Cannot find module keytar\.node/);
    expect(opened.reason).toMatch(/gnome-keyring/);
    expect(opened.reason).toMatch(/TIKTOK_ACCESS_TOKEN/);
    expect(warnings).toEqual([opened.reason]);
  });

  it('falls back to memory when the keychain refuses the probe (no D-Bus, locked)', async () => {
    const opened = await openSecretStore({ env: {}, platform: 'linux', loadKeytar: async () => fakeKeytar('Cannot autolaunch D-Bus without X11 $DISPLAY') });
    expect(opened.persistent).toBe(false);
    expect(opened.reason).toMatch(/did not answer: Cannot autolaunch D-Bus/);
    await opened.store.set('tt-1', 'access-token', 'tok');
    expect(await opened.store.get('tt-1', 'access-token')).toBe('tok');
  });

  it('falls back to memory when the keychain hangs on the probe (an unlock prompt nobody answers)', async () => {
    const opened = await openSecretStore({ env: {}, loadKeytar: async () => fakeKeytar(undefined, true), probeTimeoutMs: 1 });
    expect(opened.persistent).toBe(false);
    expect(opened.reason).toMatch(/is it locked/);
  });

  it('does not touch the keychain when COHORT_RELAY_KEYCHAIN=off', async () => {
    let loaded = false;
    const opened = await openSecretStore({
      env: { COHORT_RELAY_KEYCHAIN: 'off' },
      loadKeytar: async () => {
        loaded = true;
        return fakeKeytar();
      },
    });
    expect(loaded).toBe(false);
    expect(opened.persistent).toBe(false);
    expect(opened.reason).toMatch(/COHORT_RELAY_KEYCHAIN/);
  });

  it('names the fix for each OS', async () => {
    const fail = async () => {
      throw new Error('x');
    };
    const mac = await openSecretStore({ env: {}, platform: 'darwin', loadKeytar: fail });
    const win = await openSecretStore({ env: {}, platform: 'win32', loadKeytar: fail });
    expect(mac.reason).toMatch(/login keychain/);
    expect(win.reason).toMatch(/Credential Manager/);
  });
});

describe('KeytarSecretStore', () => {
  it('files each secret under the service as <connection id>/<secret name>', async () => {
    const k = fakeKeytar();
    const s = new KeytarSecretStore(k, 'Svc');
    await s.set('tt-9', 'app-secret', 'sec');
    expect([...k.entries.keys()]).toEqual(['Svc|tt-9/app-secret']);
    expect(await s.get('tt-9', 'app-secret')).toBe('sec');
    expect(await s.delete('tt-9', 'app-secret')).toBe(true);
    expect(await s.get('tt-9', 'app-secret')).toBeNull();
  });

  it('turns a keychain failure into KEYCHAIN_UNAVAILABLE without echoing the secret', async () => {
    const s = new KeytarSecretStore(fakeKeytar('Cannot create an item in a locked collection'));
    const err = await s.set('tt-9', 'access-token', 'SECRET-VALUE-123').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('KEYCHAIN_UNAVAILABLE');
    expect((err as AppError).message).toMatch(/locked collection/);
    expect((err as AppError).message).not.toContain('SECRET-VALUE-123');
  });

  it('refuses to store an empty secret', async () => {
    await expect(new KeytarSecretStore(fakeKeytar()).set('tt-9', 'access-token', '')).rejects.toThrow(/empty/);
  });
});

describe('openSecretStore service name', () => {
  it('files entries under COHORT_RELAY_KEYCHAIN_SERVICE when set', async () => {
    const k = fakeKeytar();
    const opened = await openSecretStore({ env: { COHORT_RELAY_KEYCHAIN_SERVICE: 'Other' }, loadKeytar: async () => k });
    await opened.store.set('tt-1', 'access-token', 'tok');
    expect([...k.entries.keys()]).toEqual(['Other|tt-1/access-token']);
  });
});
