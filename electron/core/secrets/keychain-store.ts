import { AppError } from '../../../shared/errors';
import { KEYCHAIN_SERVICE, secretAccount, type SecretName, type SecretStore } from './secret-store';

/** The native bindings that can reach the OS keychain, in the order they are preferred. */
export const KEYCHAIN_ADAPTERS = ['keytar', 'napi-keyring'] as const;
export type KeychainAdapter = (typeof KEYCHAIN_ADAPTERS)[number];

/** What a binding must do: one password per (service, account). Both keytar and @napi-rs/keyring fit. */
export interface KeychainBackend {
  readonly adapter: KeychainAdapter;
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

/**
 * Secrets in the OS keychain through one binding (macOS Keychain, Windows Credential Manager, Secret
 * Service on Linux). Every entry is filed under one service name; the account is `<connection id>/<secret
 * name>`. A keychain failure (locked, D-Bus gone) becomes AppError KEYCHAIN_UNAVAILABLE; the binding's own
 * message is kept as the cause, never the secret.
 */
export class KeychainSecretStore implements SecretStore {
  readonly kind = 'keychain' as const;

  constructor(
    private readonly backend: KeychainBackend,
    readonly service: string = KEYCHAIN_SERVICE,
  ) {}

  get adapter(): KeychainAdapter {
    return this.backend.adapter;
  }

  async get(connectionId: string, name: SecretName): Promise<string | null> {
    return this.call('read', () => this.backend.getPassword(this.service, secretAccount(connectionId, name)));
  }

  async set(connectionId: string, name: SecretName, value: string): Promise<void> {
    if (!value) throw new TypeError('refusing to store an empty secret');
    return this.call('save', () => this.backend.setPassword(this.service, secretAccount(connectionId, name), value));
  }

  async delete(connectionId: string, name: SecretName): Promise<boolean> {
    return this.call('delete', () => this.backend.deletePassword(this.service, secretAccount(connectionId, name)));
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

/** A binding's errors are plain Errors whose message names the keychain problem; never the value. */
export function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s+/g, ' ').trim().slice(0, 200) || 'unknown error';
}
