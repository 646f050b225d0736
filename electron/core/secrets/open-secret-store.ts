import { randomUUID } from 'node:crypto';
import { describeError } from '../../../shared/errors';
import { defaultLoaders, type BindingLoader } from './bindings';
import { errorText, KEYCHAIN_ADAPTERS, KeychainSecretStore, type KeychainAdapter } from './keychain-store';
import { MemorySecretStore } from './memory-store';
import { memoryLocations, RoutedSecretStore, type SecretLocations } from './routed-store';
import { KEYCHAIN_SERVICE, type SecretStore } from './secret-store';

/** What openSecretStore decided. When `persistent` is false, `reason` is the sentence to show the user. */
export interface OpenedSecretStore {
  store: SecretStore;
  /** True when secrets survive a restart (an OS keychain binding answered the probe). */
  persistent: boolean;
  /** Why no keychain is used, in plain words with the fix; null when one is used. */
  reason: string | null;
  /** Just the cause, e.g. "the system keychain did not answer: …" (for hosts that word their own message). */
  cause: string | null;
  /** The bindings in use, most preferred first; empty when memory-only. */
  adapters: KeychainAdapter[];
  /** Each binding that is not in use, and why (e.g. keytar was never built on this machine). */
  unavailable: { adapter: KeychainAdapter; why: string }[];
}

export interface OpenSecretStoreOptions {
  /**
   * COHORT_RELAY_KEYCHAIN=off forces memory-only secrets (e.g. a headless box using TIKTOK_ACCESS_TOKEN);
   * COHORT_RELAY_KEYCHAIN_SERVICE files entries under another service name (tests, side-by-side installs);
   * COHORT_RELAY_KEYTAR=off / COHORT_RELAY_NAPI_KEYRING=off make that binding fail to load.
   */
  env?: NodeJS.ProcessEnv;
  logger?: { warn(message: string): void };
  /** Keychain service name (wins over the env); tests pass their own so they never touch a real user's entries. */
  service?: string;
  /** Replaces a binding's loader: a test can simulate a binding that did not build, or a fake one. */
  loaders?: Partial<Record<KeychainAdapter, BindingLoader>>;
  /** Where each connection's secrets were saved (the store's table); in memory when absent. */
  locations?: SecretLocations;
  platform?: NodeJS.Platform;
  /** A locked keychain can hang on an unlock prompt; give up after this long. */
  probeTimeoutMs?: number;
}

/**
 * Opens the OS keychain through every binding that works (keytar first, the design's choice, then
 * @napi-rs/keyring, which installs prebuilt where keytar cannot build), else an in-memory store with a
 * plain warning. "Works" means a real round trip (set, get, delete of a throwaway entry) succeeded:
 * loading is not enough, because on Linux the Secret Service may be absent, locked, or unreachable over
 * D-Bus, and that only shows on first use. Never falls back to a file: a token on disk is the thing to avoid.
 */
export async function openSecretStore(opts: OpenSecretStoreOptions = {}): Promise<OpenedSecretStore> {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  const service = opts.service ?? (env.COHORT_RELAY_KEYCHAIN_SERVICE?.trim() || KEYCHAIN_SERVICE);
  const memory = (why: string, unavailable: OpenedSecretStore['unavailable']): OpenedSecretStore => {
    const reason = memoryOnlyReason(why, platform);
    opts.logger?.warn(reason);
    return { store: new MemorySecretStore(), persistent: false, reason, cause: why, adapters: [], unavailable };
  };

  const setting = env.COHORT_RELAY_KEYCHAIN?.trim().toLowerCase();
  if (setting === 'off' || setting === 'memory' || setting === '0') {
    return memory('the keychain is turned off by COHORT_RELAY_KEYCHAIN', []);
  }

  const loaders = { ...defaultLoaders(env, platform), ...opts.loaders };
  const timeoutMs = opts.probeTimeoutMs ?? 10_000;
  // Both bindings are tried at once: a locked keychain's timeout is waited for once, not twice.
  const tried = await Promise.all(
    KEYCHAIN_ADAPTERS.map(async (adapter) => {
      let store: KeychainSecretStore;
      try {
        store = new KeychainSecretStore(await loaders[adapter](), service);
      } catch (err) {
        return { adapter, why: `could not be loaded: ${errorText(err)}` };
      }
      try {
        await withTimeout(probe(store), timeoutMs);
        return { adapter, store };
      } catch (err) {
        return { adapter, why: `the system keychain did not answer: ${errorText(err)}` };
      }
    }),
  );
  const working = tried.flatMap((t) => ('store' in t && t.store ? [t.store] : []));
  const unavailable = tried.flatMap((t) => ('why' in t && t.why ? [{ adapter: t.adapter, why: t.why }] : []));
  if (working.length === 0) {
    // One cause for the user: the keychain's own answer beats "a binding did not load" when both happened.
    const answered = unavailable.find((u) => u.why.startsWith('the system keychain'));
    return memory(answered?.why ?? `the keychain module ${unavailable[0]?.why ?? 'could not be loaded'}`, unavailable);
  }
  const missing = new Map(unavailable.map((u) => [u.adapter, u.why]));
  return {
    store: new RoutedSecretStore(working, opts.locations ?? memoryLocations(), missing),
    persistent: true,
    reason: null,
    cause: null,
    adapters: working.map((s) => s.adapter),
    unavailable,
  };
}

/** The user-facing sentence for a memory-only store: what it means, then how to fix it on this OS. */
export function memoryOnlyReason(why: string, platform: NodeJS.Platform = process.platform): string {
  return `${describeError('KEYCHAIN_UNAVAILABLE').message} (${why}.) You will need to sign in again next time. To stay signed in: ${keychainFix(platform)} For scheduled or headless runs, set TIKTOK_ACCESS_TOKEN instead.`;
}

/** How to get a working keychain on this OS, as one sentence. */
export function keychainFix(platform: NodeJS.Platform = process.platform): string {
  return platform === 'darwin'
    ? 'Unlock the login keychain (Keychain Access) and start Cohort Relay again.'
    : platform === 'win32'
      ? 'Make sure Windows Credential Manager is available to your user account and start Cohort Relay again.'
      : 'Run a Secret Service keychain (gnome-keyring or KWallet) in your desktop session, unlock it, and start Cohort Relay again.';
}

async function probe(store: KeychainSecretStore): Promise<void> {
  const id = `probe-${randomUUID()}`;
  const value = randomUUID();
  await store.set(id, 'access-token', value);
  try {
    const back = await store.get(id, 'access-token');
    if (back !== value) throw new Error('the keychain did not return what was just saved');
  } finally {
    await store.delete(id, 'access-token');
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${Math.round(ms / 1000)} s (is it locked?)`)), ms);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
