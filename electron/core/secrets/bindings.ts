import type { KeychainAdapter, KeychainBackend } from './keychain-store';

/** The part of keytar's API used here; lets the loader hand over either the CJS or ESM shape. */
export interface KeytarApi {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

/** The part of @napi-rs/keyring's API used here (its AsyncEntry class). */
export interface NapiKeyringApi {
  AsyncEntry: new (
    service: string,
    username: string,
    options?: { linux?: { store?: 'secret-service' | 'keyutils' } },
  ) => {
    getPassword(): Promise<string | null>;
    setPassword(password: string): Promise<void>;
    deletePassword(): Promise<boolean>;
  };
}

/** Loads one binding; throws when its native part is missing or broken (e.g. keytar never built). */
export type BindingLoader = () => Promise<KeychainBackend>;

export function keytarBackend(api: KeytarApi): KeychainBackend {
  return {
    adapter: 'keytar',
    getPassword: (s, a) => api.getPassword(s, a),
    setPassword: (s, a, p) => api.setPassword(s, a, p),
    deletePassword: (s, a) => api.deletePassword(s, a),
  };
}

/**
 * @napi-rs/keyring. On Linux its default silently falls back to the kernel keyring, which forgets
 * everything at reboot: entries are pinned to the Secret Service so a token is kept or refused, never
 * quietly made temporary.
 */
export function napiKeyringBackend(api: NapiKeyringApi, platform: NodeJS.Platform = process.platform): KeychainBackend {
  const options = platform === 'linux' ? { linux: { store: 'secret-service' as const } } : undefined;
  const entry = (s: string, a: string) => new api.AsyncEntry(s, a, options);
  return {
    adapter: 'napi-keyring',
    getPassword: (s, a) => entry(s, a).getPassword(),
    setPassword: (s, a, p) => entry(s, a).setPassword(p),
    deletePassword: (s, a) => entry(s, a).deletePassword(),
  };
}

/**
 * The real loaders, imported lazily so a missing or broken native build is a fallback, not a crash.
 * `COHORT_RELAY_KEYTAR=off` makes keytar's loader fail as an unbuilt keytar does (how a machine without
 * libsecret headers installs it), so that path can be exercised anywhere.
 */
export function defaultLoaders(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): Record<KeychainAdapter, BindingLoader> {
  return {
    keytar: async () => {
      if (isOff(env.COHORT_RELAY_KEYTAR)) throw new Error('keytar is turned off by COHORT_RELAY_KEYTAR');
      // keytar is optional: npm drops it where it cannot build, so it is named at run time, not type-checked.
      const specifier: string = 'keytar';
      const mod = (await import(specifier)) as KeytarApi & { default?: KeytarApi };
      const api = mod.default && typeof mod.default.getPassword === 'function' ? mod.default : mod;
      if (typeof api.getPassword !== 'function') throw new Error('keytar has no getPassword');
      return keytarBackend(api);
    },
    'napi-keyring': async () => {
      if (isOff(env.COHORT_RELAY_NAPI_KEYRING)) throw new Error('@napi-rs/keyring is turned off by COHORT_RELAY_NAPI_KEYRING');
      const mod = (await import('@napi-rs/keyring')) as NapiKeyringApi & { default?: NapiKeyringApi };
      const api = mod.default && typeof mod.default.AsyncEntry === 'function' ? mod.default : mod;
      if (typeof api.AsyncEntry !== 'function') throw new Error('@napi-rs/keyring has no AsyncEntry');
      return napiKeyringBackend(api, platform);
    },
  };
}

function isOff(v: string | undefined): boolean {
  const s = v?.trim().toLowerCase();
  return s === 'off' || s === '0' || s === 'false';
}
