import { secretAccount, type SecretName, type SecretStore } from './secret-store';

/**
 * Secrets held in this process only. Used when no keychain is available (and by tests): the user is
 * told plainly that they are signed in until the app quits. Nothing is ever written anywhere.
 */
export class MemorySecretStore implements SecretStore {
  readonly kind = 'memory' as const;
  private readonly values = new Map<string, string>();

  async get(connectionId: string, name: SecretName): Promise<string | null> {
    return this.values.get(secretAccount(connectionId, name)) ?? null;
  }

  async set(connectionId: string, name: SecretName, value: string): Promise<void> {
    this.values.set(secretAccount(connectionId, name), value);
  }

  async delete(connectionId: string, name: SecretName): Promise<boolean> {
    return this.values.delete(secretAccount(connectionId, name));
  }
}
