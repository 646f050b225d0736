/**
 * Seed data of the offline sandbox: one developer app, two ad accounts and a ready long-term token, so the
 * sandbox works with zero setup (`TIKTOK_API_BASE=<url>` + `TIKTOK_ACCESS_TOKEN=<SANDBOX_ACCESS_TOKEN>`).
 * These are not secrets: they only open the local simulator.
 */

export const SANDBOX_APP_ID = 'sandbox-app';
export const SANDBOX_APP_SECRET = 'sandbox-secret';
/** A long-term token of SANDBOX_APP_ID reaching every seeded advertiser. */
export const SANDBOX_ACCESS_TOKEN = 'sandbox-token-00000000000000000000000000';

export interface SandboxAdvertiser {
  advertiserId: string;
  name: string;
}

export const SANDBOX_ADVERTISERS: readonly SandboxAdvertiser[] = Object.freeze([
  { advertiserId: '7000000000000000001', name: 'Sandbox Advertiser One' },
  { advertiserId: '7000000000000000002', name: 'Sandbox Advertiser Two' },
]);

/** Scope ids granted to sandbox tokens (§2.3): audience management, read, create/update, share. */
export const SANDBOX_SCOPES: readonly number[] = Object.freeze([3, 30, 31, 32]);
