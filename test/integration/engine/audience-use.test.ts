/**
 * Putting synced audiences to work (issue #14 §1) through the real engine against the offline sandbox on a temp data
 * folder: ad groups, apply log, lookalikes, shares, deletion at TikTok, creation options.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import type { Handlers, RequestOf } from '../../../shared/ipc/contract';
import { SANDBOX_BUSINESS_CENTER } from '../../../electron/core/sandbox';
import { emails } from '../../helpers/cohort';
import { engineForEachTest, type TestEngine } from './helpers';

let dir: string;
let t: TestEngine;
let h: Handlers;
engineForEachTest('cohort-relay-use-', (e) => ({ dir, t, h } = e));

let counter = 0;
async function syncedAudience(people: number, name = `Buyers ${++counter}`, over: Partial<RequestOf<'audiences:create'>> = {}) {
  const file = path.join(dir, `${name.replace(/\W+/g, '-')}.csv`);
  fs.writeFileSync(file, `user_id,email\n${emails(counter * 100_000, people).map((e, i) => `${i},${e}`).join('\n')}\n`);
  const conn = await h['connections:connectSandbox'](undefined);
  const a = await h['audiences:create']({ advertiserId: conn.advertisers[0]!.advertiserId, connectionId: conn.id, name, keys: [{ key: 'email', column: 'email' }], sourcePath: file, profile: DEFAULT_PROFILE, cadence: { kind: 'manual' }, ...over });
  return a;
}

async function sync(audienceId: number) {
  const { runId } = await h['sync:run']({ audienceId });
  const done = await t.waitFor('run:finished', (p) => p.runId === runId);
  expect(done.status).toBe('done');
  return (await h['audiences:get']({ id: audienceId })).tiktokAudienceId as string;
}

async function error(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error('expected a refusal');
}

describe('ad groups', () => {
  it('lists campaigns and ad groups, excludes the audience from one and includes it in another in one step each, shows the usage, and detaches', async () => {
    const a = await syncedAudience(1200);
    const tid = await sync(a.id);
    const view = await h['use:adGroups']({ id: a.id });
    expect(view.campaigns.map((c) => c.name)).toContain('Always-on retargeting');
    const groups = view.campaigns.flatMap((c) => c.adGroups);
    expect(groups.every((g) => g.usage === null)).toBe(true);
    const [g1, g2, g3] = groups.map((g) => g.adgroupId);
    const callsBefore = (await h['audiences:get']({ id: a.id })).callsLeftToday;
    await h['use:apply']({ id: a.id, adgroupIds: [g1!, g2!], mode: 'Exclude' });
    await h['use:apply']({ id: a.id, adgroupIds: [g3!], mode: 'Include' });
    // Not one of the audience's daily data calls: its budget and TikTok's per-audience count are untouched.
    expect((await h['audiences:get']({ id: a.id })).callsLeftToday).toBe(callsBefore);
    expect(t.sim().callsOn(tid)).toBe(1);
    expect(t.sim().adGroupsUsing(tid)).toEqual([
      { adgroupId: g1, usage: 'Exclude' },
      { adgroupId: g2, usage: 'Exclude' },
      { adgroupId: g3, usage: 'Include' },
    ]);
    const again = (await h['use:adGroups']({ id: a.id })).campaigns.flatMap((c) => c.adGroups);
    expect(again.filter((g) => g.usage === 'Exclude').map((g) => g.adgroupId)).toEqual([g1, g2]);
    const usage = await h['use:usage']({ id: a.id });
    expect(usage.map((u) => u.adgroupId).sort()).toEqual([g1, g2, g3].sort());
    expect(usage.find((u) => u.adgroupId === g3)!.usage).toBe('Include');
    await h['use:apply']({ id: a.id, adgroupIds: [g1!], mode: 'Disconnect' });
    expect(t.sim().adGroupsUsing(tid).map((u) => u.adgroupId)).toEqual([g2, g3]);
  });

  it('refuses an unknown ad group with TikTok’s words, and an audience not yet at TikTok before any call', async () => {
    const a = await syncedAudience(1100);
    await sync(a.id);
    const e = await error(h['use:apply']({ id: a.id, adgroupIds: ['1999999999999999999'], mode: 'Exclude' }));
    expect(e.message).toMatch(/1999999999999999999 does not exist/);
    const draft = await syncedAudience(1100);
    const calls = t.sim().requests().length;
    const e2 = await error(h['use:adGroups']({ id: draft.id }));
    expect(e2.code).toBe('INVALID_ARGUMENT');
    expect(e2.message).toMatch(/does not exist at TikTok yet.*Sync it first/);
    expect(t.sim().requests().length).toBe(calls);
  });
});

describe('lookalikes', () => {
  it('refuses a seed under 100 with the reason and sends no create', async () => {
    const a = await syncedAudience(80);
    await sync(a.id);
    const e = await error(h['use:createLookalike']({ id: a.id, name: 'LAL small', audienceSize: 'BALANCED', mobileOs: 'ALL', locationIds: ['6252001'] }));
    expect(e.code).toBe('AUDIENCE_TOO_SMALL');
    expect(e.message).toMatch(/80 matched people.*at least 100/);
    expect(t.sim().requests('dmp/custom_audience/lookalike/create')).toHaveLength(0);
  });

  it('creates a lookalike with its size, OS and locations, lists it with its reach, refreshes it, and says once the seed is deleted', async () => {
    const a = await syncedAudience(150);
    const seedId = await sync(a.id);
    const l = await h['use:createLookalike']({ id: a.id, name: 'Buyers lookalike', audienceSize: 'NARROW', mobileOs: 'IOS', locationIds: ['6252001', '2635167'] });
    const snap = t.sim().audience(l.tiktokAudienceId)!;
    expect(snap.kind).toBe('lookalike');
    const list = await h['use:lookalikes']({ id: a.id });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ name: 'Buyers lookalike', audienceSize: 'NARROW', mobileOs: 'IOS', locationIds: ['6252001', '2635167'], coverNum: 3000, existsAtTiktok: true, seedDeleted: false });
    const r = await h['use:refreshLookalike']({ id: a.id, lookalikeId: l.tiktokAudienceId });
    expect(r.refreshedAt).not.toBeNull();
    expect(t.sim().requests('dmp/custom_audience/lookalike/update')).toHaveLength(1);
    // The seed deleted at TikTok by someone else: the list says so, and a refresh is refused in plain words.
    const client = await fetch(`${t.sim().url}/open_api/v1.3/dmp/custom_audience/delete/`, {
      method: 'POST',
      headers: { 'Access-Token': t.sim().accessToken, 'Content-Type': 'application/json' },
      body: JSON.stringify({ advertiser_id: a.advertiserId, custom_audience_ids: [seedId] }),
    });
    expect(((await client.json()) as { code: number }).code).toBe(0);
    expect((await h['use:lookalikes']({ id: a.id }))[0]!.seedDeleted).toBe(true);
    const e = await error(h['use:refreshLookalike']({ id: a.id, lookalikeId: l.tiktokAudienceId }));
    expect(e.message).toMatch(/was deleted at TikTok, so lookalike "Buyers lookalike" can no longer be refreshed/);
  });
});

describe('sharing', () => {
  it('shares two audiences with 12 accounts of the Business Center in batches, lists and cancels a share', async () => {
    const a = await syncedAudience(1000, 'Share A');
    const b = await syncedAudience(1000, 'Share B');
    const [ta, tb] = [await sync(a.id), await sync(b.id)];
    const targets = SANDBOX_BUSINESS_CENTER.advertisers.slice(1).map((x) => x.advertiserId);
    expect(targets).toHaveLength(12);
    const r = await h['use:share']({ ids: [a.id, b.id], advertiserIds: targets });
    expect(r).toEqual({ pairs: 24, requests: 2 });
    expect(t.sim().sharedWith(ta)).toHaveLength(12);
    expect(t.sim().sharedWith(tb)).toHaveLength(12);
    const shares = await h['use:shares']({ id: a.id });
    expect(shares.map((s) => s.advertiserId).sort()).toEqual([...targets].sort());
    await h['use:unshare']({ id: a.id, advertiserId: targets[0]! });
    expect(t.sim().sharedWith(ta)).not.toContain(targets[0]);
  });

  it('refuses an account of another Business Center with TikTok’s words', async () => {
    const a = await syncedAudience(1000, 'Share C');
    await sync(a.id);
    const e = await error(h['use:share']({ ids: [a.id], advertiserIds: ['7900000000000000001'] }));
    expect(e.message).toMatch(/not in the same Business Center/);
  });
});

describe('deleting at TikTok', () => {
  it('detaches each audience from its ad groups, deletes them in one request, then here', async () => {
    const a = await syncedAudience(1000, 'Del A');
    const b = await syncedAudience(1000, 'Del B');
    const [ta, tb] = [await sync(a.id), await sync(b.id)];
    const g = (await h['use:adGroups']({ id: a.id })).campaigns.flatMap((c) => c.adGroups).map((x) => x.adgroupId);
    await h['use:apply']({ id: a.id, adgroupIds: [g[0]!, g[1]!], mode: 'Exclude' });
    const r = await h['use:deleteAtTiktok']({ ids: [a.id, b.id] });
    expect(r.deleteRequests).toBe(1);
    expect(r.deleted).toEqual([
      { id: a.id, name: 'Del A', detachedFrom: 2 },
      { id: b.id, name: 'Del B', detachedFrom: 0 },
    ]);
    expect(t.sim().audience(ta)).toBeUndefined();
    expect(t.sim().audience(tb)).toBeUndefined();
    expect(t.sim().requests('dmp/custom_audience/delete').filter((x) => x.code === 0)).toHaveLength(1);
    expect((await h['audiences:list'](undefined)).some((x) => x.id === a.id || x.id === b.id)).toBe(false);
  });

  it('when TikTok refuses the delete, the audiences stay here and can be deleted again', async () => {
    const a = await syncedAudience(1000, 'Del D');
    const ta = await sync(a.id);
    t.sim().faults.add({ kind: 'tiktok-code', endpoint: 'dmp/custom_audience/delete', code: 40002, message: 'Parameter error: injected refusal.', times: 1 });
    const e = await error(h['use:deleteAtTiktok']({ ids: [a.id] }));
    expect(e.message).toMatch(/injected refusal/);
    expect((await h['audiences:list'](undefined)).some((x) => x.id === a.id)).toBe(true);
    expect(t.sim().audience(ta)).toBeDefined();
    expect((await h['use:deleteAtTiktok']({ ids: [a.id] })).deleted).toEqual([{ id: a.id, name: 'Del D', detachedFrom: 0 }]);
  });

  it('the row menu’s delete at TikTok detaches an audience used by an ad group first', async () => {
    const a = await syncedAudience(1000, 'Del C');
    const ta = await sync(a.id);
    const g = (await h['use:adGroups']({ id: a.id })).campaigns[0]!.adGroups[0]!.adgroupId;
    await h['use:apply']({ id: a.id, adgroupIds: [g], mode: 'Include' });
    expect(await h['audiences:delete']({ id: a.id, atTiktok: true })).toEqual({ deletedAtTiktok: true });
    expect(t.sim().audience(ta)).toBeUndefined();
  });
});

describe('creation options', () => {
  it('are saved before the first sync, sent on create, read back from TikTok, and fixed afterwards', async () => {
    const a = await syncedAudience(1000, 'Options');
    const bad = await error(h['use:setCreateOptions']({ id: a.id, retentionInDays: 0, audienceEnhancement: true, subType: 'NORMAL' }));
    expect(bad.message).toMatch(/1 to 365/);
    const saved = await h['use:setCreateOptions']({ id: a.id, retentionInDays: 90, audienceEnhancement: true, subType: 'REACH_FREQUENCY' });
    expect(saved).toMatchObject({ retentionInDays: 90, audienceEnhancement: true, subType: 'REACH_FREQUENCY', editable: true, atTiktok: null });
    await sync(a.id);
    const after = await h['use:createOptions']({ id: a.id });
    expect(after.editable).toBe(false);
    expect(after.atTiktok).toMatchObject({ audienceEnhancement: true, subType: 'REACH_FREQUENCY' });
    const e = await error(h['use:setCreateOptions']({ id: a.id, retentionInDays: 30, audienceEnhancement: false, subType: 'NORMAL' }));
    expect(e.message).toMatch(/already exists at TikTok/);
  });
});
