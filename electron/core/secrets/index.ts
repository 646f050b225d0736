export { SECRET_NAMES, KEYCHAIN_SERVICE, secretAccount, type SecretName, type SecretStore } from './secret-store';
export { MemorySecretStore } from './memory-store';
export { KeytarSecretStore, type KeytarApi } from './keytar-store';
export { openSecretStore, memoryOnlyReason, keychainFix, type OpenedSecretStore, type OpenSecretStoreOptions } from './open-secret-store';
