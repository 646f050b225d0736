import { AppError } from '../../../shared/errors';
import { KEYCHAIN_SERVICE, secretAccount, type SecretName, type SecretStore } from './secret-store';

/** The part of keytar's API this store uses; lets the loader hand over either the CJS or ESM shape. */
export interface KeytarApi {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

/**
 * Secrets in the OS keychain through keytar (macOS Keychain, Windows Credential Vault, Secret Service on
 * Linux). Every entry is filed under one service name; the account is `<connection id>/<secret name>`.
 * A keychain failure (locked, D-Bus gone) becomes AppError KEYCHAIN_UNAVAILABLE; keytar's own message is
 * kept as the cause, never the secret.
 */
export class KeytarSecretStore implements SecretStore {
  readonly kind = 'keychain' as const;

  constructor(
    private readonly keytar: KeytarApi,
    readonly service: string = KEYCHAIN_SERVICE,
  ) {}

  async get(connectionId: string, name: SecretName): Promise<string | null> {
    return this.call('read', () => this.keytar.getPassword(this.service, secretAccount(connectionId, name)));
  }

  async set(connectionId: string, name: SecretName, value: string): Promise<void> {
    if (!value) throw new TypeError('refusing to store an empty secret');
    return this.call('save', () => this.keytar.setPassword(this.service, secretAccount(connectionId, name), value));
  }

  async delete(connectionId: string, name: SecretName): Promise<boolean> {
    return this.call('delete', () => this.keytar.deletePassword(this.service, secretAccount(connectionId, name)));
  }

  private async call<T>(verb: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new AppError(
        'KEYCHAIN_UNAVAILABLE',
        `Could not ${verb} a secret in the system keychain (${errorText(err)}). Unlock the keychain (on Linux: a running Secret Service such as gnome-keyring), then try again.`,
        { cause: err },
      );
    }
  }
}

/** keytar's errors are plain Errors whose message names the keychain problem; it never contains the value. */
export function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s+/g, ' ').trim().slice(0, 200) || 'unknown error';
}
