/**
 * The TikTok connections of one data folder, for a short-lived host (the CLI's accounts, login and logout): the
 * stored connections, and the connection service with the system keychain or with TIKTOK_ACCESS_TOKEN alone.
 * Opening the session reads SQLite only; the keychain is opened when a command first needs a token.
 */
import { keychainFix, MemorySecretStore, type OpenedSecretStore } from '../secrets';
import { Store } from '../store';
import type { ConnectionRecord } from '../store/connections-repo';
import { resolveApiBase } from '../tiktok/client';
import { ConnectionService, openConnectionService } from '../tiktok/connections';
import { REDIRECT_URI_SETTING, resolveRedirectUri } from '../tiktok/oauth';

export interface ConnectionsSession {
  /** The stored connections with their ad accounts and last known status (SQLite only). */
  list(): ConnectionRecord[];
  /** The connection service with the system keychain (or memory, when there is none: `keychain` says which). */
  withKeychain(): Promise<{ service: ConnectionService; keychain: OpenedSecretStore }>;
  /** The connection service for TIKTOK_ACCESS_TOKEN: that token replaces every stored one, so no keychain is opened (cron, CI). */
  withEnvToken(): ConnectionService;
  /** The sign-in redirect URL in use, first match wins: `flag`, env TIKTOK_REDIRECT_URI, the saved setting, the default. */
  redirectUri(flag: string | undefined): ReturnType<typeof resolveRedirectUri>;
  /** The TikTok API base: TIKTOK_API_BASE of `env`, else `setting` (a URL or "production" / "tiktok-sandbox"), else production. */
  resolveApiBase: typeof resolveApiBase;
  /** What to do when there is no system keychain, for this platform. */
  keychainFix(): string;
  close(): void;
}

/** Opens the connections of the data folder `dataDir`; `env` gives TIKTOK_* and the keychain's settings. */
export function openConnections(dataDir: string, env: NodeJS.ProcessEnv): ConnectionsSession {
  const store = Store.open(dataDir);
  return {
    list: () => store.connections.list(),
    withKeychain: () => openConnectionService({ repo: store.connections, env }),
    withEnvToken: () => new ConnectionService({ repo: store.connections, secrets: new MemorySecretStore(), env }),
    redirectUri: (flag) => resolveRedirectUri({ flag, env, stored: store.settings.get<string | null>(REDIRECT_URI_SETTING, null) }),
    resolveApiBase,
    keychainFix: () => keychainFix(),
    close: () => store.close(),
  };
}
