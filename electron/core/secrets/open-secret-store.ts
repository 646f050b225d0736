import { randomUUID } from 'node:crypto';
import { describeError } from '../../../shared/errors';
import { errorText, KeytarSecretStore, type KeytarApi } from './keytar-store';
import { MemorySecretStore } from './memory-store';
import { KEYCHAIN_SERVICE, type SecretStore } from './secret-store';

/** What openSecretStore decided. When `persistent` is false, `reason` is the sentence to show the user. */
export interface OpenedSecretStore {
  store: SecretStore;
  /** True when secrets survive a restart (the OS keychain answered the probe). */
  persistent: boolean;
  /** Why the keychain is not used, in plain words with the fix; null when it is used. */
  reason: string | null;
  /** Just the cause, e.g. "the system keychain did not answer: …" (for hosts that word their own message). */
  cause: string | null;
}

export interface OpenSecretStoreOptions {
  /**
   * COHORT_RELAY_KEYCHAIN=off forces memory-only secrets (e.g. a headless box using TIKTOK_ACCESS_TOKEN);
   * COHORT_RELAY_KEYCHAIN_SERVICE files entries under another service name (tests, side-by-side installs).
   */
  env?: NodeJS.ProcessEnv;
  logger?: { warn(message: string): void };
  /** Keychain service name (wins over the env); tests pass their own so they never touch a real user's entries. */
  service?: string;
  /** Loads keytar; injectable so a test can simulate a missing native module. */
  loadKeytar?: () => Promise<KeytarApi>;
  platform?: NodeJS.Platform;
  /** A locked keychain can hang on an unlock prompt; give up after this long. */
  probeTimeoutMs?: number;
}

/**
 * Opens the OS keychain if it works, else an in-memory store with a plain warning.
 * "Works" means a real round trip (set, get, delete of a throwaway entry) succeeded: keytar loading is
 * not enough, because on Linux the Secret Service may be absent, locked, or unreachable over D-Bus, and
 * that only shows on first use. Never falls back to a file: a token on disk is the thing to avoid.
 */
export async function openSecretStore(opts: OpenSecretStoreOptions = {}): Promise<OpenedSecretStore> {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  const service = opts.service ?? (env.COHORT_RELAY_KEYCHAIN_SERVICE?.trim() || KEYCHAIN_SERVICE);
  const fallback = (why: string): OpenedSecretStore => {
    const reason = memoryOnlyReason(why, platform);
    opts.logger?.warn(reason);
    return { store: new MemorySecretStore(), persistent: false, reason, cause: why };
  };

  const setting = env.COHORT_RELAY_KEYCHAIN?.trim().toLowerCase();
  if (setting === 'off' || setting === 'memory' || setting === '0') {
    return fallback('the keychain is turned off by COHORT_RELAY_KEYCHAIN');
  }

  let keytar: KeytarApi;
  try {
    keytar = await (opts.loadKeytar ?? loadKeytarModule)();
  } catch (err) {
    return fallback(`the keychain module could not be loaded: ${errorText(err)}`);
  }

  try {
    await withTimeout(probe(keytar, service), opts.probeTimeoutMs ?? 10_000);
  } catch (err) {
    return fallback(`the system keychain did not answer: ${errorText(err)}`);
  }
  return { store: new KeytarSecretStore(keytar, service), persistent: true, reason: null, cause: null };
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

async function loadKeytarModule(): Promise<KeytarApi> {
  // keytar is a native CommonJS module: import it lazily so a missing or broken build is a fallback, not a crash.
  const mod = (await import('keytar')) as KeytarApi & { default?: KeytarApi };
  const api = mod.default && typeof mod.default.getPassword === 'function' ? mod.default : mod;
  if (typeof api.getPassword !== 'function') throw new Error('keytar has no getPassword');
  return api;
}

async function probe(keytar: KeytarApi, service: string): Promise<void> {
  const account = `probe-${randomUUID()}`;
  const value = randomUUID();
  await keytar.setPassword(service, account, value);
  try {
    const back = await keytar.getPassword(service, account);
    if (back !== value) throw new Error('the keychain did not return what was just saved');
  } finally {
    await keytar.deletePassword(service, account);
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
