/**
 * A workspace's secrets are filed under a keychain service of its own (#14 §2): a token saved in one workspace is
 * not found from another, even under the same connection id. The Default workspace keeps today's service name.
 */
import { describe, expect, it } from 'vitest';
import { KEYCHAIN_SERVICE, openSecretStore, type KeychainBackend } from '../../../electron/core/secrets';
import { workspaceEnv } from '../../../electron/core/workspaces/registry';
import { describeWithKeychain, probeKeychain, testKeychainService } from '../../helpers/keyring';

/** One keychain shared by every store opened on it, as the OS keychain is: entries keyed by service and account. */
function fakeKeychain(): { entries: Map<string, string>; backend: KeychainBackend } {
  const entries = new Map<string, string>();
  const k = (s: string, a: string) => `${s}\u0000${a}`;
  return {
    entries,
    backend: {
      adapter: 'keytar',
      getPassword: async (s, a) => entries.get(k(s, a)) ?? null,
      setPassword: async (s, a, p) => void entries.set(k(s, a), p),
      deletePassword: async (s, a) => entries.delete(k(s, a)),
    },
  };
}

async function storeFor(env: NodeJS.ProcessEnv, backend?: KeychainBackend) {
  const opened = await openSecretStore({ env: { ...env, COHORT_RELAY_NAPI_KEYRING: 'off' }, ...(backend && { loaders: { keytar: async () => backend } }), probeTimeoutMs: 5_000 });
  expect(opened.persistent).toBe(true);
  return opened.store;
}

async function isolationHolds(base: NodeJS.ProcessEnv, backend?: KeychainBackend): Promise<void> {
  const acme = await storeFor(workspaceEnv(base, 'acme'), backend);
  const globex = await storeFor(workspaceEnv(base, 'globex'), backend);
  const dflt = await storeFor(workspaceEnv(base, 'default'), backend);
  try {
    await acme.set('tt-123', 'access-token', 'acme-token');
    expect(await acme.get('tt-123', 'access-token')).toBe('acme-token');
    expect(await globex.get('tt-123', 'access-token')).toBeNull();
    expect(await dflt.get('tt-123', 'access-token')).toBeNull();
    await dflt.set('tt-123', 'access-token', 'default-token');
    expect(await acme.get('tt-123', 'access-token')).toBe('acme-token');
    // Deleting it in one workspace leaves the other's.
    await globex.delete('tt-123', 'access-token');
    expect(await acme.get('tt-123', 'access-token')).toBe('acme-token');
  } finally {
    await acme.delete('tt-123', 'access-token');
    await dflt.delete('tt-123', 'access-token');
  }
}

describe('workspace keychain entries', () => {
  it('files a non-default workspace under its own service; Default keeps the service it always had', async () => {
    expect(workspaceEnv({}, 'default')).toEqual({});
    expect(workspaceEnv({}, 'acme').COHORT_RELAY_KEYCHAIN_SERVICE).toBe(`${KEYCHAIN_SERVICE} — workspace acme`);
    expect(workspaceEnv({ COHORT_RELAY_KEYCHAIN_SERVICE: 'Test svc' }, 'acme').COHORT_RELAY_KEYCHAIN_SERVICE).toBe('Test svc — workspace acme');
    const { entries, backend } = fakeKeychain();
    await isolationHolds({}, backend);
    expect(entries.size).toBe(0);
  });
});

const keychain = await probeKeychain();
describeWithKeychain(keychain, 'workspace keychain entries in the real OS keychain', () => {
  it('a token saved in one workspace is not found from another', async () => {
    await isolationHolds({ COHORT_RELAY_KEYCHAIN_SERVICE: testKeychainService() });
  });
});
