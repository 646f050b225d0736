/**
 * The engine files a workspace's tokens under that workspace's keychain service (#14 §2), in the real OS keychain:
 * a token saved in one workspace is not found under another's entries, and deleting the workspace removes them.
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { createEngine } from '../../../electron/core/engine';
import { SANDBOX_APP_ID, SANDBOX_APP_SECRET, type SimulatorHandle } from '../../../electron/core/sandbox';
import { openSecretStore, workspaceKeychainService } from '../../../electron/core/secrets';
import { describeWithKeychain, probeKeychain, testKeychainService } from '../../helpers/keyring';
import { tmpDir } from '../../helpers/tmp';

const keychain = await probeKeychain();

describeWithKeychain(keychain, 'workspace tokens in the real OS keychain', () => {
  it('keeps a token pasted in one workspace under its own service, not the Default one, and deletes it with the workspace', async () => {
    const { dir, cleanup } = tmpDir('cohort-relay-ws-keychain-');
    const service = testKeychainService();
    const sims: SimulatorHandle[] = [];
    const engine = await createEngine(
      { dataDir: path.join(dir, 'data'), host: 'web', environment: 'offline-sandbox' },
      { env: { COHORT_RELAY_KEYCHAIN_SERVICE: service, COHORT_RELAY_NAPI_KEYRING: 'off' }, simulator: { rateLimit: false, processingDelayMs: 0 }, statusRefreshMs: 0, tickMs: 3_600_000, onSandboxStarted: (s) => void sims.push(s) },
    );
    const read = async (svc: string, id: string) => {
      const opened = await openSecretStore({ env: { COHORT_RELAY_NAPI_KEYRING: 'off' }, service: svc });
      return opened.store.get(id, 'access-token');
    };
    try {
      const h = engine.handlers;
      await h['workspaces:create']({ name: 'Acme' });
      const token = sims.at(-1)!.issueToken();
      await h['workspaces:switch']({ id: 'acme' });
      const c = await h['connections:pasteToken']({ token, appId: SANDBOX_APP_ID, appSecret: SANDBOX_APP_SECRET });
      expect(await read(workspaceKeychainService(service, 'acme'), c.id)).toBe(token);
      expect(await read(service, c.id)).toBeNull();

      await h['workspaces:switch']({ id: 'default' });
      expect(await h['connections:list'](undefined)).toEqual([]);
      await h['workspaces:delete']({ id: 'acme', confirmName: 'Acme' });
      expect(await read(workspaceKeychainService(service, 'acme'), c.id)).toBeNull();
    } finally {
      await engine.shutdown();
      cleanup();
    }
  });
});
