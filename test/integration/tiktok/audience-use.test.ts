import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TikTokApiError } from '../../../electron/core/tiktok/errors';
import { RateLimiter } from '../../../electron/core/tiktok/limiter';
import { SANDBOX_ADVERTISERS, SANDBOX_BUSINESS_CENTER, SANDBOX_FOREIGN_ADVERTISER, startSimulator, type SimulatorHandle } from '../../../electron/core/sandbox';
import type { LookalikeSpec } from '../../../electron/core/tiktok/types';
import { clientFor, createAudienceOf, hashes, thrown } from './helpers';

let sim: SimulatorHandle;
const ADV = SANDBOX_ADVERTISERS[0]!.advertiserId;
const ADV2 = SANDBOX_ADVERTISERS[1]!.advertiserId;
const CLIENTS = SANDBOX_BUSINESS_CENTER.advertisers.slice(2).map((a) => a.advertiserId);

beforeAll(async () => {
  sim = await startSimulator({ rateLimit: false, processingDelayMs: 0, matchRate: 'exact' });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.faults.reset();
  sim.configure({ rateLimit: false, processingDelayMs: 0 });
});

const spec = (seed: string, over: Partial<LookalikeSpec> = {}): LookalikeSpec => ({ sourceAudienceId: seed, includeSource: false, mobileOs: 'ALL', placements: ['TIKTOK'], locationIds: ['6252001'], audienceSize: 'BALANCED', ...over });

describe('campaign/get and adgroup/get', () => {
  it('lists the seeded campaigns and ad groups of the advertiser, filtered by campaign', async () => {
    const { client, calls } = clientFor(sim);
    const { campaigns } = await client.listCampaigns(ADV);
    expect(campaigns.map((c) => c.name)).toEqual(['Spring sale', 'Always-on retargeting', 'Brand launch (Reach & Frequency)']);
    const all = await client.listAdGroups(ADV);
    expect(all.adGroups).toHaveLength(5);
    expect(all.adGroups.every((g) => g.audienceIds.length === 0 && g.excludedAudienceIds.length === 0)).toBe(true);
    const one = await client.listAdGroups(ADV, { campaignIds: [campaigns[1]!.campaignId] });
    expect(one.adGroups.map((g) => g.name)).toEqual(['Cart abandoners', 'Past buyers']);
    expect(calls.some((c) => c.endpoint === 'adgroup/get/' && c.method === 'GET')).toBe(true);
    // The other advertiser's ad groups are its own.
    const other = await client.listAdGroups(ADV2);
    expect(other.adGroups.some((g) => all.adGroups.some((x) => x.adgroupId === g.adgroupId))).toBe(false);
  });
});

describe('dmp/custom_audience/apply/ and apply/log/', () => {
  it('attaches an audience as an exclusion and an inclusion, shows it in adgroup/get and apply/log, and detaches it', async () => {
    const { client } = clientFor(sim);
    const { audienceId } = await createAudienceOf(client, ADV, hashes(1200, 'apply'), 'Buyers');
    const { adGroups } = await client.listAdGroups(ADV);
    const [g1, g2] = [adGroups[0]!.adgroupId, adGroups[1]!.adgroupId];
    await client.applyAudience({ advertiserId: ADV, audienceId, adgroupIds: [g1], action: 'Apply', usageMode: 'Exclude' });
    await client.applyAudience({ advertiserId: ADV, audienceId, adgroupIds: [g2], action: 'Apply', usageMode: 'Include' });
    const after = await client.listAdGroups(ADV);
    expect(after.adGroups.find((g) => g.adgroupId === g1)!.excludedAudienceIds).toEqual([audienceId]);
    expect(after.adGroups.find((g) => g.adgroupId === g2)!.audienceIds).toEqual([audienceId]);
    const log = await client.applyLog(ADV, [audienceId]);
    expect(log.entries.map((e) => [e.adgroupId, e.usageMode]).sort()).toEqual([
      [g1, 'Exclude'],
      [g2, 'Include'],
    ]);
    expect(log.entries[0]!.adgroupName).toBeTruthy();
    await client.applyAudience({ advertiserId: ADV, audienceId, adgroupIds: [g1, g2], action: 'Disconnect' });
    expect(sim.adGroupsUsing(audienceId)).toEqual([]);
    expect((await client.applyLog(ADV, [audienceId])).entries).toEqual([]);
  });

  it('refuses an unknown ad group, an ad group of another advertiser, a missing usage mode and a foreign advertiser', async () => {
    const { client } = clientFor(sim);
    const { audienceId } = await createAudienceOf(client, ADV, hashes(1100, 'refuse'), 'Refusals');
    const e1 = await thrown<TikTokApiError>(() => client.applyAudience({ advertiserId: ADV, audienceId, adgroupIds: ['1999999999999999999'], action: 'Apply', usageMode: 'Exclude' }));
    expect(e1.tiktokCode).toBe(40002);
    expect(e1.message).toMatch(/1999999999999999999/);
    const otherGroup = (await client.listAdGroups(ADV2)).adGroups[0]!.adgroupId;
    const e2 = await thrown<TikTokApiError>(() => client.applyAudience({ advertiserId: ADV, audienceId, adgroupIds: [otherGroup], action: 'Apply', usageMode: 'Include' }));
    expect(e2.tiktokCode).toBe(40002);
    const e3 = await thrown<TikTokApiError>(() => client.applyAudience({ advertiserId: SANDBOX_FOREIGN_ADVERTISER.advertiserId, audienceId, adgroupIds: [otherGroup], action: 'Apply', usageMode: 'Include' }));
    expect(e3.tiktokCode).toBe(40001);
    // The client refuses Apply without a usage mode before sending; the sandbox refuses it too.
    const e4 = await thrown<Error>(() => client.applyAudience({ advertiserId: ADV, audienceId, adgroupIds: [otherGroup], action: 'Apply' }));
    expect(e4.message).toMatch(/Include or Exclude/);
    expect(sim.adGroupsUsing(audienceId)).toEqual([]);
  });

  it('refuses an audience under 1,000 matched people and a lookalike in a Reach & Frequency ad group', async () => {
    const { client } = clientFor(sim);
    const small = await createAudienceOf(client, ADV, hashes(300, 'small'), 'Small');
    const { adGroups } = await client.listAdGroups(ADV);
    const e = await thrown<TikTokApiError>(() => client.applyAudience({ advertiserId: ADV, audienceId: small.audienceId, adgroupIds: [adGroups[0]!.adgroupId], action: 'Apply', usageMode: 'Exclude' }));
    expect(e.message).toMatch(/1000 matched/);
    const seed = await createAudienceOf(client, ADV, hashes(1000, 'rfseed'), 'Seed RF');
    const { audienceId: lal } = await client.lookalikeCreate({ advertiserId: ADV, name: 'LAL RF', spec: spec(seed.audienceId) });
    const rf = adGroups.find((g) => g.name === 'Launch week R&F')!.adgroupId;
    const e2 = await thrown<TikTokApiError>(() => client.applyAudience({ advertiserId: ADV, audienceId: lal, adgroupIds: [rf], action: 'Apply', usageMode: 'Include' }));
    expect(e2.message).toMatch(/Reach & Frequency/);
  });
});

describe('dmp/custom_audience/lookalike/create/ and /update/', () => {
  it('creates a lookalike of a seed of at least 100, shows its spec, refreshes it, and refuses a refresh once the seed is gone', async () => {
    const { client } = clientFor(sim);
    const seed = await createAudienceOf(client, ADV, hashes(150, 'seed'), 'Seed 150');
    const { audienceId } = await client.lookalikeCreate({ advertiserId: ADV, name: 'Seed lookalike', spec: spec(seed.audienceId, { audienceSize: 'NARROW', mobileOs: 'IOS', locationIds: ['6252001', '2635167'] }) });
    const [got] = (await client.getAudiences(ADV, [audienceId])).audiences;
    expect(got!.audienceType).toBe('Lookalike Audience');
    expect(got!.coverNum).toBe(150 * 20);
    await client.lookalikeRefresh(ADV, [audienceId]);
    expect(sim.audience(audienceId)!.history.map((h) => h.action)).toEqual(['create', 'refresh']);
    await client.deleteAudiences(ADV, [seed.audienceId]);
    const e = await thrown<TikTokApiError>(() => client.lookalikeRefresh(ADV, [audienceId]));
    expect(e.tiktokCode).toBe(40002);
    expect(e.message).toMatch(/source audience .* was deleted/);
  });

  it('refuses a seed under 100, a lookalike as seed, an unknown enum and a seed of another advertiser', async () => {
    const { client } = clientFor(sim);
    const seed = await createAudienceOf(client, ADV, hashes(99, 'tiny'), 'Seed 99');
    const e = await thrown<TikTokApiError>(() => client.lookalikeCreate({ advertiserId: ADV, name: 'Too small', spec: spec(seed.audienceId) }));
    expect(e.tiktokCode).toBe(40002);
    expect(e.message).toMatch(/no less than 100 \(it has 99/);
    const ok = await createAudienceOf(client, ADV, hashes(120, 'ok'), 'Seed 120');
    const lal = await client.lookalikeCreate({ advertiserId: ADV, name: 'LAL', spec: spec(ok.audienceId) });
    const e2 = await thrown<TikTokApiError>(() => client.lookalikeCreate({ advertiserId: ADV, name: 'LAL of LAL', spec: spec(lal.audienceId) }));
    expect(e2.message).toMatch(/cannot be an existing lookalike/);
    const e3 = await thrown<TikTokApiError>(() => client.lookalikeCreate({ advertiserId: ADV, name: 'Bad', spec: spec(ok.audienceId, { audienceSize: 'HUGE' as never }) }));
    expect(e3.message).toMatch(/audience_size/);
    const e4 = await thrown<TikTokApiError>(() => client.lookalikeCreate({ advertiserId: ADV2, name: 'Other', spec: spec(ok.audienceId) }));
    expect(e4.tiktokCode).toBe(40007);
  });
});

describe('dmp/custom_audience/share/, share/cancel/, share/log/', () => {
  it('shares with accounts of the same Business Center in batches of 10 × 10, lists them, and cancels one', async () => {
    const { client, calls } = clientFor(sim);
    const a = await createAudienceOf(client, ADV, hashes(1000, 'share'), 'Shared');
    const targets = [ADV2, ...CLIENTS]; // 12 accounts: two requests
    const r = await client.shareAudiences({ advertiserId: ADV, audienceIds: [a.audienceId], sharedAdvertiserIds: targets });
    expect(r.requestIds).toHaveLength(2);
    expect(calls.filter((c) => c.endpoint === 'dmp/custom_audience/share/' && !c.error)).toHaveLength(2);
    expect(sim.sharedWith(a.audienceId).sort()).toEqual([...targets].sort());
    const log = await client.shareLog(ADV, a.audienceId);
    expect(log.entries).toHaveLength(12);
    expect(log.entries.find((e) => e.sharedAdvertiserId === CLIENTS[0])!.sharedAdvertiserName).toBe('Sandbox Client 01');
    // The account it was shared with sees it, not as its creator.
    const seen = (await client.listAudiences(ADV2)).audiences.find((x) => x.audienceId === a.audienceId);
    expect(seen).toMatchObject({ isCreator: false, shared: true });
    await client.shareCancel({ advertiserId: ADV, audienceId: a.audienceId, sharedAdvertiserId: ADV2 });
    expect(sim.sharedWith(a.audienceId)).not.toContain(ADV2);
    expect((await client.listAudiences(ADV2)).audiences.some((x) => x.audienceId === a.audienceId)).toBe(false);
  });

  it('every share request waits for the app-level rate limiter (not the audience’s daily calls)', async () => {
    const { client: plain } = clientFor(sim);
    const a = await createAudienceOf(plain, ADV, hashes(1000, 'limited'), 'Limited');
    let clock = 1_000_000;
    const slept: number[] = [];
    const limiter = new RateLimiter({ qps: 1, qpm: 600, now: () => clock, sleep: async (ms) => {
      slept.push(ms);
      clock += ms;
    } });
    const { client } = clientFor(sim, { limiter });
    await client.shareAudiences({ advertiserId: ADV, audienceIds: [a.audienceId], sharedAdvertiserIds: [ADV2, ...CLIENTS] });
    // Two requests at 1 per second: the second waited its turn.
    expect(slept.length).toBe(1);
    expect(slept[0]).toBeGreaterThan(0);
    expect(sim.callsOn(a.audienceId)).toBe(1);
  });

  it('refuses more than 10 accounts in one request, an account of another Business Center, and cancelling a share that does not exist', async () => {
    const { client } = clientFor(sim);
    const a = await createAudienceOf(client, ADV, hashes(1000, 'share2'), 'Shared 2');
    const raw = await fetch(`${sim.url}/open_api/v1.3/dmp/custom_audience/share/`, {
      method: 'POST',
      headers: { 'Access-Token': sim.accessToken, 'Content-Type': 'application/json' },
      body: JSON.stringify({ advertiser_id: ADV, custom_audience_ids: [a.audienceId], shared_advertiser_ids: [ADV2, ...CLIENTS] }),
    });
    const body = (await raw.json()) as { code: number; message: string };
    expect(body.code).toBe(40002);
    expect(body.message).toMatch(/at most 10 ad accounts/);
    const e = await thrown<TikTokApiError>(() => client.shareAudiences({ advertiserId: ADV, audienceIds: [a.audienceId], sharedAdvertiserIds: [SANDBOX_FOREIGN_ADVERTISER.advertiserId] }));
    expect(e.message).toMatch(/not in the same Business Center/);
    const e2 = await thrown<TikTokApiError>(() => client.shareCancel({ advertiserId: ADV, audienceId: a.audienceId, sharedAdvertiserId: CLIENTS[3]! }));
    expect(e2.message).toMatch(/is not shared with/);
    expect(sim.sharedWith(a.audienceId)).toEqual([]);
  });
});

describe('dmp/custom_audience/delete/ and creation options', () => {
  it('refuses to delete an audience still attached to an ad group, and deletes it once detached', async () => {
    const { client } = clientFor(sim);
    const a = await createAudienceOf(client, ADV, hashes(1000, 'del'), 'Delete me');
    const g = (await client.listAdGroups(ADV)).adGroups[3]!.adgroupId;
    await client.applyAudience({ advertiserId: ADV, audienceId: a.audienceId, adgroupIds: [g], action: 'Apply', usageMode: 'Exclude' });
    const e = await thrown<TikTokApiError>(() => client.deleteAudiences(ADV, [a.audienceId]));
    expect(e.message).toMatch(/Disconnect it/);
    await client.applyAudience({ advertiserId: ADV, audienceId: a.audienceId, adgroupIds: [g], action: 'Disconnect' });
    await client.deleteAudiences(ADV, [a.audienceId]);
    expect(sim.audience(a.audienceId)).toBeUndefined();
  });

  it('sends retention_in_days, audience_sub_type and audience_enhancement on create and reads the enhancement back', async () => {
    const { client } = clientFor(sim);
    const { filePath } = await client.fileUpload({ advertiserId: ADV, calculateType: 'EMAIL_SHA256', file: Buffer.from(`${hashes(1000, 'opt').join('\n')}\n`) });
    const { audienceId } = await client.createAudience({ advertiserId: ADV, name: 'Options', calculateType: 'EMAIL_SHA256', filePaths: [filePath], retentionInDays: 30, audienceSubType: 'REACH_FREQUENCY', audienceEnhancement: true });
    const [got] = (await client.getAudiences(ADV, [audienceId])).audiences;
    expect(got!.audienceSubType).toBe('REACH_FREQUENCY');
    expect(got!.audienceEnhancement).toBe(true);
    const created = Date.parse(`${got!.createTime!.replace(' ', 'T')}Z`);
    const expires = Date.parse(`${got!.expiredTime!.replace(' ', 'T')}Z`);
    expect(Math.round((expires - created) / 86_400_000)).toBe(30);
  });
});

describe('persistence', () => {
  it('keeps ad group attachments and shares across a restart of the sandbox with a data folder', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sim-use-'));
    try {
      const first = await startSimulator({ rateLimit: false, processingDelayMs: 0, matchRate: 'exact', dataDir });
      const { client } = clientFor(first);
      const a = await createAudienceOf(client, ADV, hashes(1000, 'persist'), 'Persist');
      const g = (await client.listAdGroups(ADV)).adGroups[0]!.adgroupId;
      await client.applyAudience({ advertiserId: ADV, audienceId: a.audienceId, adgroupIds: [g], action: 'Apply', usageMode: 'Exclude' });
      await client.shareAudiences({ advertiserId: ADV, audienceIds: [a.audienceId], sharedAdvertiserIds: [ADV2] });
      await first.close();
      const second = await startSimulator({ rateLimit: false, processingDelayMs: 0, matchRate: 'exact', dataDir });
      try {
        expect(second.adGroupsUsing(a.audienceId)).toEqual([{ adgroupId: g, usage: 'Exclude' }]);
        expect(second.sharedWith(a.audienceId)).toEqual([ADV2]);
        const { client: c2 } = clientFor(second);
        expect((await c2.applyLog(ADV, [a.audienceId])).entries.map((e) => e.adgroupId)).toEqual([g]);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
