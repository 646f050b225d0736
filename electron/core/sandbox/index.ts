/**
 * The offline sandbox: an in-process TikTok simulator (tiktok-api.md §9) for the `cohort-relay sandbox`
 * command, for new users without a TikTok account, and for every test.
 */
export { startSimulator, type SimulatorHandle, type SimulatorOptions } from './server';
export { FaultInjector, SIM_ENDPOINTS, type FaultKind, type FaultRule, type FiredFault, type SimEndpoint } from './faults';
export { DEFAULT_SIM_SETTINGS, type AudienceSnapshot, type SimRequestLogEntry, type SimSettings } from './state';
export { SANDBOX_ACCESS_TOKEN, SANDBOX_ADVERTISERS, SANDBOX_APP_ID, SANDBOX_APP_SECRET, SANDBOX_BUSINESS_CENTER, SANDBOX_FOREIGN_ADVERTISER, SANDBOX_SCOPES, type SandboxAdvertiser } from './seed';
