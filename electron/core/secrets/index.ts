export { SECRET_NAMES, KEYCHAIN_SERVICE, secretAccount, workspaceKeychainService, type SecretName, type SecretStore } from './secret-store';
export { MemorySecretStore } from './memory-store';
export { KeychainSecretStore, KEYCHAIN_ADAPTERS, type KeychainAdapter, type KeychainBackend } from './keychain-store';
export { keytarBackend, napiKeyringBackend, type BindingLoader, type KeytarApi, type NapiKeyringApi } from './bindings';
export { RoutedSecretStore, memoryLocations, adapterLabel, type SecretLocations } from './routed-store';
export { openSecretStore, memoryOnlyReason, keychainFix, type OpenedSecretStore, type OpenSecretStoreOptions } from './open-secret-store';
