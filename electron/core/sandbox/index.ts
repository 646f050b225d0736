/**
 * The offline sandbox: an in-process TikTok simulator (tiktok-api.md §9) for the `cohort-relay sandbox`
 * command, for new users without a TikTok account, and for every test. By API area: oauth, file-audiences (upload,
 * create, update), audiences (list, get, delete), partner, ad-groups (campaigns, ad groups, apply), lookalike, share,
 * overlap; what they share in store.ts; endpoints and routes; the HTTP server, its consent page and faults.
 */
export { startSimulator, type SimulatorHandle, type SimulatorOptions } from './server';
export { SIM_ENDPOINTS, type SimEndpoint } from './endpoints';
export { FaultInjector, type FaultKind, type FaultRule, type FiredFault } from './faults';
export { DEFAULT_SIM_SETTINGS, type SimSettings } from './settings';
export type { AudienceSnapshot, SimRequestLogEntry } from './store';
export { SANDBOX_ACCESS_TOKEN, SANDBOX_ADVERTISERS, SANDBOX_APP_ID, SANDBOX_APP_SECRET, SANDBOX_BUSINESS_CENTER, SANDBOX_FOREIGN_ADVERTISER, SANDBOX_SCOPES, type SandboxAdvertiser } from './seed';
