/**
 * Where secrets live: the OS keychain when there is one, else memory until the app quits.
 * A secret is never written to a file or to SQLite; callers hold a SecretStore, not a storage choice.
 */

/** The secrets a connection may have. Each is stored under its own keychain entry. */
export const SECRET_NAMES = ['access-token', 'app-secret'] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

/** The keychain service name every entry is filed under (what the user sees in Keychain Access / Seahorse). */
export const KEYCHAIN_SERVICE = 'Cohort Relay';

/**
 * The service a workspace's entries are filed under (#14 §2): the default workspace keeps `service`; any other
 * gets one of its own, so a connection id copied from one workspace never reaches another workspace's token.
 */
export function workspaceKeychainService(service: string, workspaceId: string): string {
  return workspaceId === 'default' ? service : `${service} — workspace ${workspaceId}`;
}

/**
 * Secrets per connection id and secret name. All calls are async because the keychain is.
 * `get` resolves to null when nothing is stored; `delete` resolves to whether something was removed.
 * Implementations throw AppError KEYCHAIN_UNAVAILABLE when the backing store fails.
 */
export interface SecretStore {
  /** 'keychain' survives a restart; 'memory' is lost when the process ends. */
  readonly kind: 'keychain' | 'memory';
  get(connectionId: string, name: SecretName): Promise<string | null>;
  set(connectionId: string, name: SecretName, value: string): Promise<void>;
  delete(connectionId: string, name: SecretName): Promise<boolean>;
}

/** The keychain "account" of one secret: `<connection id>/<secret name>`, readable in a keychain viewer. */
export function secretAccount(connectionId: string, name: SecretName): string {
  if (!connectionId) throw new TypeError('connectionId must not be empty');
  return `${connectionId}/${name}`;
}
