import { AppError } from '../../../shared/errors';
import type { KeychainAdapter, KeychainSecretStore } from './keychain-store';
import { SECRET_NAMES, type SecretName, type SecretStore } from './secret-store';

/**
 * Where each connection's secrets were saved: the adapter's name, never the secret. Persisted (the
 * store's secret_locations table) so a restart reads a token back through the binding that wrote it.
 */
export interface SecretLocations {
  get(connectionId: string): KeychainAdapter | null;
  set(connectionId: string, adapter: KeychainAdapter): void;
  remove(connectionId: string): void;
}

/** Locations kept in memory, for hosts and tests without a database. */
export function memoryLocations(): SecretLocations {
  const map = new Map<string, KeychainAdapter>();
  return { get: (id) => map.get(id) ?? null, set: (id, a) => void map.set(id, a), remove: (id) => void map.delete(id) };
}

/**
 * The keychain as the rest of the app sees it: every working binding behind one SecretStore. A new
 * secret goes to the preferred binding (the first in `stores`) unless the connection already lives in
 * another; a read goes to the binding recorded for the connection. Two bindings do not always see each
 * other's entries (on Linux they file them under different attributes), which is why the location is
 * remembered instead of guessed.
 */
export class RoutedSecretStore implements SecretStore {
  readonly kind = 'keychain' as const;

  /**
   * @param stores the bindings that loaded and answered, most preferred first (at least one)
   * @param missing why each binding that is not in `stores` could not be used, for error messages
   */
  constructor(
    private readonly stores: readonly KeychainSecretStore[],
    private readonly locations: SecretLocations,
    private readonly missing: ReadonlyMap<KeychainAdapter, string> = new Map(),
  ) {
    if (stores.length === 0) throw new TypeError('RoutedSecretStore needs at least one keychain binding');
  }

  /** The adapters in use, most preferred first. */
  get adapters(): KeychainAdapter[] {
    return this.stores.map((s) => s.adapter);
  }

  /** The adapter a connection's secrets are recorded in, or null when nothing was saved through this app. */
  locationOf(connectionId: string): KeychainAdapter | null {
    return this.locations.get(connectionId);
  }

  async get(connectionId: string, name: SecretName): Promise<string | null> {
    const recorded = this.locations.get(connectionId);
    const home = recorded && this.byAdapter(recorded);
    if (home) return home.get(connectionId, name);
    // Not recorded (saved before locations existed), or its binding did not load this time: look in each.
    for (const s of this.stores) {
      const value = await s.get(connectionId, name);
      if (value !== null) {
        this.locations.set(connectionId, s.adapter);
        return value;
      }
    }
    if (recorded) {
      throw new AppError(
        'KEYCHAIN_UNAVAILABLE',
        `This connection's TikTok token was saved in the system keychain through ${adapterLabel(recorded)}, which could not be loaded this time (${this.missing.get(recorded) ?? 'not available'}). Reinstall Cohort Relay (npm install) so it loads again, or sign in again to save the token through ${adapterLabel(this.stores[0]!.adapter)}.`,
      );
    }
    return null;
  }

  async set(connectionId: string, name: SecretName, value: string): Promise<void> {
    const recorded = this.locations.get(connectionId);
    const target = (recorded && this.byAdapter(recorded)) || this.stores[0]!;
    await target.set(connectionId, name, value);
    if (recorded !== target.adapter) this.locations.set(connectionId, target.adapter);
  }

  /** Deletes from every working binding; the location is forgotten once no secret of the connection is left. */
  async delete(connectionId: string, name: SecretName): Promise<boolean> {
    let removed = false;
    for (const s of this.stores) removed = (await s.delete(connectionId, name)) || removed;
    const recorded = this.locations.get(connectionId);
    const home = recorded && this.byAdapter(recorded);
    if (recorded && home) {
      const others = SECRET_NAMES.filter((n) => n !== name);
      const left = await Promise.all(others.map((n) => home.get(connectionId, n)));
      if (left.every((v) => v === null)) this.locations.remove(connectionId);
    }
    return removed;
  }

  private byAdapter(adapter: KeychainAdapter): KeychainSecretStore | undefined {
    return this.stores.find((s) => s.adapter === adapter);
  }
}

/** How an adapter is named to a user. */
export function adapterLabel(adapter: KeychainAdapter): string {
  return adapter === 'keytar' ? 'keytar' : '@napi-rs/keyring';
}
