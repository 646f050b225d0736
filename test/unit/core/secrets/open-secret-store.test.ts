import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../shared/errors';
import {
  KeychainSecretStore,
  keytarBackend,
  memoryLocations,
  napiKeyringBackend,
  openSecretStore,
  RoutedSecretStore,
  type BindingLoader,
  type KeychainAdapter,
  type KeychainBackend,
  type NapiKeyringApi,
} from '../../../../electron/core/secrets';

/** An in-process stand-in for a binding's three calls; `fail` makes every call reject like a locked keychain. */
function fakeBackend(adapter: KeychainAdapter, fail?: string, hang = false): KeychainBackend & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  const guard = () => {
    if (hang) return new Promise<never>(() => {});
    if (fail) return Promise.reject(new Error(fail));
    return null;
  };
  return {
    adapter,
    entries,
    getPassword: async (s, a) => (await guard(), entries.get(`${s}|${a}`) ?? null),
    setPassword: async (s, a, p) => void (await guard(), entries.set(`${s}|${a}`, p)),
    deletePassword: async (s, a) => (await guard(), entries.delete(`${s}|${a}`)),
  };
}

const notBuilt: BindingLoader = async () => {
  throw new Error("Cannot find module '../build/Release/keytar.node'");
};
const noNapi: BindingLoader = async () => {
  throw new Error('Cannot find module @napi-rs/keyring-linux-x64-gnu');
};

describe('openSecretStore', () => {
  it('uses keytar first after a successful probe, and leaves no probe entry behind', async () => {
    const k = fakeBackend('keytar');
    const n = fakeBackend('napi-keyring');
    const warnings: string[] = [];
    const opened = await openSecretStore({ env: {}, loaders: { keytar: async () => k, 'napi-keyring': async () => n }, logger: { warn: (m) => warnings.push(m) } });
    expect(opened.persistent).toBe(true);
    expect(opened.reason).toBeNull();
    expect(opened.store.kind).toBe('keychain');
    expect(opened.adapters).toEqual(['keytar', 'napi-keyring']);
    await opened.store.set('tt-1', 'access-token', 'tok');
    expect([...k.entries.keys()]).toEqual(['Cohort Relay|tt-1/access-token']);
    expect(n.entries.size).toBe(0);
    expect(warnings).toEqual([]);
  });

  it('uses @napi-rs/keyring when keytar did not build, and says nothing alarming', async () => {
    const n = fakeBackend('napi-keyring');
    const warnings: string[] = [];
    const opened = await openSecretStore({ env: {}, loaders: { keytar: notBuilt, 'napi-keyring': async () => n }, logger: { warn: (m) => warnings.push(m) } });
    expect(opened.persistent).toBe(true);
    expect(opened.adapters).toEqual(['napi-keyring']);
    expect(opened.unavailable).toEqual([{ adapter: 'keytar', why: expect.stringMatching(/keytar\.node/) }]);
    await opened.store.set('tt-1', 'access-token', 'tok');
    expect(await opened.store.get('tt-1', 'access-token')).toBe('tok');
    expect([...n.entries.keys()]).toEqual(['Cohort Relay|tt-1/access-token']);
    expect(warnings).toEqual([]);
  });

  it('COHORT_RELAY_KEYTAR=off makes the real keytar loader fail the way an unbuilt keytar does', async () => {
    const n = fakeBackend('napi-keyring');
    const opened = await openSecretStore({ env: { COHORT_RELAY_KEYTAR: 'off' }, loaders: { 'napi-keyring': async () => n } });
    expect(opened.adapters).toEqual(['napi-keyring']);
    expect(opened.unavailable[0]).toEqual({ adapter: 'keytar', why: expect.stringMatching(/COHORT_RELAY_KEYTAR/) });
  });

  it('falls back to memory with a plain warning when no binding can be loaded', async () => {
    const warnings: string[] = [];
    const opened = await openSecretStore({ env: {}, platform: 'linux', loaders: { keytar: notBuilt, 'napi-keyring': noNapi }, logger: { warn: (m) => warnings.push(m) } });
    expect(opened.persistent).toBe(false);
    expect(opened.store.kind).toBe('memory');
    expect(opened.adapters).toEqual([]);
    expect(opened.reason).toMatch(/in memory only until the app quits/);
    expect(opened.reason).toMatch(/keytar\.node/);
    expect(opened.reason).toMatch(/gnome-keyring/);
    expect(opened.reason).toMatch(/TIKTOK_ACCESS_TOKEN/);
    expect(warnings).toEqual([opened.reason]);
  });

  it('falls back to memory when the keychain refuses the probe (no D-Bus, locked), naming the keychain\'s answer', async () => {
    const opened = await openSecretStore({
      env: {},
      platform: 'linux',
      loaders: { keytar: notBuilt, 'napi-keyring': async () => fakeBackend('napi-keyring', 'Cannot autolaunch D-Bus without X11 $DISPLAY') },
    });
    expect(opened.persistent).toBe(false);
    expect(opened.reason).toMatch(/did not answer: Could not save a secret in the system keychain \(Cannot autolaunch D-Bus/);
    await opened.store.set('tt-1', 'access-token', 'tok');
    expect(await opened.store.get('tt-1', 'access-token')).toBe('tok');
  });

  it('falls back to memory when the keychain hangs on the probe (an unlock prompt nobody answers), waiting once', async () => {
    const started = Date.now();
    const hang = async () => fakeBackend('keytar', undefined, true);
    const opened = await openSecretStore({ env: {}, loaders: { keytar: hang, 'napi-keyring': async () => fakeBackend('napi-keyring', undefined, true) }, probeTimeoutMs: 200 });
    expect(opened.persistent).toBe(false);
    expect(opened.reason).toMatch(/is it locked/);
    expect(Date.now() - started).toBeLessThan(390);
  });

  it('does not touch the keychain when COHORT_RELAY_KEYCHAIN=off', async () => {
    let loaded = false;
    const loader = async () => {
      loaded = true;
      return fakeBackend('keytar');
    };
    const opened = await openSecretStore({ env: { COHORT_RELAY_KEYCHAIN: 'off' }, loaders: { keytar: loader, 'napi-keyring': loader } });
    expect(loaded).toBe(false);
    expect(opened.persistent).toBe(false);
    expect(opened.reason).toMatch(/COHORT_RELAY_KEYCHAIN/);
  });

  it('names the fix for each OS', async () => {
    const loaders = { keytar: notBuilt, 'napi-keyring': noNapi };
    const mac = await openSecretStore({ env: {}, platform: 'darwin', loaders });
    const win = await openSecretStore({ env: {}, platform: 'win32', loaders });
    expect(mac.reason).toMatch(/login keychain/);
    expect(win.reason).toMatch(/Credential Manager/);
  });

  it('files entries under COHORT_RELAY_KEYCHAIN_SERVICE when set', async () => {
    const k = fakeBackend('keytar');
    const opened = await openSecretStore({ env: { COHORT_RELAY_KEYCHAIN_SERVICE: 'Other' }, loaders: { keytar: async () => k, 'napi-keyring': noNapi } });
    await opened.store.set('tt-1', 'access-token', 'tok');
    expect([...k.entries.keys()]).toEqual(['Other|tt-1/access-token']);
  });
});

describe('RoutedSecretStore: a secret is read back through the binding that saved it', () => {
  const stores = (k: KeychainBackend, n: KeychainBackend) => [new KeychainSecretStore(k, 'S'), new KeychainSecretStore(n, 'S')];

  it('records the binding that saved each connection and reads through it after a "restart"', async () => {
    const k = fakeBackend('keytar');
    const n = fakeBackend('napi-keyring');
    const locations = memoryLocations();
    // First start: keytar did not load, so the token goes to @napi-rs/keyring.
    const first = new RoutedSecretStore([new KeychainSecretStore(n, 'S')], locations, new Map([['keytar', 'not built']]));
    await first.set('tt-1', 'access-token', 'tok-1');
    expect(locations.get('tt-1')).toBe('napi-keyring');
    // Next start: keytar loads too and is preferred, yet tt-1 is still read (and re-saved) through napi.
    const second = new RoutedSecretStore(stores(k, n), locations);
    expect(await second.get('tt-1', 'access-token')).toBe('tok-1');
    await second.set('tt-1', 'access-token', 'tok-1b');
    expect(k.entries.size).toBe(0);
    expect(n.entries.get('S|tt-1/access-token')).toBe('tok-1b');
    // A new connection goes to the preferred binding.
    await second.set('tt-2', 'access-token', 'tok-2');
    expect(locations.get('tt-2')).toBe('keytar');
  });

  it('says which binding holds the token when that binding did not load this time', async () => {
    const n = fakeBackend('napi-keyring');
    const locations = memoryLocations();
    locations.set('tt-1', 'keytar');
    const s = new RoutedSecretStore([new KeychainSecretStore(n, 'S')], locations, new Map([['keytar', 'could not be loaded: keytar.node missing']]));
    const err = await s.get('tt-1', 'access-token').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('KEYCHAIN_UNAVAILABLE');
    expect((err as AppError).message).toMatch(/saved in the system keychain through keytar.*keytar\.node missing.*sign in again/);
  });

  it('finds a secret saved before locations were recorded in any binding, and records it', async () => {
    const k = fakeBackend('keytar');
    const n = fakeBackend('napi-keyring');
    n.entries.set('S|tt-old/access-token', 'legacy');
    const locations = memoryLocations();
    const s = new RoutedSecretStore(stores(k, n), locations);
    expect(await s.get('tt-old', 'access-token')).toBe('legacy');
    expect(locations.get('tt-old')).toBe('napi-keyring');
    expect(await s.get('tt-none', 'access-token')).toBeNull();
    expect(locations.get('tt-none')).toBeNull();
  });

  it('forgets the location once the connection has no secret left', async () => {
    const k = fakeBackend('keytar');
    const n = fakeBackend('napi-keyring');
    const locations = memoryLocations();
    const s = new RoutedSecretStore(stores(k, n), locations);
    await s.set('tt-1', 'access-token', 'a');
    await s.set('tt-1', 'app-secret', 'b');
    expect(await s.delete('tt-1', 'access-token')).toBe(true);
    expect(locations.get('tt-1')).toBe('keytar');
    expect(await s.delete('tt-1', 'app-secret')).toBe(true);
    expect(locations.get('tt-1')).toBeNull();
    expect(await s.delete('tt-1', 'app-secret')).toBe(false);
  });
});

describe('KeychainSecretStore', () => {
  it('files each secret under the service as <connection id>/<secret name>', async () => {
    const k = fakeBackend('keytar');
    const s = new KeychainSecretStore(k, 'Svc');
    await s.set('tt-9', 'app-secret', 'sec');
    expect([...k.entries.keys()]).toEqual(['Svc|tt-9/app-secret']);
    expect(await s.get('tt-9', 'app-secret')).toBe('sec');
    expect(await s.delete('tt-9', 'app-secret')).toBe(true);
    expect(await s.get('tt-9', 'app-secret')).toBeNull();
  });

  it('turns a keychain failure into KEYCHAIN_UNAVAILABLE without echoing the secret', async () => {
    const s = new KeychainSecretStore(fakeBackend('keytar', 'Cannot create an item in a locked collection'));
    const err = await s.set('tt-9', 'access-token', 'SECRET-VALUE-123').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('KEYCHAIN_UNAVAILABLE');
    expect((err as AppError).message).toMatch(/locked collection/);
    expect((err as AppError).message).not.toContain('SECRET-VALUE-123');
  });

  it('refuses to store an empty secret', async () => {
    await expect(new KeychainSecretStore(fakeBackend('keytar')).set('tt-9', 'access-token', '')).rejects.toThrow(/empty/);
  });
});

describe('bindings', () => {
  it('keytarBackend passes service and account straight through', async () => {
    const calls: string[] = [];
    const b = keytarBackend({
      getPassword: async (s, a) => (calls.push(`get ${s} ${a}`), 'v'),
      setPassword: async (s, a, p) => void calls.push(`set ${s} ${a} ${p}`),
      deletePassword: async (s, a) => (calls.push(`del ${s} ${a}`), true),
    });
    await b.setPassword('S', 'A', 'P');
    expect(await b.getPassword('S', 'A')).toBe('v');
    expect(await b.deletePassword('S', 'A')).toBe(true);
    expect(calls).toEqual(['set S A P', 'get S A', 'del S A']);
  });

  it('napiKeyringBackend pins Linux entries to the Secret Service (never the kernel keyring, which forgets at reboot)', async () => {
    const made: unknown[] = [];
    const api: NapiKeyringApi = {
      AsyncEntry: class {
        constructor(service: string, user: string, options?: unknown) {
          made.push([service, user, options]);
        }
        async getPassword() {
          return null;
        }
        async setPassword() {}
        async deletePassword() {
          return false;
        }
      },
    };
    await napiKeyringBackend(api, 'linux').setPassword('S', 'A', 'P');
    await napiKeyringBackend(api, 'darwin').getPassword('S', 'A');
    expect(made).toEqual([
      ['S', 'A', { linux: { store: 'secret-service' } }],
      ['S', 'A', undefined],
    ]);
  });
});
