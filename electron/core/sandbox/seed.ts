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

/**
 * The Business Center the seeded advertisers belong to, with more ad accounts of the same center that the seeded
 * token does not reach: audiences can be shared with any of them (dmp/custom_audience/share/ needs the same center).
 */
export const SANDBOX_BUSINESS_CENTER: { bcId: string; advertisers: readonly SandboxAdvertiser[] } = Object.freeze({
  bcId: '7100000000000000001',
  advertisers: Object.freeze([
    ...SANDBOX_ADVERTISERS,
    ...Array.from({ length: 11 }, (_, i) => ({ advertiserId: `70000000000000001${String(i + 1).padStart(2, '0')}`, name: `Sandbox Client ${String(i + 1).padStart(2, '0')}` })),
  ]),
});

/** An ad account of another Business Center: sharing with it is refused. */
export const SANDBOX_FOREIGN_ADVERTISER: SandboxAdvertiser = Object.freeze({ advertiserId: '7900000000000000001', name: 'Another Company' });

/** Campaigns and ad groups each seeded advertiser starts with (ids are derived from the advertiser id). */
export const SANDBOX_CAMPAIGNS: readonly { name: string; reachFrequency: boolean; adGroups: readonly string[] }[] = Object.freeze([
  { name: 'Spring sale', reachFrequency: false, adGroups: ['Spring sale - prospecting', 'Spring sale - lookalikes'] },
  { name: 'Always-on retargeting', reachFrequency: false, adGroups: ['Cart abandoners', 'Past buyers'] },
  { name: 'Brand launch (Reach & Frequency)', reachFrequency: true, adGroups: ['Launch week R&F'] },
]);
